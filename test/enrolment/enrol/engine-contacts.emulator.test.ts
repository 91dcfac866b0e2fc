import { describe, expect, it } from 'vitest';
import type { SettingsPatch } from '../../../emulator/src/index.js';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { createEnrolmentEngine, type EnrolmentEngineOptions } from '../../../src/enrolment/enrol/index.js';
import { ConfigError, TransientError } from '../../../src/protocol/errors.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from './support/emulator-harness.js';

const UNKNOWN_CONTACT = 999_999_999;

const bed = engineTestBed();

/** A fresh emulator whose clock runs 100× fast, so processing (2 s emulated) takes 20 ms. */
async function setUp(
  options: {
    settings?: SettingsPatch;
    timeScale?: number;
    config?: Partial<ConnectorConfig>;
    programId?: number;
  } = {},
  engineOptions: EnrolmentEngineOptions = {},
) {
  const { emulator, client, config, logger, lines, clock } = await bed.start(options);
  const engine = createEnrolmentEngine(client, config, options.programId ?? 1002, logger, {
    clock,
    polling: { initialDelayMs: 500, maxDelayMs: 2000 },
    ...engineOptions,
  });
  return { emulator, client, config, logger, engine, clock, lines };
}

const ids = (ordinals: number[]) => ordinals.map(contactIdOf);

