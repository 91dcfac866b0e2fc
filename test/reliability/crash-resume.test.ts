/**
 * Crash and resume: a sync is killed with SIGKILL at seeded moments (resolution, an accepted enrolment
 * not yet echoed, polling, list staging, after some states) and re-run from the last echoed state, as
 * the platform does, or from the start (a lost state), in each mode and each way Dotdigital's enrolment
 * answers may name their members. Audiences hold mobile-only, email-only and suppressed contacts.
 * Nobody is lost anywhere; nobody is enrolled twice where the README promises it (answers that list
 * members), and elsewhere only within the residual risk the README states. A few seeded kills per
 * case here; bench/crash-sweep.sweep.ts runs 50+ per case and reports the figures.
 */
import { describe, expect, it } from 'vitest';
import { expectRejectionsReported, expectStatesTrue } from './support/outcomes.js';
import { runCrashScenario, type CrashScenario } from './support/crash-scenario.js';

const scenarios: CrashScenario[] = [
  { mode: 'contacts', answers: 'listed', restart: 'lastState', seed: 20251, kills: 3, again: true },
  { mode: 'contacts', answers: 'null', restart: 'start', seed: 20252, kills: 3, again: true },
  { mode: 'contacts', answers: 'empty', restart: 'lastState', seed: 20253, kills: 3, again: true },
  { mode: 'list', answers: 'listed', restart: 'start', seed: 7331, kills: 3, again: true },
  { mode: 'list', answers: 'null', restart: 'lastState', seed: 7332, kills: 3, again: true },
  { mode: 'list', answers: 'empty', restart: 'start', seed: 7333, kills: 3, again: true },
  { mode: 'auto', answers: 'listed', restart: 'lastState', seed: 4441, kills: 3, again: true },
  { mode: 'auto', answers: 'null', restart: 'start', seed: 4442, kills: 3, again: true },
  { mode: 'auto', answers: 'empty', restart: 'lastState', seed: 4443, kills: 3, again: true },
];

describe('crash and resume (kill -9 at seeded points, then re-run)', () => {
  it.each(scenarios)(
    '$mode mode, $answers answers, re-run from $restart, seed $seed: nobody lost, nobody doubled beyond the stated risk',
    async (scenario) => {
      const outcome = await runCrashScenario(scenario);

      expect(outcome.errors).toEqual([]);
      expect(outcome.finished).toBe(true);
      expect(outcome.killedAt.length, `killed: ${outcome.killedAt.join('; ')}`).toBeGreaterThanOrEqual(1);
      expect(outcome.lost).toEqual([]);
      if (scenario.answers === 'listed') expect(outcome.doubled).toEqual([]);
      else expect(outcome.doubled.filter((id) => !outcome.residual.has(id))).toEqual([]);
      expectRejectionsReported(outcome.audience, outcome.rejected);
      if (scenario.restart === 'lastState')
        expectStatesTrue(outcome.audience, outcome.echoed.slice(0, outcome.audience.stateCount));
      // Staged lists are left only by killed attempts (their lease has not passed yet).
      expect(outcome.listsLeft.staged).toBeLessThanOrEqual(outcome.killedAt.length);
    },
    240_000,
  );
});
