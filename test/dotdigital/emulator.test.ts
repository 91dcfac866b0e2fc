/**
 * The client against the Dotdigital emulator over real HTTP: every endpoint function, region discovery (the
 * sample account lives on r2), credentials, and faults injected through the emulator's control API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  SAMPLE,
  generatedEmail,
  generatedMobile,
  type RunningEmulator,
} from '../../emulator/src/index.js';
import { AmbiguousEnrolmentError, createDotdigitalClient } from '../../src/dotdigital/client.js';
import { DotdigitalApiError, type DotdigitalClient, type Enrolment } from '../../src/dotdigital/types.js';
import type { ConnectorConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/protocol/errors.js';
import { captureLogger, FAST_RETRY, testConfig } from './support/fixtures.js';

/** Contact ids of the sample account follow its generator: ordinal n has id 100000 + n. */
const contactId = (n: number): number => SAMPLE.firstContactId + n - 1;

let emulator: RunningEmulator;
let client: DotdigitalClient;

function sampleConfig(overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return testConfig({
    apiUser: SAMPLE.apiUser,
    password: SAMPLE.password,
    region: 'auto',
    baseUrl: emulator.url,
    ...overrides,
  });
}

async function newClient(
  overrides: Partial<ConnectorConfig> = {},
  maxAttempts = FAST_RETRY.maxAttempts,
): Promise<DotdigitalClient> {
  return createDotdigitalClient(sampleConfig(overrides), {
    logger: captureLogger().logger,
    retry: { ...FAST_RETRY, maxAttempts },
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the emulator never got there');
}

beforeAll(async () => {
  // Emulated time runs 100× faster so processing delays and rate windows pass quickly.
  emulator = await startEmulator({ timeScale: 100 });
  client = await newClient();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

beforeEach(() => {
  emulator.control.resetFaults();
  emulator.control.resetAllowance();
});

describe('region and credentials', () => {
  it('discovers the sample account on r2 through account-info at the base URL', async () => {
    expect(SAMPLE.region).toBe('r2');
    expect(client.baseUrl).toBe(emulator.regionUrl('r2'));
    const info = await client.accountInfo();
    expect(info.region).toBe('r2');
    expect(info.apiEndpoint).toBe(emulator.regionUrl('r2'));
    expect(Object.keys(info.properties)).toContain('ApiEndpoint');
  });

  it('uses an explicit region URL as given', async () => {
    const r2 = await newClient({ region: 'r2', baseUrl: emulator.regionUrl('r2') });
    try {
      expect(r2.baseUrl).toBe(emulator.regionUrl('r2'));
      await expect(r2.getProgram(1001)).resolves.toMatchObject({ id: 1001, status: 'Active' });
    } finally {
      await r2.close();
    }
  });

  it('gets 403 from another region', async () => {
    const r1 = await newClient({ region: 'r1', baseUrl: emulator.regionUrl('r1') });
    try {
      await expect(r1.listPrograms()).rejects.toMatchObject({ status: 403 });
    } finally {
      await r1.close();
    }
  });

  it('turns a wrong password into a ConfigError during discovery', async () => {
    const error = await newClient({ password: 'not-the-password' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(`${(error as Error).message} ${(error as ConfigError).internalMessage}`).not.toContain(
      'not-the-password',
    );
  });

  it('reports the missing Programs permission as a 403', async () => {
    const limited = await newClient({
      apiUser: SAMPLE.noProgramsApiUser,
      password: SAMPLE.noProgramsPassword,
    });
    try {
      const error = await limited.listPrograms().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DotdigitalApiError);
      expect(error).toMatchObject({ status: 403, endpoint: 'GET /v2/programs' });
    } finally {
      await limited.close();
    }
  });
});

describe('programs', () => {
  it('lists every program', async () => {
    const programs = await client.listPrograms();
    expect(programs.map((p) => [p.id, p.status])).toEqual(
      expect.arrayContaining([
        [1001, 'Active'],
        [1002, 'Active'],
        [1003, 'Draft'],
        [1004, 'Deactivated'],
        [1005, 'ReadOnly'],
      ]),
    );
  });

  it('gets one program, and a 404 for an unknown one', async () => {
    await expect(client.getProgram(1001)).resolves.toMatchObject({
      id: 1001,
      name: 'Welcome journey',
      status: 'Active',
    });
    await expect(client.getProgram(999_999)).rejects.toMatchObject({
      status: 404,
      code: 'ERROR_PROGRAM_NOT_FOUND',
    });
  });
});

describe('contacts', () => {
  it('finds a contact by email, mobile number and contact ID', async () => {
    const byEmail = await client.getContact('email', generatedEmail(2));
    expect(byEmail).toMatchObject({
      contactId: contactId(2),
      status: 'subscribed',
      email: generatedEmail(2),
    });
    await expect(client.getContact('mobileNumber', generatedMobile(2))).resolves.toMatchObject({
      contactId: contactId(2),
    });
    await expect(client.getContact('contactId', String(contactId(2)))).resolves.toMatchObject({
      email: generatedEmail(2),
    });
  });

  it('reads channel statuses', async () => {
    await expect(client.getContact('contactId', String(contactId(11)))).resolves.toMatchObject({
      status: 'unsubscribed',
      emailStatus: 'unsubscribed',
    });
  });

  it('answers null for an unknown contact', async () => {
    await expect(client.getContact('email', 'nobody-at-all@example.org')).resolves.toBeNull();
  });

  it('pages through every contact in ascending order', async () => {
    const ids: number[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await client.listContacts({ limit: 1000, ...(marker === undefined ? {} : { marker }) });
      ids.push(...page.contacts.map((c) => c.contactId));
      marker = page.nextMarker;
      pages += 1;
    } while (marker !== undefined && pages < 10);
    expect(ids).toHaveLength(SAMPLE.contacts);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(contactId(1));
  });
});

describe('enrolments', () => {
  async function finished(id: string): Promise<Enrolment> {
    return until(
      () => client.getEnrolment(id),
      (e) => e.status === 'Finished',
    );
  }

  it('enrols contacts, follows the enrolment and reads its fault report', async () => {
    const contacts = [contactId(2), contactId(11), contactId(12)];
    const created = await client.createEnrolment({ programId: 1002, contacts });
    expect(created).toMatchObject({ programId: 1002, status: 'Processing' });
    const done = await finished(created.id);
    expect(done.id).toBe(created.id);
    const faults = await client.getEnrolmentFaults(created.id);
    expect(faults.map((f) => f.contactId)).toEqual([contactId(11)]);
    expect(faults[0]!.reason).not.toBe('');
    const state = emulator.control.enrolmentState(1002);
    expect(state.contacts.find((c) => c.contactId === contactId(2))?.count).toBeGreaterThanOrEqual(1);
  });

  it('lists enrolments by status', async () => {
    const created = await client.createEnrolment({ programId: 1002, contacts: [contactId(3)] });
    await finished(created.id);
    const listed: Enrolment[] = [];
    for (let skip = 0; ; skip += 100) {
      const { enrolments: page } = await client.listEnrolmentsByStatus('Finished', { select: 100, skip });
      listed.push(...page);
      if (page.length < 100) break;
    }
    expect(listed.map((e) => e.id)).toContain(created.id);
  });

  it('says the fault report is not ready while the enrolment is processing', async () => {
    emulator.control.setFaults({ processingNeverFinishes: true });
    const created = await client.createEnrolment({ programId: 1002, contacts: [contactId(4)] });
    await expect(client.getEnrolmentFaults(created.id)).rejects.toMatchObject({
      code: 'ERROR_ENROLMENT_IS_PROCESSING',
    });
    emulator.control.setFaults({ processingNeverFinishes: false });
  });

  it('surfaces Dotdigital refusals with their codes', async () => {
    await expect(client.createEnrolment({ programId: 1002, contacts: [42] })).rejects.toMatchObject({
      code: 'ERROR_CONTACT_NOT_FOUND',
    });
    await expect(client.createEnrolment({ programId: 1003, contacts: [contactId(5)] })).rejects.toMatchObject(
      {
        status: 422,
        code: 'ERROR_PROGRAM_NOT_ACTIVE',
      },
    );
  });

  it('does not repeat an enrolment call whose connection dropped', async () => {
    const before = emulator.control.enrolmentCalls().length;
    emulator.control.setFaults({
      queue: [{ kind: 'dropMidResponse', endpoint: 'POST /v2/programs/enrolments' }],
    });
    const error = await client
      .createEnrolment({ programId: 1002, contacts: [contactId(6)] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousEnrolmentError);
    // Dropped after processing: Dotdigital did accept it, exactly once.
    expect(emulator.control.enrolmentCalls().length).toBe(before + 1);
  });
});

describe('lists and imports', () => {
  it('creates a list, fills it by import, reads its members and deletes it', async () => {
    const name = `client-test-${Date.now()}`;
    const book = await client.createAddressBook(name, 'Private');
    expect(book).toMatchObject({ name, visibility: 'Private', contacts: 0 });

    const page = await client.listAddressBooks({ select: 1000, skip: 0 });
    expect(page.map((b) => b.id)).toContain(book.id);

    const members = [contactId(20), contactId(22), contactId(23)];
    const importId = await client.startContactImport([...members, 99_999_999], book.id);
    const status = await until(
      () => client.getContactImport(importId),
      (s) => s.status === 'Finished',
    );
    expect(status.failures.map((f) => f.contactId)).toEqual([99_999_999]);
    expect(status.failures[0]!.failureReason).not.toBe('');

    const ids = await client.listAddressBookContactIds(book.id, { select: 1000, skip: 0 });
    expect([...ids].sort()).toEqual(members);

    await client.deleteAddressBook(book.id);
    const after = await client.listAddressBooks({ select: 1000, skip: 0 });
    expect(after.map((b) => b.id)).not.toContain(book.id);
  });
});

describe('faults and rate limits', () => {
  it('retries through injected 5xx, 429 and dropped connections', async () => {
    const c = await newClient({}, 5);
    try {
      emulator.control.setFaults({
        queue: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 429 },
          { kind: 'drop' },
          { kind: 'dropMidResponse' },
        ],
      });
      await expect(c.getProgram(1001)).resolves.toMatchObject({ id: 1001 });
      expect(c.stats().retries).toBe(4);
      expect(c.stats().callsByEndpoint['GET /v2/programs/{id}']).toBe(5);
    } finally {
      await c.close();
    }
  });

  it('paces calls from the rate-limit headers instead of running into 429s', async () => {
    const paced = await startEmulator({
      timeScale: 60,
      settings: { rateLimits: { Low: 3, Medium: 3, High: 3 } },
    });
    const c = await createDotdigitalClient(
      testConfig({
        apiUser: SAMPLE.apiUser,
        password: SAMPLE.password,
        region: 'r2',
        baseUrl: paced.regionUrl('r2'),
      }),
      { logger: captureLogger().logger, retry: FAST_RETRY },
    );
    try {
      for (let i = 0; i < 7; i += 1) await c.getProgram(1001);
      // Parallel callers share the tier's remaining calls rather than each assuming it has them all.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => c.getContact('contactId', String(contactId(i + 1)))),
      );
      const counts = paced.control.counters().byEndpoint;
      const statuses = Object.values(counts).flatMap((row) => Object.keys(row));
      expect(statuses).not.toContain('429');
      expect(c.stats().retries).toBe(0);
      expect(c.stats().rateLimitWaitMs).toBeGreaterThan(0);
    } finally {
      await c.close();
      await paced.stop();
    }
  });
  it('waits out the legacy flat-rate ERROR_APIUSAGE_EXCEEDED and carries on', async () => {
    // An emulated hour passes in one real second.
    const legacy = await startEmulator({
      timeScale: 3600,
      settings: { rateLimitMode: 'legacy', legacyLimitPerHour: 3 },
    });
    const c = await createDotdigitalClient(
      testConfig({
        apiUser: SAMPLE.apiUser,
        password: SAMPLE.password,
        region: 'r2',
        baseUrl: legacy.regionUrl('r2'),
      }),
      {
        logger: captureLogger().logger,
        retry: { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 1000, maxTotalDelayMs: 60_000 },
        random: () => 0.999,
      },
    );
    try {
      for (let i = 0; i < 5; i += 1) await expect(c.getProgram(1001)).resolves.toMatchObject({ id: 1001 });
      expect(legacy.control.counters().byEndpoint['GET /v2/programs/{id}']?.['400']).toBeGreaterThan(0);
      expect(c.stats().retries).toBeGreaterThan(0);
    } finally {
      await c.close();
      await legacy.stop();
    }
  });
});