describe('contacts mode', () => {
  it('enrols a batch with one call, waits for Finished, and reports faults with Dotdigital reasons', async () => {
    // Processing long enough (300 ms real at 100×) that a loaded machine cannot finish it before the
    // first status check, which would leave nothing to wait for.
    const { emulator, engine, clock } = await setUp({ settings: { enrolmentProcessingMs: 30_000 } });
    // Ordinal 11 is unsubscribed in the sample account.
    const batch = [...ids(subscribedOrdinals(5)), contactIdOf(11)];

    const submitted = await engine.submit(batch);
    const confirmation = await engine.confirm(submitted, clock.now() + 10 * 60_000);

    expect(submitted).toMatchObject({ mode: 'contacts', contactIds: batch });
    expect(confirmation.finished).toBe(true);
    expect(confirmation.faults).toEqual([{ contactId: contactIdOf(11), reason: 'Unsubcribed' }]);
    const calls = emulator.control.enrolmentCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: submitted.enrolmentId, programId: 1002, contacts: batch });
    const state = emulator.control.enrolmentState(1002).contacts;
    expect(state.map((c) => c.contactId)).toEqual(ids(subscribedOrdinals(5)));
    expect(engine.stats().allowanceSpent).toBe(1);
    expect(engine.stats().processingWaitMs).toBeGreaterThan(0);
  });

  it('refuses more than 25 contacts in contacts mode', async () => {
    const { engine } = await setUp();
    await expect(engine.submit(ids(subscribedOrdinals(26)))).rejects.toThrow(/more contacts in one call/);
  });

  it('drops contacts deleted since resolution, enrols the rest, and reports them as contact_not_found', async () => {
    const { emulator, engine, clock } = await setUp();
    const batch = [...ids(subscribedOrdinals(3)), UNKNOWN_CONTACT];

    const submitted = await engine.submit(batch);
    const confirmation = await engine.confirm(submitted, clock.now() + 60_000);

    expect(submitted.contactIds).toEqual(ids(subscribedOrdinals(3)));
    expect(confirmation.faults).toEqual([{ contactId: UNKNOWN_CONTACT, reason: 'contact_not_found' }]);
    expect(emulator.control.enrolmentCalls()).toHaveLength(1);
    expect(engine.stats().allowanceSpent).toBe(1);
    expect(engine.stats().contactsDeletedBeforeEnrolment).toBe(1);
  });

  it('spends nothing when every contact of the batch is gone', async () => {
    const { emulator, engine, clock } = await setUp();
    const submitted = await engine.submit([UNKNOWN_CONTACT, UNKNOWN_CONTACT - 1]);
    const confirmation = await engine.confirm(submitted, clock.now());
    expect(confirmation).toEqual({
      finished: true,
      faults: [
        { contactId: UNKNOWN_CONTACT, reason: 'contact_not_found' },
        { contactId: UNKNOWN_CONTACT - 1, reason: 'contact_not_found' },
      ],
    });
    expect(emulator.control.enrolmentCalls()).toHaveLength(0);
    expect(engine.stats().allowanceSpent).toBe(0);
  });

  it.each([
    [1003, /Program 1003 is not Active/],
    [1004, /Program 1004 is not Active/],
    [4242, /Program 4242 does not exist/],
  ])('turns program %i refusing enrolments into a ConfigError that names it', async (programId, message) => {
    const { engine } = await setUp({ programId });
    const error = await engine.submit(ids(subscribedOrdinals(2))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('follows the program rules: a first-time-only program reports a repeat as a fault', async () => {
    const { engine, clock } = await setUp({ programId: 1001 });
    const batch = ids(subscribedOrdinals(2));
    await engine.confirm(await engine.submit(batch), clock.now() + 60_000);
    const again = await engine.confirm(await engine.submit(batch), clock.now() + 60_000);
    expect(again.faults.map((f) => f.contactId)).toEqual(batch);
    expect(again.faults.every((f) => f.reason.length > 0)).toBe(true);
  });
});

describe('an enrolment call without an answer', () => {
  it('is not sent twice when Dotdigital created the enrolment before the connection dropped', async () => {
    const { emulator, engine, clock, lines } = await setUp({
      settings: { enrolmentAnswerMembers: 'listed' },
    });
    emulator.control.setFaults({
      queue: [{ kind: 'dropMidResponse', endpoint: 'POST /v2/programs/enrolments' }],
    });
    const batch = ids(subscribedOrdinals(4));

    const submitted = await engine.submit(batch);

    const calls = emulator.control.enrolmentCalls();
    expect(calls).toHaveLength(1);
    expect(submitted.enrolmentId).toBe(calls[0]?.id);
    expect((await engine.confirm(submitted, clock.now() + 60_000)).finished).toBe(true);
    expect(engine.stats().allowanceSpent).toBe(1);
    expect(lines.some((l) => /lists the enrolment it created/.test(l.msg))).toBe(true);
  });

  it('is sent again when Dotdigital never saw it', async () => {
    const { emulator, engine, lines } = await setUp();
    emulator.control.setFaults({ queue: [{ kind: 'drop', endpoint: 'POST /v2/programs/enrolments' }] });
    const batch = ids(subscribedOrdinals(4));

    const submitted = await engine.submit(batch);

    const calls = emulator.control.enrolmentCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: submitted.enrolmentId, contacts: batch });
    expect(
      lines.some(
        (l) => l.level === 40 && /no answer names an enrolment for it; sending it again/.test(l.msg),
      ),
    ).toBe(true);
  });

  it('is sent again after several unanswered calls in a row, while the time budget lasts', async () => {
    const { emulator, engine } = await setUp();
    const drop = { kind: 'drop', endpoint: 'POST /v2/programs/enrolments' } as const;
    emulator.control.setFaults({ queue: [drop, drop, drop, drop, drop] });
    const batch = ids(subscribedOrdinals(4));

    const submitted = await engine.submit(batch);

    expect(emulator.control.enrolmentCalls()).toEqual([
      expect.objectContaining({ id: submitted.enrolmentId, contacts: batch }),
    ]);
  });

  it.each([
    ['null', 'drop'],
    ['null', 'dropMidResponse'],
    ['empty', 'drop'],
    ['empty', 'dropMidResponse'],
  ] as const)(
    'with %s members in the answers and a %s: sends the call again rather than take an unknown enrolment as its own, and reads "already in the program" of resent contacts as enrolled earlier',
    async (members, kind) => {
      // Program 1001 keeps a contact in its journey for 7 days, so a second enrolment is refused.
      const { emulator, engine, clock, client, config, logger } = await setUp({
        programId: 1001,
        settings: { enrolmentAnswerMembers: members },
      });
      // Another integration's enrolment of the program, just before: it is not the lost call's.
      const stranger = createEnrolmentEngine(client, config, 1001, logger, { clock });
      const strangers = ids(subscribedOrdinals(2, 700));
      await stranger.submit(strangers);
      emulator.control.setFaults({ queue: [{ kind, endpoint: 'POST /v2/programs/enrolments' }] });
      const batch = ids(subscribedOrdinals(3));

      const submitted = await engine.submit(batch);

      const calls = emulator.control.enrolmentCalls();
      expect(calls[0]?.contacts).toEqual(strangers);
      expect(calls.at(-1)).toMatchObject({ id: submitted.enrolmentId, contacts: batch });
      const confirmation = await engine.confirm(submitted, clock.now() + 120_000);
      expect(confirmation).toEqual({ finished: true, faults: [] });
      const counts = new Map(
        emulator.control.enrolmentState(1001).contacts.map((c) => [c.contactId, c.count]),
      );
      expect(batch.map((id) => counts.get(id))).toEqual([1, 1, 1]);
    },
  );
});

describe('confirm', () => {
  it('gives up at the deadline while Dotdigital is still processing, and finishes on a later call', async () => {
    const { emulator, engine, clock } = await setUp();
    emulator.control.setFaults({ processingNeverFinishes: true });
    const submitted = await engine.submit(ids(subscribedOrdinals(2)));

    const early = await engine.confirm(submitted, clock.now() + 5_000);
    expect(early).toEqual({ finished: false, faults: [] });
    expect(engine.stats().processingWaitMs).toBeGreaterThan(0);

    emulator.control.setFaults({ processingNeverFinishes: false });
    const later = await engine.confirm(submitted, clock.now() + 60_000);
    expect(later).toEqual({ finished: true, faults: [] });
  });
});

