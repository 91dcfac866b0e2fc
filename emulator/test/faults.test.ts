/**
 * Fault injection, as start-up settings and at run time through PUT /_emulator/faults: shares of 5xx and 429
 * answers, connections reset before and after processing, added latency and spikes, and the switch that keeps
 * asynchronous work from ever finishing. Faults come from a seeded generator, so the shares below are exact
 * for a given seed and call sequence; the bounds are loose only so a change of generator does not break them.
 */
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { expectV2Error, expectV3Error } from './support/errors.js';
import { call, header } from './support/http.js';
import { finishEnrolment, users, useEmulator, type TestEmulator } from './support/emulator.js';
import { PROGRAM } from './support/fixture.js';

const LOOKUP = 'GET /contacts/v3/{identifier}/{value}';
const ENROL_ENDPOINT = 'POST /v2/programs/enrolments';

/** Dropped connections would otherwise poison the shared keep-alive pool used by the other tests. */
const dropAgent = new Agent({ pipelining: 0, keepAliveTimeout: 1 });
afterAll(async () => {
  await dropAgent.close();
});

async function lookupStatuses(t: TestEmulator, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++)
    statuses.push((await t.api.get(`/contacts/v3/contactId/${(i % 60) + 1}`)).status);
  return statuses;
}

async function reset(t: TestEmulator): Promise<void> {
  await t.control.raw('DELETE', '/faults');
  await t.control.resetRateLimits();
}

