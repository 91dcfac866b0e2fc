/**
 * A realistic profile for benchmarks (never tests): Dotdigital's Basic package rate tiers, a per-call
 * latency with spikes, and processing that takes minutes. Applied on top of the emulator's defaults,
 * so it stays one settings object whatever those defaults become.
 *
 * Latency is added in real milliseconds by the emulator, so it is divided by the time scale here:
 * the emulated call then takes the emulated latency below.
 */
import { BASIC_PACKAGE_RATES } from '../src/dotdigital/rate-tiers.js';
import type { SettingsPatch } from '../emulator/src/settings.js';

/** Emulated milliseconds; a round trip to Dotdigital's r1/r2 from a cloud region, with a busy tail. */
export const BASIC_PROFILE_LATENCY = { callMs: 120, spikeMs: 2_000, spikeRate: 0.02 };
/** Emulated minutes Dotdigital takes to process an enrolment and an import (it publishes no figure). */
export const BASIC_PROFILE_PROCESSING = { enrolmentMinutes: 5, importMinutes: 3 };

export function basicPackageProfile(timeScale: number, seed = 1): SettingsPatch {
  return {
    rateLimitMode: 'tiered',
    rateLimits: { ...BASIC_PACKAGE_RATES },
    enrolmentProcessingMs: BASIC_PROFILE_PROCESSING.enrolmentMinutes * 60_000,
    importProcessingMs: BASIC_PROFILE_PROCESSING.importMinutes * 60_000,
    faults: {
      latencyMs: Math.max(1, Math.round(BASIC_PROFILE_LATENCY.callMs / timeScale)),
      latencySpikeMs: Math.round(BASIC_PROFILE_LATENCY.spikeMs / timeScale),
      latencySpikeRate: BASIC_PROFILE_LATENCY.spikeRate,
      seed,
    },
  };
}
