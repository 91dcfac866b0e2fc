import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/dotdigital/http.js';
import {
  backoffDelayMs,
  classifyNetworkError,
  classifyResponse,
  DEFAULT_RETRY_OPTIONS,
  nextDelayMs,
  waitHintMs,
} from '../../src/dotdigital/retry.js';
import { formatDuration } from '../../src/time/duration.js';

const OPTIONS = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1000, maxTotalDelayMs: 5000 };
const NOW = 1_700_000_000_000;

function response(
  status: number,
  body = '',
  headers: Record<string, string> = {},
): { status: number; text: string; headers: Record<string, string> } {
  return { status, text: body, headers };
}

describe('backoff', () => {
  it('bounds a call by time, not by a count of attempts', () => {
    expect(DEFAULT_RETRY_OPTIONS.maxAttempts).toBeUndefined();
    expect(DEFAULT_RETRY_OPTIONS.maxTotalDelayMs).toBe(5 * 60_000);
    // Twenty failures in a row are still retried while the budget lasts.
    expect(nextDelayMs(21, undefined, 60_000, DEFAULT_RETRY_OPTIONS, () => 0.5)).toBe(30_000);
    expect(nextDelayMs(21, undefined, 4.6 * 60_000, DEFAULT_RETRY_OPTIONS, () => 0.5)).toBeUndefined();
  });

  it('survives the documented fault mix: at 35% failures, a call almost never exhausts its budget', () => {
    // Independent failures at rate p; a call fails only if every attempt the budget allows fails. The
    // expected backoff (half the step, full jitter) decides how many attempts fit in the budget.
    let attempts = 1;
    let elapsed = 0;
    for (;;) {
      const delay = nextDelayMs(attempts + 1, undefined, elapsed, DEFAULT_RETRY_OPTIONS, () => 0.5);
      if (delay === undefined) break;
      elapsed += delay;
      attempts += 1;
    }
    expect(attempts).toBeGreaterThanOrEqual(14);
    expect(0.35 ** attempts).toBeLessThan(1e-6);
  });

  it('grows exponentially to the cap, with full jitter below it', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, OPTIONS, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMs(3, OPTIONS, () => 0)).toBe(0);
  });

  it('honours a longer server hint and stops when the budget or the attempts run out', () => {
    expect(nextDelayMs(2, 3000, 0, OPTIONS, () => 0.5)).toBe(3000);
    expect(nextDelayMs(2, undefined, 0, OPTIONS, () => 0.5)).toBe(50);
    expect(nextDelayMs(2, 3000, 2500, OPTIONS, () => 0.5)).toBeUndefined();
    expect(nextDelayMs(9, undefined, 0, OPTIONS, () => 0.5)).toBeUndefined();
  });
});

describe('classification', () => {
  const endpoint = 'GET /v2/programs';

  it('retries rate limits, 5xx and 408, not other 4xx', () => {
    expect(classifyResponse(response(429), endpoint, NOW).kind).toBe('rate-limited');
    expect(
      classifyResponse(response(400, '{"message":"Error: ERROR_APIUSAGE_EXCEEDED"}'), endpoint, NOW).kind,
    ).toBe('rate-limited');
    expect(classifyResponse(response(503), endpoint, NOW).kind).toBe('transient');
    expect(classifyResponse(response(408), endpoint, NOW).kind).toBe('transient');
    for (const status of [400, 403, 404, 409, 413, 422])
      expect(classifyResponse(response(status), endpoint, NOW).kind).toBe('final');
    expect(
      classifyResponse(
        response(400, '{"message":"Error: ERROR_ENROLMENT_ALLOWANCE_EXCEEDED"}'),
        endpoint,
        NOW,
      ).kind,
    ).toBe('final');
  });

  it('takes the longer of Retry-After and X-RateLimit-Reset on a 429', () => {
    expect(waitHintMs(response(429, '', { 'retry-after': '2', 'x-ratelimit-reset': '5' }), NOW)).toBe(5000);
    expect(waitHintMs(response(429, '', { 'x-ratelimit-reset': String(NOW / 1000 + 9) }), NOW)).toBe(9000);
    expect(waitHintMs(response(503, '', { 'retry-after': '3' }), NOW)).toBe(3000);
    expect(waitHintMs(response(503), NOW)).toBeUndefined();
  });

  it('knows which network failures may have reached the server', () => {
    const reset = classifyNetworkError(new NetworkError('x', 'ECONNRESET', true, false));
    expect(reset).toMatchObject({ kind: 'transient', mayHaveBeenSent: true });
    const refused = classifyNetworkError(new NetworkError('x', 'ECONNREFUSED', false, false));
    expect(refused).toMatchObject({ kind: 'transient', mayHaveBeenSent: false });
    expect(classifyNetworkError(new NetworkError('x', 'ENOTFOUND', false, false)).kind).toBe('final');
  });
});

describe('formatDuration', () => {
  it('reads like a person would write it', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(130_000)).toBe('2m10s');
    expect(formatDuration(3_900_000)).toBe('1h05m');
  });
});
