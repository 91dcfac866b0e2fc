/**
 * Retry, error mapping and non-idempotent calls over real HTTP: a local server scripts 429s, 5xx, resets and
 * timeouts, and the client's behaviour is read from what the server received.
 */
import { describe, expect, it } from 'vitest';
import { AmbiguousEnrolmentError } from '../../src/dotdigital/client.js';
import { DotdigitalApiError, type DotdigitalClient } from '../../src/dotdigital/types.js';
import { ConfigError, TransientError } from '../../src/protocol/errors.js';
import { captureLogger, FAST_RETRY, testConfig, type CapturedLogger } from './support/fixtures.js';
import { scriptedClients } from './support/scripted-client.js';
import type { ScriptedReply } from './support/scripted-server.js';
import type { Clock } from '../../src/time/clock.js';

const PROGRAM = { id: 1001, name: 'Welcome journey', status: 'Active', dateCreated: '2020-01-01T09:40:18Z' };
const ENROLMENT = {
  id: 'b0ff06d6-af04-4af8-a299-51bcbad94c1c',
  programId: 1001,
  status: 'Processing',
  dateCreated: '2020-01-01T09:40:18Z',
  contacts: null,
  addressBooks: null,
};

const scripted = scriptedClients();
let log: CapturedLogger;

async function clientFor(
  script: ScriptedReply[] | ((index: number) => ScriptedReply),
  extra: { requestTimeoutMs?: number; retry?: Partial<typeof FAST_RETRY> } = {},
): Promise<DotdigitalClient> {
  log = captureLogger();
  return scripted.connect(
    (_request, index) =>
      typeof script === 'function'
        ? script(index)
        : (script[index] ?? { status: 500, body: { message: 'script ran out' } }),
    {
      logger: log.logger,
      retry: { ...FAST_RETRY, ...extra.retry },
      requestTimeoutMs: extra.requestTimeoutMs,
    },
  );
}

describe('the client waits on the clock it is given', () => {
  it('pauses for a Retry-After on that clock, not on the machine timers', async () => {
    // A benchmark's virtual clock must see every retry wait, or its time would miss them.
    const pauses: number[] = [];
    let now = Date.UTC(2026, 0, 1);
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        pauses.push(ms);
        now += ms;
      },
    };
    const c = await scripted.connect(
      (_request, index) =>
        index === 0 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 200, body: PROGRAM },
      { logger: captureLogger().logger, retry: FAST_RETRY, clock },
    );
    await expect(c.getProgram(1001)).resolves.toEqual(PROGRAM);
    expect(pauses).toEqual([30_000]);
  });
});

describe('reads are retried through transient failures', () => {
  it('retries 503 then succeeds, counting every attempt', async () => {
    const c = await clientFor([
      { status: 503, body: { message: 'busy' } },
      { status: 502 },
      { status: 200, body: PROGRAM },
    ]);
    await expect(c.getProgram(1001)).resolves.toEqual(PROGRAM);
    expect(scripted.server!.requests).toHaveLength(3);
    expect(c.stats().retries).toBe(2);
    expect(c.stats().callsByEndpoint).toEqual({ 'GET /v2/programs/{id}': 3 });
  });

  it('retries 429 and the legacy 400 ERROR_APIUSAGE_EXCEEDED', async () => {
    const c = await clientFor([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 400, body: { message: 'Error: ERROR_APIUSAGE_EXCEEDED' } },
      { status: 200, body: [PROGRAM] },
    ]);
    await expect(c.listPrograms()).resolves.toEqual([PROGRAM]);
    expect(scripted.server!.requests).toHaveLength(3);
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const c = await clientFor([
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: PROGRAM },
    ]);
    await c.getProgram(1001);
    const retryLine = log.lines().find((line) => line.nextAttemptInMs !== undefined);
    expect(retryLine?.nextAttemptInMs).toBeGreaterThanOrEqual(1000);
    expect(c.stats().rateLimitWaitMs).toBeGreaterThanOrEqual(1000);
  });

  it('retries connection resets, bodies cut short and timeouts', async () => {
    const c = await clientFor(
      [{ action: 'reset' }, { action: 'reset-mid-body' }, { action: 'hang' }, { status: 200, body: PROGRAM }],
      { requestTimeoutMs: 300 },
    );
    await expect(c.getProgram(1001)).resolves.toEqual(PROGRAM);
    expect(scripted.server!.requests).toHaveLength(4);
  });

  it('gives up after maxAttempts with an actionable transient error', async () => {
    const c = await clientFor(() => ({ status: 503 }), { retry: { maxAttempts: 3 } });
    const error = await c.getProgram(1001).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /^Dotdigital kept answering 503 to GET \/v2\/programs\/\{id\} after 3 attempts over \S+; try again later/,
    );
    expect(scripted.server!.requests).toHaveLength(3);
  });

  it('gives up at once when Retry-After asks for more than the total budget', async () => {
    const c = await clientFor(() => ({ status: 429, headers: { 'retry-after': '3600' } }), {
      retry: { maxTotalDelayMs: 10_000 },
    });
    await expect(c.getProgram(1001)).rejects.toBeInstanceOf(TransientError);
    expect(scripted.server!.requests).toHaveLength(1);
  });
});

