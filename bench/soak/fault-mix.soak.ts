/**
 * Soak: the reliability suite's combined-fault sync (test/reliability/support/fault-mix.ts) under many
 * seeds, in both enrolment modes, each on a fresh emulator. Not a test: run it with `npm run soak`
 * (SOAK_SEEDS=200 SOAK_FIRST_SEED=1 SOAK_CONCURRENCY=6 SOAK_MODES=contacts,list by default). It reports how many syncs completed
 * with nothing lost and nothing enrolled twice, writes every seed's result to bench/results/soak.json, and
 * fails if any did not, naming the seeds so each can be replayed (the emulator draws faults per request
 * from the seed, so a seed replays however the connector's calls interleave).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { enrolmentCounts } from '../../test/reliability/support/emulator.js';
import {
  FAULT_MIX_CASES,
  faultMixAudience,
  runFaultMixSync,
  type FaultMixCase,
} from '../../test/reliability/support/fault-mix.js';

const SEEDS = Number(process.env.SOAK_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.SOAK_FIRST_SEED ?? 1);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 6);
/** SOAK_MODES=contacts,list (the default: both). */
const MODES = (process.env.SOAK_MODES ?? 'contacts,list').split(',');
const CASES = FAULT_MIX_CASES.filter((testCase) => MODES.includes(testCase.mode));
const PROGRAM_ID = 1002;

interface SeedResult {
  seed: number;
  mode: string;
  ok: boolean;
  lost: number;
  doubled: number;
  seconds: number;
  failure?: string;
}

async function runOne(testCase: FaultMixCase, seed: number): Promise<SeedResult> {
  const audience = faultMixAudience();
  const started = Date.now();
  let emulator: RunningEmulator | undefined;
  try {
    await runFaultMixSync(testCase, audience, seed, (emu) => (emulator = emu));
    return {
      seed,
      mode: testCase.mode,
      ok: true,
      lost: 0,
      doubled: 0,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    let lost = 0;
    let doubled = 0;
    if (emulator) {
      const counts = enrolmentCounts(emulator, PROGRAM_ID);
      for (const id of audience.validContacts) {
        const times = counts.get(id) ?? 0;
        if (times === 0) lost += 1;
        if (times > 1) doubled += 1;
      }
    }
    // The assertion's own words (after the log lines it carries as context), for the report.
    const message = error instanceof Error ? error.message : String(error);
    const actual = (error as { actual?: unknown }).actual;
    const failure =
      stripVTControlCharacters(message).slice(-1000) +
      (actual === undefined ? '' : ` actual: ${JSON.stringify(actual).slice(0, 1500)}`);
    return {
      seed,
      mode: testCase.mode,
      ok: false,
      lost,
      doubled,
      seconds: (Date.now() - started) / 1000,
      failure,
    };
  } finally {
    await emulator?.stop();
  }
}

it(`combined faults, ${SEEDS} seeds × ${CASES.length} modes`, async () => {
  const jobs = CASES.flatMap((testCase) =>
    Array.from({ length: SEEDS }, (_, i) => () => runOne(testCase, FIRST_SEED + i)),
  );
  const results: SeedResult[] = [];
  let next = 0;
  const began = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const result = await job();
        results.push(result);
        if (!result.ok) console.error(`seed ${result.seed} ${result.mode} failed:\n${result.failure}`);
      }
    }),
  );
  const rows = CASES.map(({ mode }) => {
    const mine = results.filter((r) => r.mode === mode);
    const seconds = mine.map((r) => r.seconds).sort((a, b) => a - b);
    return {
      mode,
      runs: mine.length,
      completed_clean: mine.filter((r) => r.ok).length,
      lost_contacts: mine.reduce((sum, r) => sum + r.lost, 0),
      doubled_contacts: mine.reduce((sum, r) => sum + r.doubled, 0),
      median_s: seconds[Math.floor(seconds.length / 2)] ?? 0,
      failed_seeds: mine.filter((r) => !r.ok).map((r) => r.seed),
    };
  });
  const report = {
    seeds: { first: FIRST_SEED, count: SEEDS },
    concurrency: CONCURRENCY,
    wall_s: (Date.now() - began) / 1000,
    node: process.version,
    rows,
    results: results.sort((a, b) => a.mode.localeCompare(b.mode) || a.seed - b.seed),
  };
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results', 'soak.json');
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    rows
      .map(
        (r) =>
          `${r.mode}: ${r.completed_clean}/${r.runs} completed with nothing lost and nothing doubled ` +
          `(lost ${r.lost_contacts}, doubled ${r.doubled_contacts}, median ${r.median_s}s)`,
      )
      .join('\n'),
  );
  expect(rows.flatMap((r) => r.failed_seeds.map((seed) => `${r.mode}:${seed}`))).toEqual([]);
});