describe('faults set at run time', () => {
  const emulator = useEmulator({ settings: { rateLimitMode: 'off' } });

  it('answers a share of calls with 5xx in the error envelope of each API', async () => {
    const t = emulator();
    await reset(t);
    await t.control.setFaults({ errorRate: 0.3, seed: 42 });
    const statuses = await lookupStatuses(t, 300);
    const errors = statuses.filter((status) => status >= 500).length;
    expect(errors).toBeGreaterThan(300 * 0.15);
    expect(errors).toBeLessThan(300 * 0.45);
    expect(statuses.every((status) => status === 200 || status >= 500)).toBe(true);

    await t.control.setFaults({ errorRate: 1 });
    const v3 = await t.api.get('/contacts/v3/contactId/1');
    expect(v3.status).toBeGreaterThanOrEqual(500);
    expect(v3.json).toMatchObject({ errorCode: expect.any(String), description: expect.any(String) });
    const v2 = await t.api.get('/v2/programs');
    expect(v2.status).toBeGreaterThanOrEqual(500);
    expect((v2.json as { message: string }).message).toMatch(/^Error: ERROR_/);
    await reset(t);
    expect(await lookupStatuses(t, 20)).toEqual(Array(20).fill(200));
  });

  it('repeats the same fault sequence for the same seed', async () => {
    const t = emulator();
    await reset(t);
    await t.control.setFaults({ errorRate: 0.5, seed: 7 });
    const first = await lookupStatuses(t, 40);
    await t.control.setFaults({ seed: 8 });
    await t.control.setFaults({ seed: 7 });
    const second = await lookupStatuses(t, 40);
    expect(second).toEqual(first);
    await reset(t);
  });

  it('answers a share of calls with 429 and rate-limit headers', async () => {
    const t = emulator();
    await reset(t);
    await t.control.setFaults({ rateLimitRate: 0.25, seed: 3 });
    const statuses = await lookupStatuses(t, 300);
    const limited = statuses.filter((status) => status === 429).length;
    expect(limited).toBeGreaterThan(300 * 0.1);
    expect(limited).toBeLessThan(300 * 0.4);

    await t.control.setFaults({ rateLimitRate: 1 });
    const response = await t.api.get('/contacts/v3/contactId/1');
    expectV3Error(response, 429);
    expect(header(response, 'x-ratelimit-remaining')).toBe('0');
    expectV2Error(await t.api.get('/v2/programs'), 429, undefined, { unregisteredCodeAllowed: true });
    await reset(t);
  });

  it('limits random faults to the endpoints named', async () => {
    const t = emulator();
    await reset(t);
    await t.control.setFaults({ errorRate: 1, endpoints: [ENROL_ENDPOINT] });
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(200);
    expect(
      (await t.api.post('/v2/programs/enrolments', { programId: PROGRAM.everyTime, contacts: [1] })).status,
    ).toBe(503);
    await reset(t);
  });

  it('resets the connection before processing: the client gets no answer and nothing happens', async () => {
    const t = emulator();
    await reset(t);
    await t.control.resetAllowance();
    const before = (await t.control.enrolmentCalls()).length;
    await t.control.setFaults({ dropRate: 1, endpoints: [ENROL_ENDPOINT] });
    await expect(
      call(t.emu.regionUrl('r2'), 'POST', '/v2/programs/enrolments', {
        auth: users.MAIN,
        body: { programId: PROGRAM.everyTime, contacts: [2] },
        dispatcher: dropAgent,
      }),
    ).rejects.toThrow();
    expect((await t.control.enrolmentCalls()).length).toBe(before);
    const logged = (await t.control.requests()).filter((entry) => entry.endpoint === ENROL_ENDPOINT).at(-1);
    expect(logged).toMatchObject({ status: 0, fault: 'drop' });
    await reset(t);
  });

  it('resets the connection mid-response: the client gets no complete answer but the call took effect', async () => {
    const t = emulator();
    await reset(t);
    await t.control.resetAllowance();
    const before = (await t.control.enrolmentCalls()).length;
    await t.control.setFaults({ dropMidResponseRate: 1, endpoints: [ENROL_ENDPOINT] });
    await expect(
      call(t.emu.regionUrl('r2'), 'POST', '/v2/programs/enrolments', {
        auth: users.MAIN,
        body: { programId: PROGRAM.everyTime, contacts: [3] },
        dispatcher: dropAgent,
      }),
    ).rejects.toThrow();
    expect((await t.control.enrolmentCalls()).length).toBe(before + 1);
    await reset(t);
  });

  it('injects queued faults for the next matching calls, in order', async () => {
    const t = emulator();
    await reset(t);
    await t.control.setFaults({
      queue: [
        { kind: 'status', status: 502, endpoint: LOOKUP },
        { kind: 'status', status: 429, endpoint: LOOKUP },
      ],
    });
    expect((await t.api.get('/v2/programs')).status).toBe(200);
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(502);
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(429);
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(200);
  });

  it('adds latency and latency spikes', async () => {
    // A lower bound only: the emulator must hold the answer back at least this long. Upper bounds would
    // depend on the machine and belong in bench/.
    const t = emulator();
    await reset(t);
    await t.control.clearRequests();
    await t.control.setFaults({ latencyMs: 120 });
    await t.api.get('/contacts/v3/contactId/1');
    await t.control.setFaults({ latencyMs: 0, latencySpikeRate: 1, latencySpikeMs: 250 });
    await t.api.get('/contacts/v3/contactId/2');
    await reset(t);
    const [steady, spiked] = (await t.control.requests()).filter(
      (entry) => entry.endpoint === LOOKUP,
    ) as unknown as {
      durationMs: number;
    }[];
    expect(steady!.durationMs).toBeGreaterThanOrEqual(115);
    expect(spiked!.durationMs).toBeGreaterThanOrEqual(245);
  });

  it('adds a transfer cost per KiB of the answer on top of the latency', async () => {
    // A lower bound only, as above: the answer is held back at least its size times the per-KiB cost.
    const t = emulator();
    await reset(t);
    await t.control.clearRequests();
    await t.control.setFaults({ latencyPerKbMs: 2 });
    const page = await t.api.get('/contacts/v3?limit=200');
    await reset(t);
    expect(page.status, page.text).toBe(200);
    const [entry] = (await t.control.requests()).filter(
      (e) => e.endpoint === 'GET /contacts/v3',
    ) as unknown as {
      durationMs: number;
    }[];
    const kib = Buffer.byteLength(page.text) / 1024;
    expect(kib).toBeGreaterThan(20);
    expect(entry!.durationMs).toBeGreaterThanOrEqual(2 * kib - 1);
  });

  it('keeps enrolments Processing and imports NotFinished while "processing never finishes" is on', async () => {
    const t = emulator();
    await reset(t);
    await t.control.resetAllowance();
    await t.control.setFaults({ processingNeverFinishes: true });
    const created = await t.api.post('/v2/programs/enrolments', {
      programId: PROGRAM.everyTime,
      contacts: [4],
    });
    const id = (created.json as { id: string }).id;
    const imported = await t.api.put('/contacts/v3/import', {
      contacts: [{ matchIdentifier: 'contactId', identifiers: { contactId: 4 }, lists: [7001] }],
    });
    const importId = (imported.json as { importId: string }).importId;
    await t.control.advance(24 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(((await t.api.get(`/v2/programs/enrolments/${id}`)).json as { status: string }).status).toBe(
      'Processing',
    );
    expectV2Error(
      await t.api.get(`/v2/programs/enrolments/${id}/report-faults`),
      400,
      'ERROR_ENROLMENT_IS_PROCESSING',
    );
    expect(((await t.api.get(`/contacts/v3/import/${importId}`)).json as { status: string }).status).toBe(
      'NotFinished',
    );

    await t.control.setFaults({ processingNeverFinishes: false });
    await finishEnrolment(t, id);
    expect((await t.api.get(`/v2/programs/enrolments/${id}/report-faults`)).status).toBe(200);
  });
});

describe('faults set at start-up', () => {
  const emulator = useEmulator({
    settings: { rateLimitMode: 'off', faults: { errorRate: 1, errorStatus: 500 } },
  });

  it('applies them from the first call and reports them through GET /_emulator/faults', async () => {
    const t = emulator();
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(500);
    expect(await t.control.faults()).toMatchObject({ errorRate: 1, errorStatus: 500 });
    await reset(t);
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(200);
  });
});
