/** Shared helpers for the client's tests: a config pointing at a local server, and a logger whose output is kept. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { configFrom } from '../../support/config.js';

export function testConfig(overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return configFrom(
    {
      region: 'r1',
      identifier_mapping: { email_field: 'email' },
      enrolment_mode: 'contacts',
      max_allowance_wait_minutes: 0,
      recent_enrolment_lookback_hours: 0,
    },
    overrides,
  );
}

export interface CapturedLogger {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
}

export function captureLogger(): CapturedLogger {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Retries that do not slow the tests down: no jitter wait at all. */
export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 60_000 };
