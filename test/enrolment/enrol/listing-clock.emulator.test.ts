/**
 * The enrolment listings date enrolments on Dotdigital's clock, and the connector compares those dates
 * with times on its own: the look-back at start-up and the search for an unanswered call's enrolment
 * must read them on one clock, however far apart the two run.
 */
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { systemClock, type Clock } from '../../../src/time/clock.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from './support/emulator-harness.js';

const bed = engineTestBed();
const HOUR = 3_600_000;
const ENROL = 'POST /v2/programs/enrolments';

const ids = (ordinals: number[]) => ordinals.map(contactIdOf);

/** How far Dotdigital's clock (the emulator's) runs ahead of the connector's; negative: behind. */
const skews = [
  ["3 h ahead of the connector's", 3 * HOUR],
  ["2 h behind the connector's", -2 * HOUR],
] as const;

/**
 * The connector's clock and the emulator's, `skew` apart, and a way to let time pass on both. The
 * emulator's clock only moves forward, so a Dotdigital behind is a connector clock ahead.
 */
function twoClocks(emulator: RunningEmulator, skew: number): { connector: Clock; pass(ms: number): void } {
  let shift = Math.max(0, -skew);
  if (skew > 0) emulator.control.setClock({ advanceMs: skew });
  return {
    connector: { now: () => Date.now() + shift, sleep: systemClock.sleep },
    pass(ms) {
      emulator.control.setClock({ advanceMs: ms });
      shift += ms;
    },
  };
}

describe.each(skews)("with Dotdigital's clock %s", (_, skew) => {
  it('the look-back counts an enrolment made minutes ago, and not one older than the look-back', async () => {
    const { emulator, client, config, logger } = await bed.start({
      timeScale: 1,
      settings: { enrolmentAnswerMembers: 'listed' },
      config: { recentEnrolmentLookbackHours: 1 },
    });
    const clocks = twoClocks(emulator, skew);
    const earlierRun = createEnrolmentEngine(client, config, 1002, logger, { clock: clocks.connector });
    await earlierRun.submit(ids(subscribedOrdinals(2)));
    clocks.pass(2 * HOUR);
    const recent = ids(subscribedOrdinals(2, 300));
    await earlierRun.submit(recent);
    clocks.pass(5 * 60_000);
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock: clocks.connector });

    const enrolled = await engine.recentlyEnrolled();

    expect([...enrolled].sort()).toEqual(recent);
  });

  it('an unanswered call takes the enrolment it created, and not an older one of the same contacts', async () => {
    const { emulator, client, config, logger } = await bed.start({
      timeScale: 1,
      settings: { enrolmentAnswerMembers: 'listed' },
    });
    const clocks = twoClocks(emulator, skew);
    const batch = ids(subscribedOrdinals(3));
    const earlierRun = createEnrolmentEngine(client, config, 1002, logger, { clock: clocks.connector });
    const older = await earlierRun.submit(batch);
    clocks.pass(2 * HOUR);
    const engine = createEnrolmentEngine(client, config, 1002, logger, { clock: clocks.connector });

    // Lost before Dotdigital saw it: the earlier run's enrolment of these contacts is not this call's.
    emulator.control.setFaults({ queue: [{ kind: 'drop', endpoint: ENROL }] });
    const resent = await engine.submit(batch);
    // Lost after Dotdigital created the enrolment: it is found, and the call not sent again.
    emulator.control.setFaults({ queue: [{ kind: 'dropMidResponse', endpoint: ENROL }] });
    const found = await engine.submit(ids(subscribedOrdinals(3, 300)));

    expect(emulator.control.enrolmentCalls().map((call) => call.id)).toEqual([
      older.enrolmentId,
      resent.enrolmentId,
      found.enrolmentId,
    ]);
  });
});
