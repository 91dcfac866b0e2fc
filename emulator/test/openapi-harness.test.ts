/**
 * The schema harness is the yardstick for every other emulator test, so it is tested first: it must accept what
 * Dotdigital itself publishes as examples, reject what breaks the schema, and refuse to guess when asked about
 * an operation or status the spec does not document.
 */
import { describe, expect, it } from 'vitest';
import {
  assertRequestMatches,
  assertResponseMatches,
  checkComponent,
  checkResponse,
  documentedStatuses,
  isLenientDateTime,
  requestExamples,
  responseExamples,
  type SpecName,
} from './openapi.js';

const specs: SpecName[] = [
  'programs',
  'contacts-v3',
  'v2-api',
  'accounts-and-utilities',
  'lists-address-books',
];

/**
 * Published examples that contradict their own published schema. Listed explicitly so a new contradiction (or a
 * harness regression) is noticed rather than absorbed.
 */
const selfContradictingExamples = new Set([
  // The 3.1 schema types contacts/addressBooks as arrays but the example shows null (v2-api marks them nullable).
  'programs post /v2/programs/enrolments 201 Result',
  // These two examples are arrays while the schema says object; neither endpoint is used by the connector.
  'lists-address-books get /v2/address-books/{id}/contacts/unsubscribed-since/{date} 200 Result',
  'lists-address-books get /v2/address-books/{addressBookId}/contacts/with-preference/{preferenceId} 200 Result',
]);

describe('OpenAPI harness', () => {
  it('accepts every published JSON response example except the known self-contradicting ones', () => {
    const unexpected: string[] = [];
    let checked = 0;
    for (const spec of specs) {
      for (const example of responseExamples(spec)) {
        const key = `${spec} ${example.method} ${example.route} ${example.status} ${example.name}`;
        const result = checkResponse(spec, example.method, example.route, example.status, example.value);
        checked += 1;
        if (result.valid === selfContradictingExamples.has(key)) {
          unexpected.push(`${key}: valid=${result.valid} ${result.errors.join('; ')}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('rejects bodies that break the schema', () => {
    const program = { id: 1, name: 'x', status: 'Active', dateCreated: '2024-01-01T00:00:00Z' };
    expect(checkResponse('programs', 'get', '/v2/programs/{id}', 200, program).valid).toBe(true);
    expect(
      checkResponse('programs', 'get', '/v2/programs/{id}', 200, { ...program, status: 'Paused' }).valid,
    ).toBe(false);
    const { name: _name, ...withoutName } = program;
    expect(checkResponse('programs', 'get', '/v2/programs/{id}', 200, withoutName).valid).toBe(false);
    expect(checkResponse('programs', 'get', '/v2/programs', 200, program).valid).toBe(false);
  });

  it('resolves $refs, including nested allOf, in contacts v3', () => {
    const contact = {
      contactId: 5,
      status: 'subscribed',
      created: '2024-01-01T00:00:00Z',
      updated: '2024-01-01T00:00:00Z',
      identifiers: { email: 'a@example.com' },
      channelProperties: { email: { emailType: 'Html', optInType: 'Single', status: 'subscribed' } },
    };
    const route = '/contacts/v3/{identifier}/{value}';
    expect(checkResponse('contacts-v3', 'get', route, 200, contact).valid).toBe(true);
    // channelProperties forbids unknown channels (additionalProperties: false in the spec).
    const extraChannel = { ...contact, channelProperties: { ...contact.channelProperties, fax: {} } };
    expect(checkResponse('contacts-v3', 'get', route, 200, extraChannel).valid).toBe(false);
    // hardBounced is an email channel status, not a contact status.
    expect(checkResponse('contacts-v3', 'get', route, 200, { ...contact, status: 'hardBounced' }).valid).toBe(
      false,
    );
  });

  it('honours OpenAPI 3.0 nullable and the int32/guid formats', () => {
    const route = '/v2/programs/enrolments/{enrolmentId}';
    const enrolment = {
      id: '13bf8b50-6532-494c-8e2d-02f9bf22f93a',
      programId: 1,
      status: 'Finished',
      dateCreated: '2024-01-01T00:00:00',
      contacts: null,
      addressBooks: [],
    };
    expect(checkResponse('v2-api', 'get', route, 200, enrolment).valid).toBe(true);
    expect(checkResponse('v2-api', 'get', route, 200, { ...enrolment, programId: null }).valid).toBe(false);
    expect(checkResponse('v2-api', 'get', route, 200, { ...enrolment, programId: 2 ** 31 }).valid).toBe(
      false,
    );
    expect(checkResponse('v2-api', 'get', route, 200, { ...enrolment, id: 'not-a-guid' }).valid).toBe(false);
    // v2 models are closed (additionalProperties: false).
    expect(checkResponse('v2-api', 'get', route, 200, { ...enrolment, extra: 1 }).valid).toBe(false);
  });

  it("accepts Dotdigital's own timestamp style but not arbitrary strings as date-time", () => {
    expect(isLenientDateTime('2020-01-01 09:40:18.527000+00:00')).toBe(true);
    expect(isLenientDateTime('2023-01-26T21:29:00')).toBe(true);
    expect(isLenientDateTime('2024-05-01T10:00:00.123Z')).toBe(true);
    expect(isLenientDateTime('2024-02-30T10:00:00Z')).toBe(false);
    expect(isLenientDateTime('yesterday')).toBe(false);
    expect(isLenientDateTime('1714557600000')).toBe(false);
  });

  it('fails loudly for an operation or status the spec does not document', () => {
    expect(() => checkResponse('programs', 'get', '/v2/programmes', 200, {})).toThrow(/not in the spec/);
    expect(() => checkResponse('programs', 'delete', '/v2/programs/{id}', 200, {})).toThrow(
      /not in the spec/,
    );
    expect(() => checkResponse('programs', 'get', '/v2/programs/{id}', 500, {})).toThrow(/documents no 500/);
    // 401 is documented for programs, but without a body.
    expect(() => checkResponse('programs', 'get', '/v2/programs', 401, {})).toThrow(
      /no application\/json body/,
    );
    expect(() => checkComponent('contacts-v3', 'noSuchSchema', {})).toThrow(/no component schema/);
    expect(documentedStatuses('programs', 'post', '/v2/programs/enrolments')).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '422',
    ]);
  });

  it('checks request bodies, and knows the published import request schema contradicts its own example', () => {
    assertRequestMatches('programs', 'post', '/v2/programs/enrolments', { programId: 1, contacts: [1] });
    expect(() =>
      assertRequestMatches('programs', 'post', '/v2/programs/enrolments', { contacts: [1] }),
    ).toThrow(/programId/);
    // identifiers.contactId is an integer through contactIdObject and a string through the additionalProperties
    // of `identifiers`; no value satisfies both, so the published example (an integer) fails. Tests that import
    // by contactId therefore do not validate their request against this schema.
    const [example] = requestExamples('contacts-v3', 'put', '/contacts/v3/import');
    expect(() => assertRequestMatches('contacts-v3', 'put', '/contacts/v3/import', example)).toThrow(
      /identifiers\/contactId must be string/,
    );
  });

  it('reports the failing path and body in its assertion message', () => {
    expect(() =>
      assertResponseMatches('programs', 'get', '/v2/programs/{id}', 200, { id: 'seven', name: 'n' }),
    ).toThrow(/\/id must be integer[\s\S]*body: \{"id":"seven"/);
  });
});