describe('recentlyEnrolled', () => {
  it("collects the program's recent enrolments' contacts, not other programs'", async () => {
    const { engine, clock, client, config, logger } = await setUp({
      settings: { enrolmentAnswerMembers: 'listed' },
    });
    const first = ids(subscribedOrdinals(3));
    await engine.confirm(await engine.submit(first), clock.now() + 60_000);
    const other = createEnrolmentEngine(client, config, 1001, logger, { clock });
    await other.submit(ids(subscribedOrdinals(2, 500)));

    const recent = await engine.recentlyEnrolled();

    expect([...recent].sort()).toEqual(first);
  });

  it('ignores enrolments older than the lookback', async () => {
    const { engine, clock, emulator } = await setUp({ config: { recentEnrolmentLookbackHours: 1 } });
    await engine.confirm(await engine.submit(ids(subscribedOrdinals(3))), clock.now() + 60_000);
    emulator.control.setClock({ advanceMs: 2 * 3_600_000 });
    expect((await engine.recentlyEnrolled()).size).toBe(0);
  });

  it('is off with a lookback of 0, without reading the enrolment listing', async () => {
    const { engine, clock, emulator } = await setUp({ config: { recentEnrolmentLookbackHours: 0 } });
    await engine.confirm(await engine.submit(ids(subscribedOrdinals(3))), clock.now() + 60_000);
    emulator.control.clearRequests();
    expect((await engine.recentlyEnrolled()).size).toBe(0);
    expect(emulator.control.counters().byEndpoint['GET /v2/programs/enrolments/{id|status}']).toBeUndefined();
  });

  it('warns what is not guaranteed when Dotdigital does not list the contacts of enrolments', async () => {
    const { engine, clock, lines } = await setUp({ settings: { enrolmentAnswerMembers: 'null' } });
    await engine.confirm(await engine.submit(ids(subscribedOrdinals(3))), clock.now() + 60_000);

    expect((await engine.recentlyEnrolled()).size).toBe(0);
    const warnings = lines.filter((l) => l.level === 40 && /may be enrolled again/.test(l.msg));
    expect(warnings).toHaveLength(1);
  });
});

describe('the hourly enrolment allowance', () => {
  it('ends with a TransientError saying when it frees up when no wait is allowed', async () => {
    const { engine, emulator } = await setUp({ settings: { enrolmentAllowancePerHour: 2 } });
    await engine.submit(ids(subscribedOrdinals(2)));
    await engine.submit(ids(subscribedOrdinals(2, 300)));

    const error = await engine.submit(ids(subscribedOrdinals(2, 600))).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toMatch(
      /allowance .* is used up; it frees up at about \d{4}-\d\d-\d\dT/,
    );
    expect((error as TransientError).message).toMatch(/continues from the last saved state/);
    expect(emulator.control.enrolmentCalls()).toHaveLength(2);
    expect(engine.stats().allowanceSpent).toBe(2);
  });

  it('waits for the window (at the emulator time scale) and then enrols, logging why it waits', async () => {
    const { engine, emulator, lines } = await setUp({
      timeScale: 3600,
      settings: { enrolmentAllowancePerHour: 2 },
      config: { maxAllowanceWaitSeconds: 2 * 3600 },
    });
    await engine.submit(ids(subscribedOrdinals(2)));
    await engine.submit(ids(subscribedOrdinals(2, 300)));

    const third = await engine.submit(ids(subscribedOrdinals(2, 600)));

    const calls = emulator.control.enrolmentCalls();
    expect(calls.map((c) => c.id)).toContain(third.enrolmentId);
    const firstAt = Date.parse(calls[0]!.dateCreated);
    const thirdAt = Date.parse(calls[2]!.dateCreated);
    expect(thirdAt - firstAt).toBeGreaterThanOrEqual(3_600_000);
    expect(engine.stats().allowanceWaitMs).toBeGreaterThan(0);
    expect(lines.some((l) => l.level === 30 && /allowance .* is used up; pausing/.test(l.msg))).toBe(true);
  });

  it('stops waiting as soon as the sync is stopped', async () => {
    const stop = new AbortController();
    const { engine, lines } = await setUp(
      { timeScale: 1, settings: { enrolmentAllowancePerHour: 1 }, config: { maxAllowanceWaitSeconds: 3600 } },
      { signal: stop.signal },
    );
    await engine.submit(ids(subscribedOrdinals(2)));

    const waiting = engine.submit(ids(subscribedOrdinals(2, 300)));
    while (!lines.some((l) => /is used up; pausing/.test(l.msg))) await new Promise((r) => setTimeout(r, 5));
    stop.abort(new Error('sync stopped'));

    await expect(waiting).rejects.toThrow('sync stopped');
    expect(engine.stats().allowanceSpent).toBe(1);
  });
});
