/**
 * Crash and resume: one sync is killed with SIGKILL at many seeded moments (resolution, an accepted
 * enrolment not yet echoed, polling, list staging, after some states), and each time re-run from the last
 * state it echoed, as the platform does. At the end the emulator must show every valid contact enrolled
 * exactly once, every invalid record reported with its reason, each echoed state's destinationStats
 * exact, and no staging list left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { mixedAudience, replayAfter, seededRandom, type Message } from './support/audience.js';
import { reliabilityEmulator, stagingLists } from './support/emulator.js';
import { expectEnrolledExactlyOnce, expectRejectionsReported, expectStatesTrue } from './support/outcomes.js';
import { drawKillPoints } from './support/kill-points.js';
import { startSync, until } from './support/sync-process.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const scenarios = [
  // Look-ups one by one give resolution many moments to be killed in; list mode walks the listing.
  {
    mode: 'contacts' as const,
    seed: 20251,
    processingMs: 60_000,
    kills: 8,
    config: { enrolment_mode: 'contacts', resolution: 'lookup' },
  },
  {
    mode: 'list' as const,
    seed: 7331,
    // Longer than a re-run takes, so a re-run meets the killed attempt's enrolment still processing.
    processingMs: 300_000,
    kills: 5,
    config: { enrolment_mode: 'list', resolution: 'auto' },
  },
];

describe('crash and resume (kill -9 at seeded points, re-run from the last echoed state)', () => {
  it.each(scenarios)(
    '$mode mode, seed $seed: every valid contact enrolled exactly once, every invalid one reported',
    async ({ mode, seed, kills, config, processingMs }) => {
      emu = await reliabilityEmulator({
        // Processing takes 60 or 300 emulated seconds (0.6 or 3 s real): long enough for kills to land
        // while an enrolment is accepted but not finished, short enough for the suite.
        settings: { enrolmentProcessingMs: processingMs, importProcessingMs: 60_000 },
      });
      // A few real milliseconds per call, so a condition polled every 2 ms catches the sync mid-step.
      emu.control.setFaults({ latencyMs: 3 });
      const random = seededRandom(seed);
      const audience = mixedAudience({ valid: 180, invalid: 40, stateEvery: 12, seed });
      const plan = drawKillPoints(mode, kills, random);
      const attemptConfig = { ...config, max_allowance_wait_minutes: 0 };

      const echoed: Message[] = [];
      const rejected: { record: Record<string, unknown>; reason: string }[] = [];
      const killedAt: string[] = [];
      let lastEchoedId: unknown = undefined;
      let finished = false;
      for (let attempt = 0; attempt < plan.length + 3 && !finished; attempt++) {
        const input = replayAfter(audience.input, lastEchoedId);
        // The allowance is not what this test is about: each attempt starts with the hour's calls unspent.
        emu.control.resetAllowance();
        const sync = startSync(emu, attemptConfig);
        const point = plan[attempt];
        const condition = point?.arm(emu, sync);
        void sync.send(input).then(() => sync.end());
        let killed = false;
        if (condition) {
          let exited = false;
          void sync.ended.then(() => (exited = true));
          await until(() => exited || condition(), 60_000, `kill point "${point!.label}"`);
          if (!exited) {
            sync.kill('SIGKILL');
            killed = true;
            killedAt.push(point!.label);
          }
        }
        const ended = await sync.ended;
        expect(sync.leakedSecrets()).toEqual([]);
        const states = sync.states();
        echoed.push(...states);
        rejected.push(...sync.rejectedRecords());
        if (states.length > 0) lastEchoedId = states.at(-1)!.id;
        if (!killed) {
          expect(sync.errors(), sync.stderr).toEqual([]);
          expect(ended.code).toBe(0);
          finished = lastEchoedId === audience.stateCount;
        }
      }
      expect(finished).toBe(true);
      // Most of the drawn kill points landed before the sync could finish on its own.
      expect(killedAt.length, `killed: ${killedAt.join('; ')}`).toBeGreaterThanOrEqual(Math.ceil(kills / 2));

      await expectEnrolledExactlyOnce(emu, audience);
      expectRejectionsReported(audience, rejected);
      expectStatesTrue(audience, echoed);
      expect(stagingLists(emu)).toEqual([]);
    },
    240_000,
  );
});
