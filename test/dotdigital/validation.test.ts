/** A changed API must fail loudly, naming the endpoint and the field; documented variations must pass. */
import { describe, expect, it } from 'vitest';
import type { DotdigitalClient } from '../../src/dotdigital/types.js';
import { SystemError } from '../../src/protocol/errors.js';
import { camelCaseKeys } from '../../src/dotdigital/validate.js';
import { scriptedClients } from './support/scripted-client.js';

const scripted = scriptedClients();

function answering(body: unknown, status = 200): Promise<DotdigitalClient> {
  return scripted.connect(() => ({ status, body }));
}

describe('response validation', () => {
  it('reads a program with an unknown status as it is (it is simply not enrollable)', async () => {
    const c = await answering({ id: 1, name: 'x', status: 'Paused', dateCreated: '2020-01-01' });
    await expect(c.getProgram(1)).resolves.toMatchObject({ id: 1, status: 'Paused' });
  });

  it('names the endpoint and the field when a program has no id', async () => {
    const c = await answering({ name: 'x', status: 'Active', dateCreated: '2020-01-01' });
    const error = await c.getProgram(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect((error as Error).message).toContain('GET /v2/programs/{id}');
    expect((error as Error).message).toContain('id');
  });

  it('names the index and field inside a list', async () => {
    const c = await answering([
      { id: 1, name: 'x', status: 'Active', dateCreated: 'd' },
      { id: '2', name: 'y', status: 'Active', dateCreated: 'd' },
    ]);
    await expect(c.listPrograms()).rejects.toThrow(/GET \/v2\/programs .*1\.id/);
  });

  it('fails on a body that is not JSON', async () => {
    const c = await answering('<html>maintenance</html>');
    await expect(c.listPrograms()).rejects.toBeInstanceOf(SystemError);
  });

  it('accepts PascalCase v2 answers and unknown extra fields', async () => {
    const c = await answering({
      Id: 7,
      Name: 'P',
      Status: 'Draft',
      DateCreated: '2020-01-01T00:00:00',
      Extra: { a: 1 },
    });
    await expect(c.getProgram(7)).resolves.toEqual({
      id: 7,
      name: 'P',
      status: 'Draft',
      dateCreated: '2020-01-01T00:00:00',
    });
  });

  it('accepts a contact without channel properties or with null identifiers', async () => {
    const c = await answering({
      contactId: 5,
      status: 'subscribed',
      identifiers: { email: 'a@b.c', mobileNumber: null },
      created: 'x',
      updated: 'y',
    });
    await expect(c.getContact('email', 'a@b.c')).resolves.toEqual({
      contactId: 5,
      status: 'subscribed',
      email: 'a@b.c',
    });
  });

  it('requires the v3 list envelope', async () => {
    const c = await answering({ items: [] });
    await expect(c.listContacts({ limit: 10 })).rejects.toThrow(/GET \/contacts\/v3 .*_items/);
  });
});

describe('camelCaseKeys', () => {
  it('lower-cases first letters deeply and prefers the documented spelling', () => {
    expect(
      camelCaseKeys({ Id: 1, Properties: [{ Name: 'ApiEndpoint', Value: 'x' }], name: 'a', Name: 'b' }),
    ).toEqual({
      id: 1,
      properties: [{ name: 'ApiEndpoint', value: 'x' }],
      name: 'a',
    });
  });
});
