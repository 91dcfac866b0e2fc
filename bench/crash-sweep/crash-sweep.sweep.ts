/**
 * Crash sweep: the crash suite's scenario (test/reliability/support/crash-scenario.ts) at 50+ seeded
 * kill points per enrolment mode and per way Dotdigital's enrolment answers name their members,
 * re-running alternately from the last echoed state and from the start. Not a test: run it with
 * `npm run crash-sweep` (CRASH_KILLS=50 per case, CRASH_KILLS_PER_SYNC=6, CRASH_MODES=contacts,list,auto,
 * CRASH_ANSWERS=listed,null,empty, CRASH_FIRST_SEED=1). It writes kill points, lost, doubled (and how
 * many of those the README names as residual risk) and lists left per case to
 * bench/results/crash-sweep.json as it goes, and fails if anyone was lost or doubled beyond the stated risk.
 * CRASH_MODES and CRASH_ANSWERS pick the cases to run: their rows replace the file's rows for the same
 * cases and the other rows stay, so one case can be run again without running them all.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { EnrolmentAnswerMembers } from '../../emulator/src/settings.js';
import { runCrashScenario, type SyncMode } from '../../test/reliability/support/crash-scenario.js';

const KILLS = Number(process.env.CRASH_KILLS ?? 50);
const PER_SYNC = Number(process.env.CRASH_KILLS_PER_SYNC ?? 6);
const FIRST_SEED = Number(process.env.CRASH_FIRST_SEED ?? 1);
const MODES = (process.env.CRASH_MODES ?? 'contacts,list,auto').split(',') as SyncMode[];
const ANSWERS = (process.env.CRASH_ANSWERS ?? 'listed,null,empty').split(',') as EnrolmentAnswerMembers[];
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results', 'crash-sweep.json');

interface CaseResult {
  mode: SyncMode;
  answers: EnrolmentAnswerMembers;
  syncs: number;
  killPoints: number;
  killLabels: Record<string, number>;
  lost: number;
  doubled: number;
  doubledBeyondResidual: number;
  listsLeft: { enrolled: number; staged: number };
  unfinished: number[];
  seconds: number;
}

interface SweepFile {
  kills: number;
  perSync: number;
  firstSeed: number;
  results: CaseResult[];
}

/**
 * The rows of earlier runs, kept when this run covers other cases. Rows are comparable only when drawn
 * the same way, so a file written with other settings is refused rather than mixed with.
 */
function earlierRows(): CaseResult[] {
  if (!existsSync(OUT)) return [];
  const file = JSON.parse(readFileSync(OUT, 'utf8')) as SweepFile;
  if (file.kills !== KILLS || file.perSync !== PER_SYNC || file.firstSeed !== FIRST_SEED)
    throw new Error(
      `${OUT} holds a sweep with CRASH_KILLS=${file.kills} CRASH_KILLS_PER_SYNC=${file.perSync} ` +
        `CRASH_FIRST_SEED=${file.firstSeed}; run with the same settings, or move the file away to start afresh`,
    );
  return file.results;
}

/** This run's row in the place of an earlier row for the same case, else after the others. */
function withRow(rows: CaseResult[], row: CaseResult): CaseResult[] {
  const at = rows.findIndex((r) => r.mode === row.mode && r.answers === row.answers);
  return at < 0 ? [...rows, row] : rows.map((r, i) => (i === at ? row : r));
}

it(`crash sweep: ${KILLS}+ kill points per mode and answer mode`, async () => {
  let results = earlierRows();
  const failures: string[] = [];
  for (const mode of MODES) {
    for (const answers of ANSWERS) {
      const started = Date.now();
      const result: CaseResult = {
        mode,
        answers,
        syncs: 0,
        killPoints: 0,
        killLabels: {},
        lost: 0,
        doubled: 0,
        doubledBeyondResidual: 0,
        listsLeft: { enrolled: 0, staged: 0 },
        unfinished: [],
        seconds: 0,
      };
      for (let seed = FIRST_SEED; result.killPoints < KILLS; seed++) {
        const restart = seed % 2 === 0 ? 'start' : 'lastState';
        const outcome = await runCrashScenario({
          mode,
          answers,
          restart,
          seed,
          kills: PER_SYNC,
          again: true,
        });
        result.syncs++;
        result.killPoints += outcome.killedAt.length;
        for (const label of outcome.killedAt) {
          const kind = label.replace(/ \(after .*\)$/, '');
          result.killLabels[kind] = (result.killLabels[kind] ?? 0) + 1;
        }
        result.lost += outcome.lost.length;
        result.doubled += outcome.doubled.length;
        const beyond =
          answers === 'listed' ? outcome.doubled : outcome.doubled.filter((id) => !outcome.residual.has(id));
        result.doubledBeyondResidual += beyond.length;
        result.listsLeft.enrolled += outcome.listsLeft.enrolled;
        result.listsLeft.staged += outcome.listsLeft.staged;
        if (!outcome.finished || outcome.errors.length > 0) result.unfinished.push(seed);
        if (outcome.lost.length > 0 || beyond.length > 0 || !outcome.finished)
          failures.push(
            `${mode}/${answers}/${restart} seed ${seed}: lost ${outcome.lost.length}, doubled beyond the stated risk ${beyond.length}, finished ${outcome.finished} ${outcome.errors.join(' ').slice(0, 300)}`,
          );
      }
      result.seconds = Math.round((Date.now() - started) / 1000);
      results = withRow(results, result);
      const file: SweepFile = { kills: KILLS, perSync: PER_SYNC, firstSeed: FIRST_SEED, results };
      writeFileSync(OUT, JSON.stringify(file, null, 2) + '\n');
      process.stdout.write(
        `crash-sweep ${mode}/${answers}: ${result.killPoints} kills over ${result.syncs} syncs, lost ${result.lost}, ` +
          `doubled ${result.doubled} (beyond the stated risk ${result.doubledBeyondResidual}), lists left ${JSON.stringify(result.listsLeft)}, ${result.seconds}s\n`,
      );
    }
  }
  expect(failures).toEqual([]);
});
