/**
 * The account-wide allowance: Dotdigital counts 20 enrolment calls per rolling hour across every
 * integration of the account, and its enrolment listings show them all. The engine reads them
 * before each call, so it sends none the allowance would refuse, and two syncs share the hour.
 */
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import type { DotdigitalClient } from '../../../src/dotdigital/types.js';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { TransientError } from '../../../src/protocol/errors.js';
import { systemClock } from '../../../src/time/clock.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from './support/emulator-harness.js';

const bed = engineTestBed();
const ENROL = 'POST /v2/programs/enrolments';

function refusedEnrolmentCalls(emulator: RunningEmulator): number {
  const row = emulator.control.counters().byEndpoint[ENROL] ?? {};
  return Object.entries(row)
    .filter(([status]) => status !== '201')
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Another integration of the same account spends `units` of the hour (program 1001). */
async function otherIntegrationSpends(client: DotdigitalClient, units: number): Promise<void> {
  for (let i = 0; i < units; i++) {
    await client.createEnrolment({
      programId: 1001,
      contacts: [contactIdOf(subscribedOrdinals(1, 1000 + i * 3)[0]!)],
    });
  }
}

const batch = (from: number) => subscribedOrdinals(2, from).map(contactIdOf);

describe('the account-wide enrolment allowance', () => {
  it('sends no call when the listings show the hour spent by others, and says when a unit frees', async () => {
    const { emulator, client, config, logger, lines, clock } = await bed.start({
      config: { maxAllowanceWaitSeconds: 0 },
    });
    await otherIntegrationSpends(client, 20);
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock });

    const error = await engine.submit(batch(1)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toMatch(/frees up at about \d{4}-\d\d-\d\dT/);
    expect(refusedEnrolmentCalls(emulator)).toBe(0);
    expect(emulator.control.enrolmentCalls()).toHaveLength(20);
    expect(engine.stats().allowanceHeldByOthers).toBe(20);
    expect(
      lines.some((l) =>
        /listings show 20 of the 20 hourly enrolment calls spent \(20 by other .*frees at about/.test(l.msg),
      ),
    ).toBe(true);
  });

  it('waits until the unit others held frees, then enrols without a refused call', async () => {
    const { emulator, client, config, logger, clock } = await bed.start({
      timeScale: 3600,
      config: { maxAllowanceWaitSeconds: 2 * 3600 },
    });
    await otherIntegrationSpends(client, 19);
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock });

    const submitted = await engine.submit(batch(1));

    const calls = emulator.control.enrolmentCalls();
    const ours = calls.find((c) => c.id === submitted.enrolmentId)!;
    // 19 held by another integration: one more would leave none for it, so the sync waits for the oldest.
    expect(Date.parse(ours.dateCreated) - Date.parse(calls[0]!.dateCreated)).toBeGreaterThanOrEqual(
      3_600_000,
    );
    expect(refusedEnrolmentCalls(emulator)).toBe(0);
    expect(engine.stats().allowanceHeldByOthers).toBe(19);
  });

  it("reads the hour on Dotdigital's clock: a server clock hours ahead frees the units it no longer counts", async () => {
    const { emulator, client, config, logger } = await bed.start({
      timeScale: 1,
      config: { maxAllowanceWaitSeconds: 0 },
    });
    // Dotdigital's clock (the emulator's) runs 3 hours ahead of the sync's when the hour is spent,
    // and the hour then passes on it.
    emulator.control.setClock({ advanceMs: 3 * 3_600_000 });
    await otherIntegrationSpends(client, 20);
    emulator.control.setClock({ advanceMs: 3_600_000 + 1000 });
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock: systemClock });

    const submitted = await engine.submit(batch(1));

    expect(submitted.enrolmentId).toBeDefined();
    expect(emulator.control.enrolmentCalls()).toHaveLength(21);
    expect(refusedEnrolmentCalls(emulator)).toBe(0);
  });

  it('and still counts, whatever the two clocks say, the units spent inside the hour', async () => {
    const { emulator, client, config, logger } = await bed.start({
      timeScale: 1,
      config: { maxAllowanceWaitSeconds: 0 },
    });
    emulator.control.setClock({ advanceMs: 3 * 3_600_000 });
    await otherIntegrationSpends(client, 20);
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock: systemClock });

    const error = await engine.submit(batch(1)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    // On the sync's own clock: about an hour from now, not three hours later.
    const freesAt = Date.parse(/frees up at about (\S+) /.exec((error as TransientError).message)![1]!);
    expect(Math.abs(freesAt - (Date.now() + 3_600_000))).toBeLessThan(5 * 60_000);
    expect(emulator.control.enrolmentCalls()).toHaveLength(20);
    expect(refusedEnrolmentCalls(emulator)).toBe(0);
  });

  it("sends no call when the sync's clock runs hours ahead of Dotdigital's and the hour is spent there", async () => {
    const { emulator, client, config, logger } = await bed.start({
      timeScale: 1,
      config: { maxAllowanceWaitSeconds: 0 },
    });
    await otherIntegrationSpends(client, 20);
    const ahead = { now: () => Date.now() + 2 * 3_600_000, sleep: systemClock.sleep };
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock: ahead });

    const error = await engine.submit(batch(1)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect(refusedEnrolmentCalls(emulator)).toBe(0);
    expect(emulator.control.enrolmentCalls()).toHaveLength(20);
  });

  it('lets two syncs of one account share the hour: no refused call, neither starved', async () => {
    const { emulator, client, config, logger, clock } = await bed.start({
      timeScale: 3600,
      config: { maxAllowanceWaitSeconds: 3 * 3600 },
    });
    const a = createEnrolmentEngine(client, config, 1002, logger, { clock, syncId: 'a' });
    const b = createEnrolmentEngine(client, config, 1001, logger, { clock, syncId: 'b' });
    const run = async (engine: typeof a, from: number): Promise<number[]> => {
      const at: number[] = [];
      for (let i = 0; i < 15; i++) {
        await engine.submit(batch(from + i * 5));
        at.push(clock.now());
      }
      return at;
    };

    const [timesA, timesB] = await Promise.all([run(a, 1), run(b, 1500)]);

    expect(refusedEnrolmentCalls(emulator)).toBe(0);
    expect(emulator.control.enrolmentCalls()).toHaveLength(30);
    expect(a.stats().allowanceSpent).toBe(15);
    expect(b.stats().allowanceSpent).toBe(15);
    // 30 units at 20 an hour: both finish in the second hour, neither waits for the other to be done.
    const start = Date.parse(emulator.control.enrolmentCalls()[0]!.dateCreated);
    for (const times of [timesA, timesB]) {
      expect(times.at(-1)! - start).toBeLessThan(2 * 3_600_000);
      expect(times[5]! - start).toBeLessThan(3_600_000);
    }
  });
});
