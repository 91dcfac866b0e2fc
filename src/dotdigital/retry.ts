/**
 * When to try a Dotdigital call again and how long to wait: exponential backoff with full jitter, bounded by
 * a time budget per call, stretched to whatever Retry-After or X-RateLimit-Reset asks for.
 *
 * The budget is time, not a count of attempts: under Dotdigital's documented fault mix (5xx, 429, dropped
 * connections, latency spikes, a flat-rate cap) an attempt count gives up after a run of bad luck that
 * costs seconds (eight failures in a row at 35% is 1 call in 4,400), while a time budget rides it out and
 * still ends a call that truly cannot succeed. With full jitter from 1 s doubling to 60 s, five minutes
 * hold about 15 attempts: at 35% failures a call then exhausts its budget about once in 7 million.
 */
import type { HttpResponse } from './http.js';
import { headerValue, NetworkError, toApiError } from './http.js';
import { parseResetHeader, parseRetryAfter } from './rate-limiter.js';

export interface RetryOptions {
  /**
   * A cap on attempts in all, the first included. Unset by default (the time budget decides); tests set it to
   * pin a sequence of answers.
   */
  maxAttempts?: number;
  baseDelayMs: number;
  /** Cap of one backoff step (Retry-After may ask for more, within maxTotalDelayMs). */
  maxDelayMs: number;
  /**
   * The time budget of one call, from its first attempt: no attempt starts past it, and a wait that would
   * end past it is not begun; the call then fails as transient.
   */
  maxTotalDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxTotalDelayMs: 5 * 60_000,
};

/** Full jitter: uniformly between 0 and the exponential step (AWS architecture blog's recommendation). */
export function backoffDelayMs(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * step);
}

/**
 * What a failed attempt means.
 * - `rate-limited`: Dotdigital refused before doing any work (429, legacy ERROR_APIUSAGE_EXCEEDED): always
 *   safe to repeat.
 * - `transient`: 5xx, timeouts and dropped connections: safe to repeat only if the call is idempotent or the
 *   request never left.
 * - `final`: anything else; not retried.
 */
export type FailureClass =
  | { kind: 'rate-limited'; label: string; hintMs?: number }
  | { kind: 'transient'; label: string; hintMs?: number; mayHaveBeenSent: boolean }
  | { kind: 'final' };

export function classifyResponse(response: HttpResponse, endpoint: string, now: number): FailureClass {
  const { status } = response;
  const hintMs = waitHintMs(response, now);
  if (status === 429) return withHint({ kind: 'rate-limited', label: '429 (rate limited)' }, hintMs);
  if (status === 400 && response.text.includes('ERROR_APIUSAGE_EXCEEDED')) {
    const code = toApiError(status, response.text, endpoint).code;
    if (code === 'ERROR_APIUSAGE_EXCEEDED') {
      return withHint(
        { kind: 'rate-limited', label: '400 ERROR_APIUSAGE_EXCEEDED (API call limit reached)' },
        hintMs,
      );
    }
  }
  if (status >= 500 || status === 408) {
    return withHint({ kind: 'transient', label: String(status), mayHaveBeenSent: true }, hintMs);
  }
  return { kind: 'final' };
}

export function classifyNetworkError(error: NetworkError): FailureClass {
  if (error.code === 'ENOTFOUND') return { kind: 'final' };
  const label = error.timedOut ? `no answer in time (${error.code})` : `a dropped connection (${error.code})`;
  return { kind: 'transient', label, mayHaveBeenSent: error.mayHaveBeenSent };
}

function withHint<T extends FailureClass>(failure: T, hintMs: number | undefined): T {
  return hintMs === undefined ? failure : { ...failure, hintMs };
}

/** The longest wait the answer asks for, through Retry-After or (on a 429) X-RateLimit-Reset. */
export function waitHintMs(response: HttpResponse, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'), now);
  const resetAt =
    response.status === 429
      ? parseResetHeader(headerValue(response.headers, 'x-ratelimit-reset'), now)
      : undefined;
  const resetMs = resetAt === undefined ? undefined : Math.max(0, resetAt - now);
  if (retryAfter === undefined) return resetMs;
  if (resetMs === undefined) return retryAfter;
  return Math.max(retryAfter, resetMs);
}

/**
 * The delay before attempt `nextAttempt`, or undefined when the budget is spent. `elapsedMs` is the time
 * since the call's first attempt began (attempts and waits alike). A server hint wins over the backoff when
 * longer; a hint that cannot fit in the remaining budget ends the retries now rather than sleeping and
 * failing anyway.
 */
export function nextDelayMs(
  nextAttempt: number,
  hintMs: number | undefined,
  elapsedMs: number,
  options: RetryOptions,
  random?: () => number,
): number | undefined {
  if (options.maxAttempts !== undefined && nextAttempt > options.maxAttempts) return undefined;
  const backoff = backoffDelayMs(nextAttempt - 1, options, random);
  const delay = hintMs === undefined ? backoff : Math.max(hintMs, backoff);
  if (elapsedMs + delay > options.maxTotalDelayMs) return undefined;
  return delay;
}
