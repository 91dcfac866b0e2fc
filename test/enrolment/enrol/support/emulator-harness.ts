import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../../../src/config/types.js';
import { configFrom } from '../../../support/config.js';
import { createDotdigitalClient } from '../../../../src/dotdigital/client.js';
import type { DotdigitalClient } from '../../../../src/dotdigital/types.js';
import { abortableDelay, type Clock } from '../../../../src/time/clock.js';
import { afterEach } from 'vitest';
import { startEmulator, type RunningEmulator, type SettingsPatch } from '../../../../emulator/src/index.js';
import { capturingLogger, type CapturedLog } from './log-capture.js';

/** The sample account's first generated contact; ordinal n is contact FIRST_CONTACT_ID + n - 1. */
export const FIRST_CONTACT_ID = 100001;

export function contactIdOf(ordinal: number): number {
  return FIRST_CONTACT_ID + ordinal - 1;
}

/** Ordinals whose generated contact is subscribed with an email (see emulator/README.md patterns). */
export function subscribedOrdinals(count: number, from = 1): number[] {
  const ordinals: number[] = [];
  for (let n = from; ordinals.length < count; n++) {
    const special = [11, 21, 31, 41, 51, 61, 77].includes(n % 100);
    if (!special && n % 10 !== 7) ordinals.push(n);
  }
  return ordinals;
}

export function baseConfig(
  emulator: RunningEmulator,
  overrides: Partial<ConnectorConfig> = {},
): ConnectorConfig {
  return configFrom(
    {
      api_user: emulator.sample.apiUser,
      api_password: emulator.sample.password,
      base_url: emulator.url,
      program_id: 1002,
      identifier_mapping: { email_field: 'email' },
      enrolment_mode: 'contacts',
      max_allowance_wait_minutes: 0,
    },
    overrides,
  );
}

/** Tiny retry delays so injected faults are retried through quickly. */
export async function clientFor(config: ConnectorConfig, logger: Logger): Promise<DotdigitalClient> {
  return createDotdigitalClient(config, {
    logger,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 2000 },
  });
}

/**
 * The engine's clock following the emulator's: reads emulated time, and sleeps that much emulated
 * time (so the allowance window and processing delays pass at the emulator's time scale).
 */
export function emulatorClock(emulator: RunningEmulator): Clock {
  return {
    now: () => emulator.control.clock().nowMs,
    sleep: (ms, signal) => abortableDelay(ms / emulator.control.clock().timeScale, signal),
  };
}

export interface EngineTestBed {
  emulator: RunningEmulator;
  client: DotdigitalClient;
  config: ConnectorConfig;
  logger: Logger;
  lines: CapturedLog[];
  clock: Clock;
}

/**
 * For a test file of engine tests: `start` gives each test a fresh emulator (rate limits off, its clock
 * 100× fast unless told otherwise), a client for it and a capturing logger; all are closed after the test.
 */
export function engineTestBed(): {
  start(options?: {
    settings?: SettingsPatch;
    timeScale?: number;
    config?: Partial<ConnectorConfig>;
  }): Promise<EngineTestBed>;
} {
  let running: { emulator: RunningEmulator; client?: DotdigitalClient } | undefined;
  afterEach(async () => {
    await running?.client?.close();
    await running?.emulator.stop();
    running = undefined;
  });
  return {
    async start(options = {}) {
      const emulator = await startEmulator({
        timeScale: options.timeScale ?? 100,
        // Engine tests are not about Dotdigital's timing: processing takes 2 emulated seconds (the emulator's
        // default is minutes), so a batch finishes in tens of real milliseconds.
        settings: {
          rateLimitMode: 'off',
          enrolmentProcessingMs: 2000,
          importProcessingMs: 2000,
          ...options.settings,
        },
      });
      running = { emulator };
      const { logger, lines } = capturingLogger();
      const config = baseConfig(emulator, options.config);
      const client = await clientFor(config, logger);
      running.client = client;
      return { emulator, client, config, logger, lines, clock: emulatorClock(emulator) };
    },
  };
}
