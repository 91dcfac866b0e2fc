/**
 * The combined-fault sync, defined once for the reliability test (test/reliability/faults.test.ts) and the
 * soak that runs it under many seeds (bench/soak/): Dotdigital's documented fault mix all at once — 20%
 * 5xx, 10% 429, 5% dropped connections (3% before Dotdigital does anything, 2% after it did the work: the
 * ambiguous case), 5% latency spikes — and a legacy flat-rate cap low enough that each sync runs into it.
 */
import { expect } from 'vitest';
import type { RunningEmulator, SettingsPatch } from '../../../emulator/src/index.js';
import { mixedAudience, type Audience } from './audience.js';
import { reliabilityEmulator, stagingLists } from './emulator.js';
import { parseStagingListName } from '../../../src/enrolment/enrol/staging-list-name.js';
import { expectEnrolledExactlyOnce, expectRejectionsReported, expectStatesTrue } from './outcomes.js';
import { startSync } from './sync-process.js';

/** An emulated hour passes in 1.8 real seconds, so the cap's window turns over quickly. */
export const TIME_SCALE = 2000;

export const FAULT_MIX = {
  errorRate: 0.2,
  errorStatus: 503,
  rateLimitRate: 0.1,
  dropRate: 0.03,
  dropMidResponseRate: 0.02,
  latencySpikeRate: 0.05,
  latencySpikeMs: 300,
};

/** flatRatePerHour: the cap per emulated hour, low enough that each sync runs into it. */
export const FAULT_MIX_CASES = [
  {
    mode: 'contacts',
    flatRatePerHour: 12,
    config: { enrolment_mode: 'contacts', resolution: 'lookup' },
  },
  { mode: 'list', flatRatePerHour: 3, config: { enrolment_mode: 'list', resolution: 'auto' } },
] as const;

export type FaultMixCase = (typeof FAULT_MIX_CASES)[number];

export const REQUEST_LOG: SettingsPatch = { requestLogSize: 20_000 };

export function faultMixAudience(
  size: { valid: number; invalid: number } = { valid: 90, invalid: 20 },
): Audience {
  return mixedAudience({ ...size, stateEvery: 15, seed: 99 });
}

export interface FaultMixRun {
  emulator: RunningEmulator;
  rejected: { record: Record<string, unknown>; reason: string }[];
}

/** Runs one sync to completion against `emu` and checks it ended cleanly with every state true. */
export async function runToCompletion(
  emu: RunningEmulator,
  audience: Audience,
  config: Record<string, unknown>,
): Promise<{ rejected: { record: Record<string, unknown>; reason: string }[] }> {
  const sync = startSync(emu, { ...config, max_allowance_wait_minutes: 14 });
  await sync.send(audience.input);
  sync.end();
  const ended = await sync.ended;
  expect(sync.leakedSecrets()).toEqual([]);
  expect(sync.errors(), sync.logs().slice(-10).join('\n')).toEqual([]);
  expect(ended.code).toBe(0);
  expectStatesTrue(audience, sync.states());
  return { rejected: sync.rejectedRecords() };
}

/**
 * The faulty half of the test: a fresh emulator with the flat-rate cap and the fault mix under `seed`; the
 * sync must complete with nothing lost, nothing enrolled twice, every rejection reported and no staging
 * list left. Throws (an assertion error) otherwise. The caller stops the returned emulator.
 */
export async function runFaultMixSync(
  testCase: FaultMixCase,
  audience: Audience,
  seed: number,
  started: (emu: RunningEmulator) => void = () => undefined,
): Promise<FaultMixRun> {
  const emulator = await reliabilityEmulator({
    timeScale: TIME_SCALE,
    settings: { ...REQUEST_LOG, rateLimitMode: 'legacy', legacyLimitPerHour: testCase.flatRatePerHour },
  });
  started(emulator);
  emulator.control.setFaults({ ...FAULT_MIX, seed });
  const { rejected } = await runToCompletion(emulator, audience, testCase.config);
  emulator.control.resetFaults();
  await expectEnrolledExactlyOnce(emulator, audience);
  expectRejectionsReported(audience, rejected);
  // Enrolled staging lists are kept for the look-back (README "Enrolled once"); no other list is left.
  expect(
    stagingLists(emulator).filter((list) => parseStagingListName(list.name)?.phase !== 'enrolled'),
  ).toEqual([]);
  return { emulator, rejected };
}