describe('answers that are not retried', () => {
  it('maps a v2 error body to DotdigitalApiError with the route template', async () => {
    const c = await clientFor([{ status: 404, body: { message: 'Error: ERROR_PROGRAM_NOT_FOUND' } }]);
    const error = (await c.getProgram(999).catch((e: unknown) => e)) as DotdigitalApiError;
    expect(error).toBeInstanceOf(DotdigitalApiError);
    expect(error).toMatchObject({
      status: 404,
      code: 'ERROR_PROGRAM_NOT_FOUND',
      endpoint: 'GET /v2/programs/{id}',
    });
    expect(error.message).not.toContain('999');
    expect(scripted.server!.requests).toHaveLength(1);
  });

  it('turns 401 into a ConfigError that never shows the password', async () => {
    const c = await clientFor([
      { status: 401, body: { message: 'Authorization has been denied for this request.' } },
    ]);
    const error = (await c.listPrograms().catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/401/);
    expect(`${error.message} ${error.internalMessage} ${log.text()}`).not.toContain(testConfig().password);
    expect(log.text()).not.toMatch(/authorization|basic /i);
  });

  it('sends Basic auth built from the API user and password', async () => {
    const c = await clientFor([{ status: 200, body: PROGRAM }]);
    await c.getProgram(1001);
    const { apiUser, password } = testConfig();
    expect(scripted.server!.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${apiUser}:${password}`).toString('base64')}`,
    );
  });
});

describe('enrolment is not idempotent', () => {
  const request = { programId: 1001, contacts: [1, 2, 3] };

  it('creates an enrolment with a camelCase body', async () => {
    const c = await clientFor([{ status: 201, body: ENROLMENT }]);
    await expect(c.createEnrolment(request)).resolves.toEqual(ENROLMENT);
    expect(JSON.parse(scripted.server!.requests[0]!.body)).toEqual(request);
  });

  it.each<[string, ScriptedReply]>([
    ['a connection reset', { action: 'reset' }],
    ['a 503', { status: 503 }],
    ['a body cut short', { action: 'reset-mid-body' }],
  ])('does not repeat the call after %s but reports it as ambiguous', async (_name, reply) => {
    const c = await clientFor([reply, { status: 201, body: ENROLMENT }]);
    const error = (await c.createEnrolment(request).catch((e: unknown) => e)) as AmbiguousEnrolmentError;
    expect(error).toBeInstanceOf(AmbiguousEnrolmentError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.request).toEqual(request);
    expect(scripted.server!.requests).toHaveLength(1);
  });

  it('reports a timeout as ambiguous', async () => {
    const c = await clientFor([{ action: 'hang' }], { requestTimeoutMs: 200 });
    await expect(c.createEnrolment(request)).rejects.toBeInstanceOf(AmbiguousEnrolmentError);
    expect(scripted.server!.requests).toHaveLength(1);
  });

  it('retries 429 and ERROR_APIUSAGE_EXCEEDED, which are refused before any work', async () => {
    const c = await clientFor([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 400, body: { message: 'Error: ERROR_APIUSAGE_EXCEEDED' } },
      { status: 201, body: ENROLMENT },
    ]);
    await expect(c.createEnrolment(request)).resolves.toMatchObject({ id: ENROLMENT.id });
    expect(scripted.server!.requests).toHaveLength(3);
  });

  it('surfaces ERROR_ENROLMENT_ALLOWANCE_EXCEEDED as an API error, not a rate limit', async () => {
    const c = await clientFor([
      { status: 400, body: { message: 'Error: ERROR_ENROLMENT_ALLOWANCE_EXCEEDED' } },
    ]);
    const error = await c.createEnrolment(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DotdigitalApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED',
      endpoint: 'POST /v2/programs/enrolments',
    });
    expect(scripted.server!.requests).toHaveLength(1);
  });
});

