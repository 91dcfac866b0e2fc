/**
 * A realistic profile for benchmarks (never tests): Dotdigital's Basic package rate tiers, a per-call
 * latency with spikes, a transfer cost per KiB, and processing that takes minutes. Applied on top of the
 * emulator's defaults, so it stays one settings object whatever those defaults become.
 *
 * Latency is in the emulator's "real" milliseconds: the benchmark runs the emulator on a virtual clock at
 * time scale 1 (bench/virtual-clock.ts), so they are emulated milliseconds too.
 */
import { BASIC_PACKAGE_RATES } from '../src/dotdigital/rate-tiers.js';
import type { SettingsPatch } from '../emulator/src/settings.js';

/**
 * A round trip to Dotdigital's r1/r2 from a cloud region, with a busy tail, and a transfer of about
 * 10 MB/s (0.1 ms per KiB): a 5,000-contact listing page then costs a few hundred ms on top.
 */
export const BASIC_PROFILE_LATENCY = { callMs: 120, spikeMs: 2_000, spikeRate: 0.02, perKbMs: 0.1 };
/** Emulated minutes Dotdigital takes to process an enrolment and an import (it publishes no figure). */
export const BASIC_PROFILE_PROCESSING = { enrolmentMinutes: 5, importMinutes: 3 };

export function basicPackageProfile(seed = 1): SettingsPatch {
  return {
    rateLimitMode: 'tiered',
    rateLimits: { ...BASIC_PACKAGE_RATES },
    enrolmentProcessingMs: BASIC_PROFILE_PROCESSING.enrolmentMinutes * 60_000,
    importProcessingMs: BASIC_PROFILE_PROCESSING.importMinutes * 60_000,
    faults: {
      latencyMs: BASIC_PROFILE_LATENCY.callMs,
      latencySpikeMs: BASIC_PROFILE_LATENCY.spikeMs,
      latencySpikeRate: BASIC_PROFILE_LATENCY.spikeRate,
      latencyPerKbMs: BASIC_PROFILE_LATENCY.perKbMs,
      seed,
    },
  };
}
