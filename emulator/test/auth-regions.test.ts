/**
 * Authentication, regions and region discovery: the first things a client meets, and the ones where a wrong
 * answer sends it to the wrong data centre or leaks that credentials were nearly right.
 */
import { describe, expect, it } from 'vitest';
import { assertResponseMatches } from './openapi.js';
import { expectV2Error, expectV3Error } from './support/errors.js';
import { users, useEmulator } from './support/emulator.js';

const emulator = useEmulator();

function accountProperty(body: unknown, name: string): string | undefined {
  const properties = (body as { properties: { name: string; value: string }[] }).properties;
  return properties.find((property) => property.name === name)?.value;
}

describe('GET /v2/account-info', () => {
  it('answers on r1 (prefix and bare root) for an account of another region, naming its endpoint', async () => {
    const t = emulator();
    for (const region of ['r1', 'bare'] as const) {
      const response = await t.as(users.MAIN, region).get('/v2/account-info');
      expect(response.status, response.text).toBe(200);
      assertResponseMatches('accounts-and-utilities', 'get', '/v2/account-info', 200, response.json);
      assertResponseMatches('v2-api', 'get', '/v2/account-info', 200, response.json);
      const endpoint = accountProperty(response.json, 'ApiEndpoint');
      expect(endpoint?.replace(/\/$/, '')).toBe(t.emu.regionUrl('r2'));
    }
  });

  it("also answers on the account's own region, and 403 on a region that is neither", async () => {
    const t = emulator();
    const own = await t.as(users.MAIN, 'r2').get('/v2/account-info');
    expect(own.status, own.text).toBe(200);
    assertResponseMatches('accounts-and-utilities', 'get', '/v2/account-info', 200, own.json);
    expectV2Error(await t.as(users.MAIN, 'r3').get('/v2/account-info'), 403);
  });

  it('names r1 for an r1 account', async () => {
    const t = emulator();
    const response = await t.as(users.OTHER, 'r1').get('/v2/account-info');
    expect(response.status).toBe(200);
    assertResponseMatches('accounts-and-utilities', 'get', '/v2/account-info', 200, response.json);
    expect(accountProperty(response.json, 'ApiEndpoint')?.replace(/\/$/, '')).toBe(t.emu.regionUrl('r1'));
  });
});

describe('regions', () => {
  it('serves the account on its own region prefix', async () => {
    const t = emulator();
    const response = await t.as(users.MAIN, 'r2').get('/v2/programs');
    expect(response.status, response.text).toBe(200);
    assertResponseMatches('programs', 'get', '/v2/programs', 200, response.json);
  });

  it.each(['r1', 'r3', 'bare'] as const)(
    'answers 403 with a v2 error when an r2 account calls %s',
    async (region) => {
      const t = emulator();
      for (const path of ['/v2/programs', '/v2/programs/1001', '/v2/address-books']) {
        expectV2Error(await t.as(users.MAIN, region).get(path), 403);
      }
      const enrol = await t
        .as(users.MAIN, region)
        .post('/v2/programs/enrolments', { programId: 1002, contacts: [1] });
      expectV2Error(enrol, 403);
    },
  );

  it('answers 403 on the wrong region for Contacts v3 too', async () => {
    const t = emulator();
    // Contacts v3 answers every error in its own envelope (errorCode/description), never the v2 message.
    expectV3Error(await t.as(users.MAIN, 'r3').get('/contacts/v3/contactId/1'), 403);
    expectV3Error(await t.as(users.MAIN, 'r1').get('/contacts/v3?limit=1'), 403);
  });

  it('answers 403 when an r1 account calls r2', async () => {
    const t = emulator();
    expectV2Error(await t.as(users.OTHER, 'r2').get('/v2/programs'), 403);
    const own = await t.as(users.OTHER, 'r1').get('/v2/programs');
    expect(own.status).toBe(200);
    expect((own.json as { id: number }[]).map((program) => program.id)).toEqual([2001]);
  });
});

describe('HTTP Basic authentication', () => {
  const wrong = [
    ['no credentials', null],
    ['a wrong password', { apiUser: users.MAIN.apiUser, password: 'not-the-password' }],
    ['an unknown user', { apiUser: 'nobody@test.example', password: users.MAIN.password }],
  ] as const;

  it.each(wrong)('answers 401 with a v2 error body for %s on v2 endpoints', async (_label, credentials) => {
    const t = emulator();
    for (const path of ['/v2/account-info', '/v2/programs', '/v2/address-books']) {
      const response = await t.as(credentials, 'r2').get(path);
      expectV2Error(response, 401);
      expect(response.text).not.toContain(users.MAIN.password);
    }
    const api = t.as(credentials, 'r2');
    expectV2Error(await api.post('/v2/programs/enrolments', { programId: 1002, contacts: [1] }), 401);
    expectV2Error(await api.post('/v2/address-books', { name: 'nope' }), 401);
    expectV2Error(await api.delete('/v2/address-books/7001'), 401);
    expect((await t.control.enrolmentCalls()).length).toBe(0);
  });

  it.each(wrong)('answers 401 with a v3 error body for %s on Contacts v3', async (_label, credentials) => {
    const t = emulator();
    for (const path of ['/contacts/v3/contactId/1', '/contacts/v3?limit=1']) {
      expectV3Error(await t.as(credentials, 'r2').get(path), 401);
    }
    const imported = await t.as(credentials, 'r2').put('/contacts/v3/import', {
      contacts: [{ matchIdentifier: 'contactId', identifiers: { contactId: 1 }, lists: [7001] }],
    });
    expectV3Error(imported, 401);
  });

  it('rejects a malformed Authorization header with 401, not 500', async () => {
    const t = emulator();
    for (const value of [
      'Basic',
      'Basic !!!',
      'Bearer abc',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      const response = await t.as(null, 'r2').get('/v2/programs', { headers: { authorization: value } });
      expectV2Error(response, 401);
    }
  });
});

describe('Programs permission', () => {
  it('answers 403 on every /v2/programs endpoint for an API user without it', async () => {
    const t = emulator();
    const api = t.as(users.NO_PROGRAMS, 'r2');
    expectV2Error(await api.get('/v2/programs'), 403);
    expectV2Error(await api.get('/v2/programs/1001'), 403);
    expectV2Error(await api.post('/v2/programs/enrolments', { programId: 1002, contacts: [1] }), 403);
    expectV2Error(await api.get('/v2/programs/enrolments/Finished'), 403);
    expectV2Error(await api.get('/v2/programs/enrolments/13bf8b50-6532-494c-8e2d-02f9bf22f93a'), 403);
    expectV2Error(
      await api.get('/v2/programs/enrolments/13bf8b50-6532-494c-8e2d-02f9bf22f93a/report-faults'),
      403,
    );
  });

  it('still lets that user reach contacts and account-info', async () => {
    const t = emulator();
    const api = t.as(users.NO_PROGRAMS, 'r2');
    expect((await api.get('/contacts/v3/contactId/1')).status).toBe(200);
    expect((await t.as(users.NO_PROGRAMS, 'r1').get('/v2/account-info')).status).toBe(200);
  });
});