describe('other writes are safe to repeat by design', () => {
  it('retries the v3 import after a reset (adding to a list twice is harmless)', async () => {
    const c = await clientFor([{ action: 'reset' }, { status: 202, body: { importId: 'imp-1' } }]);
    await expect(c.startContactImport([5, 6], 77)).resolves.toBe('imp-1');
    expect(scripted.server!.requests).toHaveLength(2);
    expect(JSON.parse(scripted.server!.requests[1]!.body)).toMatchObject({
      contacts: [
        { matchIdentifier: 'contactId', identifiers: { contactId: 5 }, lists: [77] },
        { matchIdentifier: 'contactId', identifiers: { contactId: 6 }, lists: [77] },
      ],
    });
  });

  it('finds an address book by name when its creation may have worked', async () => {
    const book = { id: 42, name: 'staging', visibility: 'Private', contacts: 0 };
    const c = await clientFor([
      { action: 'reset' },
      { status: 200, body: [{ id: 1, name: 'other', visibility: 'Public', contacts: 3 }, book] },
    ]);
    await expect(c.createAddressBook('staging', 'Private')).resolves.toEqual(book);
    expect(scripted.server!.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('creates the address book again when the lost attempt did not', async () => {
    const book = { id: 43, name: 'staging', visibility: 'Private', contacts: 0 };
    const c = await clientFor([{ status: 500 }, { status: 200, body: [] }, { status: 200, body: book }]);
    await expect(c.createAddressBook('staging', 'Private')).resolves.toEqual(book);
    expect(scripted.server!.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('keeps checking and asking again while the time budget lasts, not for a fixed number of rounds', async () => {
    const book = { id: 44, name: 'staging', visibility: 'Private', contacts: 0 };
    const lost: ScriptedReply[] = [];
    for (let round = 0; round < 5; round++) lost.push({ status: 503 }, { status: 200, body: [] });
    // The default policy has no attempt cap; only the time budget bounds the rounds.
    const c = await clientFor([...lost, { status: 200, body: book }], { retry: { maxAttempts: undefined } });
    await expect(c.createAddressBook('staging', 'Private')).resolves.toEqual(book);
    expect(scripted.server!.requests.filter((r) => r.method === 'POST')).toHaveLength(6);
  });

  it('counts a 404 after an uncertain delete as deleted', async () => {
    const c = await clientFor([
      { action: 'reset' },
      { status: 404, body: { message: 'Error: ERROR_ADDRESSBOOK_NOT_FOUND' } },
    ]);
    await expect(c.deleteAddressBook(42)).resolves.toBeUndefined();
  });

  it('still reports a 404 on a first delete attempt', async () => {
    const c = await clientFor([{ status: 404, body: { message: 'Error: ERROR_ADDRESSBOOK_NOT_FOUND' } }]);
    await expect(c.deleteAddressBook(42)).rejects.toMatchObject({
      status: 404,
      code: 'ERROR_ADDRESSBOOK_NOT_FOUND',
    });
  });
});

describe('lifecycle', () => {
  it('can be closed more than once', async () => {
    const c = await clientFor([{ status: 200, body: PROGRAM }]);
    await c.getProgram(1001);
    await c.close();
    await expect(c.close()).resolves.toBeUndefined();
  });

  it('keeps the connection alive between calls', async () => {
    const c = await clientFor(() => ({ status: 200, body: PROGRAM }));
    for (let id = 1; id <= 6; id += 1) await c.getProgram(id);
    const ports = new Set(scripted.server!.requests.map((r) => r.remotePort));
    expect(scripted.server!.requests).toHaveLength(6);
    // undici may open a second socket while the first is being handed back; it must not open one per call.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('passes the wait Dotdigital asks for with an exhausted enrolment allowance', async () => {
    const c = await clientFor([
      {
        status: 400,
        headers: { 'retry-after': '120' },
        body: { message: 'Error: ERROR_ENROLMENT_ALLOWANCE_EXCEEDED' },
      },
    ]);
    const error = (await c
      .createEnrolment({ programId: 1, contacts: [1] })
      .catch((e: unknown) => e)) as DotdigitalApiError;
    expect(error).toMatchObject({ code: 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED', retryAfterMs: 120_000 });
  });
});
