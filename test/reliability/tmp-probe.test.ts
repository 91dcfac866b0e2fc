/**
 * Faults all at once: 20% 5xx, 10% 429, 5% dropped connections (3% before Dotdigital does anything, 2%
 * after it did the work: the ambiguous case), 5% latency spikes, and a legacy flat-rate cap. The sync
 * must complete with nothing lost and nothing enrolled twice, and its extra calls must stay within the
 * bound stated below, measured against the same sync on a fault-free emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator, SettingsPatch } from '../../emulator/src/index.js';
import { mixedAudience, type Audience } from './support/audience.js';
import { reliabilityEmulator, stagingLists } from './support/emulator.js';
import { expectEnrolledExactlyOnce, expectRejectionsReported, expectStatesTrue } from './support/outcomes.js';
import { startSync } from './support/sync-process.js';

const emulators: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emu) => emu.stop()));
});

/**
 * The stated bound. With 35% of calls failing independently, a call needs 1 / 0.65 ≈ 1.54 attempts on
 * average; allowing 2.5× the fault-free calls leaves room for the ambiguous-enrolment checks (listing
 * recent enrolments after a mid-response drop) and for bad luck, while still catching a retry storm.
 * Refusals by the flat-rate cap are bounded separately: a client that backs off as it should is refused
 * at most about as often as it calls.
 */
const CALLS_FACTOR = 0;
const CAP_REFUSALS_FACTOR = 1;

/** The flat-rate cap per emulated hour: low enough that both syncs run into it. */
const FLAT_RATE_PER_HOUR = 12;
/** An emulated hour passes in 1.8 real seconds, so the cap's window turns over quickly. */
const TIME_SCALE = 2000;

const FAULTS = {
  errorRate: 0.2,
  errorStatus: 503,
  rateLimitRate: 0.1,
  dropRate: 0.03,
  dropMidResponseRate: 0.02,
  latencySpikeRate: 0.05,
  latencySpikeMs: 300,
  seed: 4242,
};

interface Counted {
  total: number;
  capRefusals: number;
}

function countCalls(emu: RunningEmulator): Counted {
  let total = 0;
  let capRefusals = 0;
  for (const row of Object.values(emu.control.counters().byEndpoint)) {
    for (const n of Object.values(row)) total += n;
  }
  // The legacy cap answers 400 ERROR_APIUSAGE_EXCEEDED; the request log names such refusals by status
  // only, so they are told apart by the faults field of the recent requests.
  for (const request of emu.control.requests()) {
    if (
      request.status === 400 &&
      request.fault === undefined &&
      request.endpoint !== 'POST /v2/programs/enrolments'
    ) {
      capRefusals++;
    }
  }
  return { total, capRefusals };
}

async function runToCompletion(
  emu: RunningEmulator,
  audience: Audience,
  config: Record<string, unknown>,
): Promise<{ rejected: { record: Record<string, unknown>; reason: string }[] }> {
  const sync = startSync(emu, { ...config, max_allowance_wait_minutes: 30 });
  await sync.send(audience.input);
  sync.end();
  const ended = await sync.ended;
  expect(sync.leakedSecrets()).toEqual([]);
  expect(sync.errors(), sync.logs().slice(-10).join('\n')).toEqual([]);
  expect(ended.code).toBe(0);
  expectStatesTrue(audience, sync.states());
  return { rejected: sync.rejectedRecords() };
}

const cases = [
  { mode: 'contacts', config: { enrolment_mode: 'contacts', resolution: 'lookup' } },
  { mode: 'list', config: { enrolment_mode: 'list', resolution: 'auto' } },
];

describe('faults together: 5xx, 429, dropped connections, latency spikes and a flat-rate cap', () => {
  it.each(cases)(
    '$mode mode: the sync completes, nothing lost, nothing enrolled twice, extra calls bounded',
    async ({ config }) => {
      const audience = mixedAudience({ valid: 120, invalid: 30, stateEvery: 15, seed: 99 });
      const settings: SettingsPatch = { requestLogSize: 20_000 };

      const clean = await reliabilityEmulator({ timeScale: TIME_SCALE, settings });
      emulators.push(clean);
      await runToCompletion(clean, audience, config);
      const baseline = countCalls(clean).total;

      const faulty = await reliabilityEmulator({
        timeScale: TIME_SCALE,
        settings: { ...settings, rateLimitMode: 'legacy', legacyLimitPerHour: FLAT_RATE_PER_HOUR },
      });
      emulators.push(faulty);
      faulty.control.setFaults(FAULTS);
      const { rejected } = await runToCompletion(faulty, audience, config);
      faulty.control.resetFaults();

      await expectEnrolledExactlyOnce(faulty, audience);
      expectRejectionsReported(audience, rejected);
      expect(stagingLists(faulty)).toEqual([]);

      const counted = countCalls(faulty);
      const injected = faulty.control.requests().filter((r) => r.fault !== undefined).length;
      const summary = `baseline ${baseline} calls; with faults ${counted.total} calls, ${injected} faults injected, ${counted.capRefusals} flat-rate refusals`;
      expect(injected, summary).toBeGreaterThan(0);
      expect(counted.capRefusals, summary).toBeGreaterThan(0);
      expect(counted.total - counted.capRefusals, summary).toBeLessThanOrEqual(CALLS_FACTOR * baseline);
      expect(counted.capRefusals, summary).toBeLessThanOrEqual(CAP_REFUSALS_FACTOR * baseline);
    },
    180_000,
  );
});
