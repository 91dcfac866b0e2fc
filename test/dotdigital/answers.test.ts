/**
 * The connector reads Dotdigital's answers as the real service gives them (issue "Dotdigital as it really
 * answers"): identifier refusals reject one record, odd programs and enrolment bodies are read leniently,
 * errors are translated by the endpoint they came from, and contact paging cannot loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFixture } from '../../emulator/src/fixture.js';
import { SAMPLE, startEmulator, type RunningEmulator } from '../../emulator/src/index.js';
import { createDotdigitalClient } from '../../src/dotdigital/client.js';
import { translateDotdigitalError } from '../../src/dotdigital/error-translation.js';
import { DotdigitalApiError, type DotdigitalClient } from '../../src/dotdigital/types.js';
import type { IdentifierQuery } from '../../src/enrolment/engine-types.js';
import { regionOfBaseUrl, resolveDiscoveredBaseUrl } from '../../src/dotdigital/regions.js';
import { createContactResolver } from '../../src/enrolment/resolve/index.js';
import { ConfigError, TransientError } from '../../src/protocol/errors.js';
import { captureLogger, FAST_RETRY, testConfig } from './support/fixtures.js';
import { startScriptedServer } from './support/scripted-server.js';

const email = (n: number) => `user${n}@example.com`;
const contactId = (n: number) => SAMPLE.firstContactId + n - 1;

function clientFor(baseUrl: string): Promise<DotdigitalClient> {
  return createDotdigitalClient(
    testConfig({ apiUser: SAMPLE.apiUser, password: SAMPLE.password, region: 'auto', baseUrl }),
    { logger: captureLogger().logger, retry: FAST_RETRY },
  );
}

describe('against the emulator', () => {
  let emulator: RunningEmulator;
  let client: DotdigitalClient;

  beforeAll(async () => {
    const fixture = sampleFixture({ contacts: 200 });
    fixture.accounts[0]!.programs!.push({ id: 1099, name: null, status: 'NotAvailableInThisVersion' });
    emulator = await startEmulator({ fixture, settings: { rateLimitMode: 'off' } });
    emulator.control.updateContact(contactId(5), { status: 'binned' });
    emulator.control.updateSettings({ faults: { invalidLookupValues: [email(8), '447950000009'] } });
    client = await clientFor(emulator.url);
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
  });

  it('rejects an identifier Dotdigital refuses (400 contacts:invalidId) instead of failing the batch', async () => {
    const resolver = createContactResolver(client, { resolution: 'lookup' }, captureLogger().logger);
    const queries: IdentifierQuery[] = [
      { kind: 'email', value: email(1) },
      { kind: 'email', value: email(8) },
      { kind: 'mobileNumber', value: '447950000009' },
      { kind: 'email', value: 'a..b@example.com' },
    ];
    const resolutions = await resolver.resolve(queries);
    expect(resolutions.map((r) => r.contact?.contactId ?? null)).toEqual([contactId(1), null, null, null]);
    expect(resolutions.map((r) => r.identifierRefused ?? false)).toEqual([false, true, true, true]);
  });

  it('treats a binned contact like a deleted one: not found', async () => {
    const resolver = createContactResolver(client, { resolution: 'lookup' }, captureLogger().logger);
    const [binned] = await resolver.resolve([{ kind: 'contactId', value: String(contactId(5)) }]);
    expect(binned).toEqual({ contact: null });
  });

  it('reads a program with an unknown status and a null name', async () => {
    const programs = await client.listPrograms();
    expect(programs.find((p) => p.id === 1099)).toMatchObject({
      name: null,
      status: 'NotAvailableInThisVersion',
    });
    expect(programs.filter((p) => p.status === 'Active').map((p) => p.id)).toEqual([1001, 1002]);
  });
});

describe('against a scripted server', () => {
  it('accepts an enrolment whose answer carries only its id', async () => {
    const server = await startScriptedServer((request) =>
      request.url.startsWith('/v2/programs/enrolments')
        ? { status: 201, body: { id: 'b0ff06d6-af04-4af8-a299-51bcbad94c1c', status: 'SomethingNew' } }
        : { status: 404, body: {} },
    );
    const client = await createDotdigitalClient(
      testConfig({ apiUser: SAMPLE.apiUser, password: SAMPLE.password, region: 'r1', baseUrl: server.url }),
      { logger: captureLogger().logger, retry: FAST_RETRY },
    );
    try {
      const enrolment = await client.createEnrolment({ programId: 1002, contacts: [1] });
      expect(enrolment).toMatchObject({ id: 'b0ff06d6-af04-4af8-a299-51bcbad94c1c', programId: 1002 });
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('region auto with base_url', () => {
  const plan = {
    kind: 'discover' as const,
    discoveryUrl: 'http://127.0.0.1:8080',
    trustedOrigin: 'http://127.0.0.1:8080',
  };

  it.each(['https://r1-api.dotdigital.com/', 'https://r2-api.dotmailer.com/'])(
    'keeps using base_url when account-info reports %s',
    (endpoint) => {
      expect(resolveDiscoveredBaseUrl(endpoint, plan)).toBe('http://127.0.0.1:8080');
    },
  );

  it('accepts the legacy dotmailer.com hosts without base_url', () => {
    const discover = { kind: 'discover' as const, discoveryUrl: 'https://r1-api.dotdigital.com' };
    expect(resolveDiscoveredBaseUrl('https://r1-api.dotmailer.com/', discover)).toBe(
      'https://r1-api.dotmailer.com',
    );
    expect(regionOfBaseUrl('https://r3-api.dotmailer.com')).toBe('r3');
  });
});

describe('errors translated by the endpoint they came from', () => {
  const apiError = (status: number, code: string | undefined, endpoint: string) =>
    new DotdigitalApiError(status, code, endpoint, `HTTP ${status}`);
  const duringWrite = { doing: 'enrol contacts into program 77', programId: 77 };

  it.each([
    ['GET /contacts/v3/import/{importId}', 'contacts:importNotFound'],
    ['GET /v2/address-books/{id}', 'ERROR_ADDRESSBOOK_NOT_FOUND'],
    ['GET /contacts/v3/{identifier}/{value}', 'contacts:somethingElse'],
  ])('a 404 from %s is not "program not found"', (endpoint, code) => {
    const translated = translateDotdigitalError(apiError(404, code, endpoint), duringWrite) as Error;
    expect(translated).toBeInstanceOf(TransientError);
    expect(translated.message).not.toContain('does not exist');
    expect(translated.message).toContain(endpoint);
  });

  it('a full account list limit is a config error that says so', () => {
    const translated = translateDotdigitalError(
      apiError(400, 'ERROR_ADDRESSBOOK_LIMITEXCEEDED', 'POST /v2/address-books'),
      duringWrite,
    ) as Error;
    expect(translated).toBeInstanceOf(ConfigError);
    expect(translated.message).toContain('limit of lists');
    expect(translated.message).toContain('enrolment_mode');
  });

  it('a wrong region is named as such, not as a missing permission', () => {
    const translated = translateDotdigitalError(
      apiError(403, 'ERROR_ACCOUNT_INVALID', 'GET /v2/programs/{id}'),
      {
        ...duringWrite,
        regionSetByHand: true,
      },
    ) as Error;
    expect(translated).toBeInstanceOf(ConfigError);
    expect(translated.message).toContain('region');
    expect(translated.message).not.toContain('Programs permission');
  });
});
