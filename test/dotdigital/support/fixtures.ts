/** Shared helpers for the client's tests: a config pointing at a local server, and a logger whose output is kept. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { ConnectorConfig } from '../../../src/config/types.js';

export function testConfig(overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return {
    apiUser: 'apiuser-test@apiconnector.com',
    password: 'S3cret-Pa55word!',
    region: 'r1',
    mapping: { fields: { email: 'email' }, precedence: ['email'], fallThroughOnInvalid: false },
    enrolmentMode: 'contacts',
    listModeThreshold: 1000,
    resolution: 'auto',
    enrolUnreachableContacts: false,
    maxAllowanceWaitSeconds: 0,
    maxStateHoldSeconds: 600,
    recentEnrolmentLookbackHours: 0,
    rejectedRecords: { type: 'none' },
    dryRun: false,
    ...overrides,
  };
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
