import { describe, expect, it } from 'vitest';
import {
  PLATFORM_STDIN_WRITE_TIMEOUT_MS,
  READER_STALL_LIMIT_MS,
  ReaderStallGuard,
  readerStallLimit,
} from '../../../src/enrolment/pipeline/reader-stall.js';
import { effectiveTuning } from '../../../src/enrolment/pipeline/tuning.js';
import { TransientError } from '../../../src/protocol/errors.js';
import { testConfig } from '../support/in-memory.js';

const MINUTE = 60_000;

describe('the reader stall cap', () => {
  it('stays well under the platform’s 7,200 s limit on a blocked write to stdin', () => {
    expect(PLATFORM_STDIN_WRITE_TIMEOUT_MS).toBe(7_200_000);
    expect(READER_STALL_LIMIT_MS).toBe(110 * MINUTE);
    expect(PLATFORM_STDIN_WRITE_TIMEOUT_MS - READER_STALL_LIMIT_MS).toBeGreaterThanOrEqual(10 * MINUTE);
  });

  it('lets a tuning shorten the limit but never lengthen it', () => {
    expect(readerStallLimit(undefined)).toBe(READER_STALL_LIMIT_MS);
    expect(readerStallLimit(5_000)).toBe(5_000);
    expect(readerStallLimit(3 * 60 * MINUTE)).toBe(READER_STALL_LIMIT_MS);
    expect(readerStallLimit(Number.POSITIVE_INFINITY)).toBe(READER_STALL_LIMIT_MS);
    expect(readerStallLimit(-1)).toBe(0);
    expect(effectiveTuning(testConfig()).readerStallLimitMs).toBe(READER_STALL_LIMIT_MS);
    expect(effectiveTuning(testConfig(), { readerStallLimitMs: 24 * 60 * MINUTE }).readerStallLimitMs).toBe(
      READER_STALL_LIMIT_MS,
    );
  });

  it('holds the cap whatever the allowance wait is set to', () => {
    // A user may allow a long wait for the hourly allowance; the window then stays full for that long.
    for (const minutes of [0, 10, 60, 119, 600, 10_000]) {
      const tuning = effectiveTuning(testConfig({ maxAllowanceWaitSeconds: minutes * 60 }));
      expect(tuning.readerStallLimitMs).toBeLessThan(PLATFORM_STDIN_WRITE_TIMEOUT_MS);
    }
  });

  it('fails only after one continuous stall longer than the limit', () => {
    const guard = new ReaderStallGuard(READER_STALL_LIMIT_MS);
    const t0 = 1_000_000;
    expect(guard.check(true, t0)).toBeUndefined();
    expect(guard.check(true, t0 + READER_STALL_LIMIT_MS)).toBeUndefined();
    const error = guard.check(true, t0 + READER_STALL_LIMIT_MS + 1);
    expect(error).toBeInstanceOf(TransientError);
    expect(error?.message).toMatch(/stopped reading its input for 110 minutes/);
    expect(error?.message).toMatch(/continues from the last/);
  });

  it('starts counting again once the reader moves', () => {
    const guard = new ReaderStallGuard(100 * MINUTE);
    let now = 0;
    // Stalls of 90 minutes with reading in between add up to far more than the limit, but none is over it.
    for (let stall = 0; stall < 5; stall++) {
      expect(guard.check(true, now)).toBeUndefined();
      now += 90 * MINUTE;
      expect(guard.check(true, now)).toBeUndefined();
      expect(guard.check(false, now)).toBeUndefined();
      now += MINUTE;
    }
    expect(guard.check(true, now)).toBeUndefined();
    expect(guard.check(true, now + 100 * MINUTE + 1)).toBeInstanceOf(TransientError);
  });
});
