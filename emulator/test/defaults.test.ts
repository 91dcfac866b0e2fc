/**
 * The defaults that follow what Dotdigital's sources show (emulator/README.md, "Defaults and their sources"),
 * each next to the setting that offers the other behaviour. Time is moved with the emulated clock, never
 * waited for.
 */
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../src/router.js';
import { defaultSettings, RATE_LIMIT_PACKAGES } from '../src/settings.js';
import { expectV2Error, expectV3Error } from './support/errors.js';
import { CONTACT, emailOf, PROGRAM, testFixture } from './support/fixture.js';
import { header } from './support/http.js';
import { startTestEmulator, useEmulator, type TestEmulator } from './support/emulator.js';

const MINUTE = 60_000;

async function enrol(t: TestEmulator, contacts: number[], programId: number = PROGRAM.everyTime) {
  return t.api.post('/v2/programs/enrolments', { programId, contacts });
}

describe('rate tiers: the Basic package by default, Standard and Enhanced as presets', () => {
  const emulator = useEmulator();

  it('announces the Basic limits on each tier', async () => {
    const t = emulator();
    expect(defaultSettings().rateLimits).toEqual(RATE_LIMIT_PACKAGES.Basic);
    expect(RATE_LIMIT_PACKAGES.Basic.Low).toBe(35);
    const low = await enrol(t, [1]);
    expect(header(low, 'x-ratelimit-scope')).toBe('Low');
    expect(header(low, 'x-ratelimit-limit')).toBe('35');
    const high = await t.api.get(`/contacts/v3/email/${emailOf(1)}`);
    expect(header(high, 'x-ratelimit-limit')).toBe(String(RATE_LIMIT_PACKAGES.Basic.High));
  });

  it('puts the contact listings in the Low tier (calls that return a lot of data)', async () => {
    const t = emulator();
    const walk = await t.api.get('/contacts/v3?limit=1');
    expect(walk.status, walk.text).toBe(200);
    expect(header(walk, 'x-ratelimit-scope')).toBe('Low');
    const tiers = Object.fromEntries(ENDPOINTS.map((e) => [e.endpoint, e.tier]));
    expect(tiers['GET /contacts/v3']).toBe('Low');
    expect(tiers['GET /v2/address-books/{id}/contacts']).toBe('Low');
  });

  it('switches to a preset package', async () => {
    const t = emulator();
    await t.control.setSettings({ rateLimitPackage: 'Enhanced' });
    const medium = await t.api.get('/v2/programs');
    expect(header(medium, 'x-ratelimit-limit')).toBe(String(RATE_LIMIT_PACKAGES.Enhanced.Medium));
    await t.control.setSettings({ rateLimitPackage: 'Basic' });
  });
});

