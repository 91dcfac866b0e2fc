import { describe, expect, it } from 'vitest';
import type { IdentifierMapping } from '../../src/config/types.js';
import { IdentifierMapper, type MappedIdentifier } from '../../src/enrolment/mapping.js';

const mapping = (overrides: Partial<IdentifierMapping> = {}): IdentifierMapping => ({
  fields: { contactId: 'id', email: 'mail', mobileNumber: 'phone' },
  precedence: ['contactId', 'email', 'mobileNumber'],
  fallThroughOnInvalid: false,
  ...overrides,
});

function map(mapper: IdentifierMapper, data: Record<string, unknown>) {
  const out: MappedIdentifier = { kind: 'email', value: '' };
  const failure = mapper.map(data, out);
  return failure ?? { ...out };
}

describe('IdentifierMapper', () => {
  it('takes the first present identifier in precedence order, normalised', () => {
    const mapper = new IdentifierMapper(mapping(), 'GB', false);
    expect(map(mapper, { id: '12', mail: 'a@example.com' })).toEqual({ kind: 'contactId', value: '12' });
    expect(map(mapper, { mail: ' A@Example.com ', phone: '07911123456' })).toEqual({
      kind: 'email',
      value: 'a@example.com',
    });
    expect(map(mapper, { id: null, mail: '', phone: '07911 123456' })).toEqual({
      kind: 'mobileNumber',
      value: '447911123456',
    });
  });

  it("tries a data-activation stream's matching key first, then the configured precedence", () => {
    const mapper = new IdentifierMapper(mapping(), 'GB', true, 'mobileNumber');
    expect(map(mapper, { id: 5, mail: 'a@example.com', phone: '+447911123456' })).toEqual({
      kind: 'mobileNumber',
      value: '447911123456',
    });
    // Without the key's field the precedence still decides.
    expect(map(mapper, { id: 5, mail: 'a@example.com' })).toEqual({ kind: 'contactId', value: '5' });
    // A malformed identifier the key outranks is no longer a reason to reject the record.
    expect(
      map(new IdentifierMapper(mapping(), 'GB', true), { id: 'x', email: 'a@example.com' }),
    ).toMatchObject({
      reason: 'invalid_contact_id',
    });
    const byEmail = new IdentifierMapper(mapping(), 'GB', true, 'email');
    expect(map(byEmail, { id: 'x', email: 'a@example.com' })).toEqual({
      kind: 'email',
      value: 'a@example.com',
    });
  });

  it('follows a configured precedence', () => {
    const mapper = new IdentifierMapper(mapping({ precedence: ['mobileNumber', 'email'] }), 'GB', false);
    expect(map(mapper, { id: 5, mail: 'a@example.com', phone: '+447911123456' })).toEqual({
      kind: 'mobileNumber',
      value: '447911123456',
    });
    // contactId is not in the precedence, so it is never used.
    expect(map(mapper, { id: 5 })).toMatchObject({ reason: 'missing_identifier' });
  });

  it('rejects an invalid higher-precedence identifier instead of falling through', () => {
    const mapper = new IdentifierMapper(mapping(), 'GB', false);
    expect(map(mapper, { id: 'abc', mail: 'a@example.com' })).toEqual({
      reason: 'invalid_contact_id',
      field: 'id',
    });
    expect(map(mapper, { mail: 'not-an-email', phone: '+447911123456' })).toEqual({
      reason: 'invalid_email',
      field: 'mail',
    });
  });

  it('falls through to the next valid identifier when configured, keeping the first reason otherwise', () => {
    const mapper = new IdentifierMapper(mapping({ fallThroughOnInvalid: true }), 'GB', false);
    expect(map(mapper, { id: 'abc', mail: 'a@example.com' })).toEqual({
      kind: 'email',
      value: 'a@example.com',
    });
    expect(map(mapper, { id: 'abc', mail: 'bad', phone: '12' })).toEqual({
      reason: 'invalid_contact_id',
      field: 'id',
    });
  });

  it('treats blank values as absent and says which fields it looked for', () => {
    const mapper = new IdentifierMapper(mapping(), 'GB', false);
    const failure = map(mapper, { id: '   ', mail: null, other: 'x' });
    expect(failure).toMatchObject({ reason: 'missing_identifier' });
    expect((failure as { field: string }).field).toContain('id, mail, phone');
  });

  it('uses the discover field names on data-activation streams when the configured fields are absent', () => {
    const mapper = new IdentifierMapper(
      mapping({ fields: { email: 'mail' }, precedence: ['email'] }),
      undefined,
      true,
    );
    expect(map(mapper, { email: 'B@example.com' })).toEqual({ kind: 'email', value: 'b@example.com' });
    expect(map(mapper, { mail: 'c@example.com', email: 'b@example.com' })).toEqual({
      kind: 'email',
      value: 'c@example.com',
    });
    // Kinds outside the configured precedence come after it, in the default order.
    expect(map(mapper, { contact_id: 77 })).toEqual({ kind: 'contactId', value: '77' });
    expect(map(mapper, { mobile_number: '+14155550123' })).toEqual({
      kind: 'mobileNumber',
      value: '14155550123',
    });
  });

  it('does not use discover field names on ordinary streams', () => {
    const mapper = new IdentifierMapper(
      mapping({ fields: { email: 'mail' }, precedence: ['email'] }),
      undefined,
      false,
    );
    expect(map(mapper, { email: 'b@example.com' })).toMatchObject({ reason: 'missing_identifier' });
  });

  it('detects other identifiers that belong to a different contact', () => {
    const mapper = new IdentifierMapper(mapping(), 'GB', false);
    const contact = {
      contactId: 5,
      status: 'subscribed',
      email: 'a@example.com',
      mobileNumber: '447911123456',
    };
    expect(
      mapper.conflictsWith({ id: 5, mail: 'A@example.com', phone: '07911123456' }, 'contactId', contact),
    ).toBe(false);
    expect(mapper.conflictsWith({ id: 5, mail: 'b@example.com' }, 'contactId', contact)).toBe(true);
    expect(mapper.conflictsWith({ id: 6, mail: 'a@example.com' }, 'email', contact)).toBe(true);
    expect(mapper.conflictsWith({ mail: 'a@example.com', phone: '+4479' }, 'email', contact)).toBe(false);
    expect(mapper.conflictsWith({ mail: 'a@example.com', phone: '+447922123456' }, 'email', contact)).toBe(
      true,
    );
    // Invalid other identifiers are not evidence of anything.
    expect(mapper.conflictsWith({ id: 5, mail: 'junk' }, 'contactId', contact)).toBe(false);
  });
});
