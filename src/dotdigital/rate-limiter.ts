/**
 * Paces calls from Dotdigital's X-RateLimit-* headers so the connector slows down before a 429 rather than
 * after. Limits are per tier: endpoints that share a tier share a bucket, named by X-RateLimit-Scope when
 * Dotdigital sends it (until an endpoint's first answer names its scope, the endpoint is its own bucket).
 *
 * Parallel callers each reserve a token synchronously before their call (JavaScript runs one callback at a
 * time, so the check-and-reserve cannot interleave): a bucket whose remaining allowance is taken by calls
 * already in flight makes new callers wait for the reset, or for a call to come back with fresher numbers.
 */
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../time/clock.js';
import type { HttpResponse } from './http.js';
import { headerValue } from './http.js';

export interface RateLimitObservation {
  limit?: number;
  remaining?: number;
  /** Absolute time (ms since the epoch) when the window resets. */
  resetAt?: number;
  scope?: string;
}

function leadingNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/**
 * X-RateLimit-Reset is documented loosely: seconds until the reset, or an epoch time. A value above 10^9
 * cannot be a sensible delay in seconds (31 years), so it is read as epoch seconds (or ms above 10^12).
 */
export function parseResetHeader(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const numeric = leadingNumber(value);
  if (numeric !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) {
    if (numeric > 1e12) return numeric;
    if (numeric > 1e9) return numeric * 1000;
    return now + numeric * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/** Retry-After: delta seconds or an HTTP date. Returns the delay in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function parseRateLimitHeaders(headers: HttpResponse['headers'], now: number): RateLimitObservation {
  const observation: RateLimitObservation = {};
  const limit = leadingNumber(headerValue(headers, 'x-ratelimit-limit'));
  const remaining = leadingNumber(headerValue(headers, 'x-ratelimit-remaining'));
  const resetAt = parseResetHeader(headerValue(headers, 'x-ratelimit-reset'), now);
  const scope = headerValue(headers, 'x-ratelimit-scope')?.trim();
  if (limit !== undefined) observation.limit = limit;
  if (remaining !== undefined) observation.remaining = remaining;
  if (resetAt !== undefined) observation.resetAt = resetAt;
  if (scope) observation.scope = scope;
  return observation;
}

interface Bucket {
  name: string;
  limit: number | undefined;
  /** As last reported by Dotdigital; undefined while unknown (no pacing). */
  remaining: number | undefined;
  resetAt: number | undefined;
  inFlight: number;
  /** Whether any answer has come back for this bucket yet; until then one call at a time probes it. */
  answered: boolean;
}

export interface Permit {
  /** Call once the attempt is over, with the answer's headers when there was an answer. */
  release(response?: Pick<HttpResponse, 'status' | 'headers'>): void;
}

export interface RateLimiterOptions {
  logger?: Logger;
  /** Time and pauses (default the system clock); a benchmark passes its virtual clock. */
  clock?: Clock;
  /** Longest single pause; a wrong Reset header must not stall a sync for hours. */
  maxWaitMs?: number;
  /** Ends every pause at once (the caller then sees the signal and stops). */
  signal?: AbortSignal;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly scopeOfEndpoint = new Map<string, string>();
  private readonly wakers = new Set<() => void>();
  private readonly clock: Clock;
  private readonly maxWaitMs: number;
  private waitedMs = 0;
  private waiting = 0;
  private waitingSince = 0;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
  }

  private now(): number {
    return this.clock.now();
  }

  /** Wall time during which callers were held back by a rate limit. */
  get totalWaitMs(): number {
    return this.waiting > 0 ? this.waitedMs + Math.max(0, this.now() - this.waitingSince) : this.waitedMs;
  }

  private bucketFor(endpoint: string): Bucket {
    const name = this.scopeOfEndpoint.get(endpoint) ?? `endpoint:${endpoint}`;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = {
        name,
        limit: undefined,
        remaining: undefined,
        resetAt: undefined,
        inFlight: 0,
        answered: false,
      };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  async acquire(endpoint: string): Promise<Permit> {
    for (;;) {
      const bucket = this.bucketFor(endpoint);
      const now = this.now();
      if (bucket.resetAt !== undefined && now >= bucket.resetAt) {
        // A new window: optimistic until the next answer reports the real numbers.
        bucket.remaining = bucket.limit;
        bucket.resetAt = undefined;
      }
      // Before the first answer nothing is known of the limit, so a burst of parallel callers could overrun
      // it: one call goes first and the others wait for its headers.
      const probing = !bucket.answered && bucket.inFlight > 0;
      const exhausted = bucket.remaining !== undefined && bucket.remaining - bucket.inFlight <= 0;
      // Exhausted with no reset time known and nothing in flight to tell us more: one call finds out.
      const mustLearn = exhausted && bucket.resetAt === undefined && bucket.inFlight === 0;
      if ((!probing && !exhausted) || mustLearn) {
        bucket.inFlight += 1;
        return this.permit(bucket, endpoint);
      }
      if (probing) {
        await this.sleepOrWake(this.maxWaitMs);
        continue;
      }
      if (bucket.resetAt === undefined) {
        // Exhausted, and an answer in flight will bring fresh numbers.
        await this.timedWait(this.maxWaitMs);
        continue;
      }
      const waitMs = Math.min(Math.max(0, bucket.resetAt - now), this.maxWaitMs);
      this.options.logger?.debug(
        { endpoint, scope: bucket.name, waitMs, inFlight: bucket.inFlight },
        'pacing Dotdigital calls until the rate-limit window resets',
      );
      const resetByTimer = await this.timedWait(waitMs);
      if (resetByTimer && bucket.resetAt !== undefined && this.now() < bucket.resetAt) {
        // Capped by maxWaitMs: let one call through to learn whether the header was wrong.
        bucket.resetAt = this.now();
      }
    }
  }

  /** Records what an answer said, outside any permit (e.g. a 429 seen by the retry loop). */
  observe(endpoint: string, response: Pick<HttpResponse, 'status' | 'headers'>): void {
    const observation = parseRateLimitHeaders(response.headers, this.now());
    if (observation.scope !== undefined) this.scopeOfEndpoint.set(endpoint, `scope:${observation.scope}`);
    const bucket = this.bucketFor(endpoint);
    bucket.answered = true;
    if (observation.limit !== undefined) bucket.limit = observation.limit;
    if (observation.remaining !== undefined) bucket.remaining = observation.remaining;
    else if (response.status === 429) bucket.remaining = 0;
    if (observation.resetAt !== undefined) bucket.resetAt = observation.resetAt;
    else if (response.status === 429 && bucket.resetAt === undefined) bucket.remaining = undefined;
    this.wakeAll();
  }

  private permit(bucket: Bucket, endpoint: string): Permit {
    let released = false;
    return {
      release: (response) => {
        if (released) return;
        released = true;
        bucket.inFlight -= 1;
        if (response) {
          // The answer may have moved the endpoint to its tier's bucket; the one it was counted in has its answer too.
          bucket.answered = true;
          this.observe(endpoint, response);
        } else this.wakeAll();
      },
    };
  }

  private wakeAll(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }

  /**
   * A pause for the rate limit, counted in totalWaitMs as wall time during which at least one caller was
   * held back (parallel waiters do not add up).
   */
  private async timedWait(ms: number): Promise<boolean> {
    if (this.waiting === 0) this.waitingSince = this.now();
    this.waiting += 1;
    try {
      return await this.sleepOrWake(ms);
    } finally {
      this.waiting -= 1;
      if (this.waiting === 0) this.waitedMs += Math.max(0, this.now() - this.waitingSince);
    }
  }

  /** Resolves true when the timer fired, false when a released call brought news first. */
  private async sleepOrWake(ms: number): Promise<boolean> {
    const stop = this.options.signal;
    const news = new AbortController();
    const wake = (): void => news.abort(WOKEN);
    this.wakers.add(wake);
    try {
      await this.clock.sleep(ms, stop ? AbortSignal.any([stop, news.signal]) : news.signal);
      return true;
    } catch (reason) {
      if (reason === WOKEN && !stop?.aborted) return false;
      throw reason;
    } finally {
      this.wakers.delete(wake);
    }
  }
}

/** The reason a pause ends early because a released call brought news (never seen outside this file). */
const WOKEN = Symbol('woken');