describe('processing takes minutes', () => {
  const emulator = useEmulator();

  it('keeps an enrolment Processing and an import NotFinished for minutes', async () => {
    const t = emulator();
    const created = await enrol(t, [2]);
    const id = (created.json as { id: string }).id;
    const imported = await t.api.put('/contacts/v3/import', {
      contacts: [{ matchIdentifier: 'contactId', identifiers: { contactId: 3 } }],
    });
    const importId = (imported.json as { importId: string }).importId;
    await t.control.advance(4 * MINUTE);
    expect(((await t.api.get(`/v2/programs/enrolments/${id}`)).json as { status: string }).status).toBe(
      'Processing',
    );
    expect(((await t.api.get(`/contacts/v3/import/${importId}`)).json as { status: string }).status).toBe(
      'NotFinished',
    );
    await t.control.advance(MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(((await t.api.get(`/v2/programs/enrolments/${id}`)).json as { status: string }).status).toBe(
      'Finished',
    );
  });
});

describe('the hourly enrolment allowance', () => {
  it('refuses the 21st call without Retry-After', async () => {
    const t = await startTestEmulator();
    try {
      for (let i = 0; i < 20; i++) expect((await enrol(t, [1 + i])).status).toBe(201);
      const refused = await enrol(t, [30]);
      expectV2Error(refused, 400, 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED');
      expect(header(refused, 'retry-after')).toBeUndefined();
    } finally {
      await t.emu.stop();
    }
  });

  it('does not count enrolment calls against the legacy flat-rate cap', async () => {
    const t = await startTestEmulator({ settings: { rateLimitMode: 'legacy', legacyLimitPerHour: 2 } });
    try {
      for (let i = 0; i < 4; i++) expect((await enrol(t, [1 + i])).status).toBe(201);
      expect((await t.api.get('/v2/programs')).status).toBe(200);
      expect((await t.api.get('/v2/programs')).status).toBe(200);
      expectV2Error(await t.api.get('/v2/programs'), 400, 'ERROR_APIUSAGE_EXCEEDED');
    } finally {
      await t.emu.stop();
    }
  });
});

describe('imports end in more than Finished', () => {
  const emulator = useEmulator();

  async function runImport(t: TestEmulator, contacts: unknown[]) {
    const started = await t.api.put('/contacts/v3/import', { contacts });
    const importId = (started.json as { importId: string }).importId;
    await t.control.advance(defaultSettings().importProcessingMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return (await t.api.get(`/contacts/v3/import/${importId}`)).json as Record<string, unknown>;
  }

  it('reports account-suppressed contacts as globallySuppressed and repeats as duplicateIdentifier', async () => {
    const t = emulator();
    const item = (contactId: number) => ({ matchIdentifier: 'contactId', identifiers: { contactId } });
    const result = await runImport(t, [item(4), item(CONTACT.suppressed), item(4)]);
    expect(result.status).toBe('Finished');
    expect(result.summary).toMatchObject({
      globallySuppressed: 1,
      duplicateIdentifiers: 1,
      updatedContacts: 1,
    });
    const failures = result.failures as { failures: { failureCode: string }[] }[];
    expect(failures.map((f) => f.failures[0]!.failureCode)).toEqual(['duplicateIdentifier']);
  });

  it.each(['Failed', 'RejectedByWatchdog', 'ExceedsAllowedContactLimit'] as const)(
    'ends in %s when set to, applying nothing',
    async (state) => {
      const t = emulator();
      await t.control.setSettings({ importEndState: state });
      const result = await runImport(t, [
        { matchIdentifier: 'email', identifiers: { email: 'new@x.example' } },
      ]);
      await t.control.setSettings({ importEndState: 'Finished' });
      expect(result).toEqual({ importId: expect.any(String), status: state });
      expect((await t.api.get('/contacts/v3/email/new@x.example')).status).toBe(404);
    },
  );
});

describe('look-ups refuse what Dotdigital may refuse', () => {
  const emulator = useEmulator();

  it.each([
    ['email', 'jos\u00e9@test.example'],
    ['email', 'a..b@test.example'],
    ['email', '.ab@test.example'],
    ['email', 'someone@xn--bcher-kva.example'],
    ['mobileNumber', '442071234567'],
    ['mobileNumber', '4477'],
  ])('answers 400 contacts:invalidId for %s %s', async (identifier, value) => {
    const t = emulator();
    const response = await t.api.get(`/contacts/v3/${identifier}/${encodeURIComponent(value)}`);
    expectV3Error(response, 400, 'contacts:invalidId');
  });

  it('lets them through (404) with strict validation off', async () => {
    const t = emulator();
    await t.control.setSettings({ strictIdentifierValidation: false });
    expectV3Error(await t.api.get('/contacts/v3/email/a..b%40test.example'), 404, 'contacts:contactNotFound');
    await t.control.setSettings({ strictIdentifierValidation: true });
  });

  it('refuses chosen values by fault, even existing contacts', async () => {
    const t = emulator();
    expect((await t.api.get(`/contacts/v3/email/${emailOf(5)}`)).status).toBe(200);
    await t.control.setFaults({ invalidLookupValues: [emailOf(5).toUpperCase()] });
    expectV3Error(await t.api.get(`/contacts/v3/email/${emailOf(5)}`), 400, 'contacts:invalidId');
    await t.control.setFaults({ invalidLookupValues: [] });
  });
});

describe('programs and contacts as the live schema allows', () => {
  it('serves a program NotAvailableInThisVersion with a null name, and does not enrol into it', async () => {
    const fixture = testFixture();
    fixture.accounts[0]!.programs!.push({ id: 1099, name: null, status: 'NotAvailableInThisVersion' });
    const t = await startTestEmulator({ fixture });
    try {
      const program = (await t.api.get('/v2/programs/1099')).json;
      expect(program).toMatchObject({ id: 1099, name: null, status: 'NotAvailableInThisVersion' });
      expectV2Error(await enrol(t, [1], 1099), 422, 'ERROR_PROGRAM_NOT_ACTIVE');
    } finally {
      await t.emu.stop();
    }
  });

  it('fails the whole call with ERROR_CONTACT_SUPPRESSED for the statuses chosen', async () => {
    const t = await startTestEmulator({
      settings: { statusesFailingEnrolmentCall: ['deleted', 'binned', 'unsubscribed'] },
    });
    try {
      await t.control.setContact(6, { status: 'binned' });
      expectV2Error(await enrol(t, [5, 6]), 400, 'ERROR_CONTACT_SUPPRESSED');
      expectV2Error(await enrol(t, [5, CONTACT.unsubscribed]), 400, 'ERROR_CONTACT_SUPPRESSED');
      expect((await enrol(t, [5])).status).toBe(201);
      expect((await t.control.allowance()).used).toBe(1);
    } finally {
      await t.emu.stop();
    }
  });

  it('writes the published Reason words in the fault report (Unsubcribed), a setting', async () => {
    expect(defaultSettings().faultReasonWords).toEqual({ Unsubscribed: 'Unsubcribed' });
  });
});

describe('fixtures, injected refusals, account-info and dates', () => {
  it('seeds thousands of past enrolments across programs and API users', async () => {
    const fixture = testFixture();
    const account = fixture.accounts[0]!;
    account.pastEnrolments = { count: 3000, programIds: [PROGRAM.everyTime, 1001], withinDays: 30 };
    const t = await startTestEmulator({ fixture });
    try {
      const pages = await Promise.all(
        [0, 1000, 2000, 3000].map(
          async (skip) =>
            (await t.api.get(`/v2/programs/enrolments/Finished?select=1000&skip=${skip}`)).json as {
              programId: number;
            }[],
        ),
      );
      expect(pages.map((p) => p.length)).toEqual([1000, 1000, 1000, 0]);
      expect(new Set(pages.flat().map((e) => e.programId))).toEqual(new Set([PROGRAM.everyTime, 1001]));
      const calls = t.emu.control.enrolmentCalls();
      expect(new Set(calls.map((c) => c.apiUser)).size).toBe(account.apiUsers.length);
      expect((await t.control.allowance()).used).toBe(0);
    } finally {
      await t.emu.stop();
    }
  });

  it('answers injected ERROR_ADDRESSBOOK_IN_USE and ERROR_ADDRESSBOOK_LIMITEXCEEDED', async () => {
    const t = await startTestEmulator();
    try {
      await t.control.setFaults({
        queue: [
          {
            kind: 'status',
            status: 400,
            code: 'ERROR_ADDRESSBOOK_LIMITEXCEEDED',
            endpoint: 'POST /v2/address-books',
          },
          {
            kind: 'status',
            status: 400,
            code: 'ERROR_ADDRESSBOOK_IN_USE',
            endpoint: 'DELETE /v2/address-books/{id}',
          },
        ],
      });
      expectV2Error(
        await t.api.post('/v2/address-books', { name: 'x' }),
        400,
        'ERROR_ADDRESSBOOK_LIMITEXCEEDED',
      );
      expectV2Error(await t.api.delete('/v2/address-books/7001'), 400, 'ERROR_ADDRESSBOOK_IN_USE');
      expect((await t.api.get('/v2/address-books/7001')).status).toBe(200);
    } finally {
      await t.emu.stop();
    }
  });

  it('reports a chosen ApiEndpoint, such as the legacy dotmailer host', async () => {
    const t = await startTestEmulator({
      settings: { accountInfoApiEndpoint: 'https://r1-api.dotmailer.com/' },
    });
    try {
      const info = (await t.api.get('/v2/account-info')).json as {
        properties: { name: string; value: string }[];
      };
      expect(info.properties.find((p) => p.name === 'ApiEndpoint')?.value).toBe(
        'https://r1-api.dotmailer.com/',
      );
    } finally {
      await t.emu.stop();
    }
  });

  it('writes dateCreated in the documented form', async () => {
    const t = await startTestEmulator();
    try {
      const documented = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/;
      const programs = (await t.api.get('/v2/programs')).json as { dateCreated: string }[];
      expect(programs[0]!.dateCreated).toMatch(documented);
      expect(((await enrol(t, [1])).json as { dateCreated: string }).dateCreated).toMatch(documented);
      await t.control.setSettings({ dateFormat: 'iso' });
      expect(((await t.api.get('/v2/programs')).json as { dateCreated: string }[])[0]!.dateCreated).toMatch(
        /Z$/,
      );
    } finally {
      await t.emu.stop();
    }
  });
});
