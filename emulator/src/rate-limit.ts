/**
 * Per-account API rate limits. Tiered mode: one-minute windows of emulated time per account and tier
 * (opened by the first call after the previous window closed), announced in X-RateLimit-* headers, 429 past the limit. Legacy mode: one flat hourly budget per
 * account, 400 ERROR_APIUSAGE_EXCEEDED past it. Durations in headers are real seconds (emulated time
 * divided by the time scale), so a client that honours them waits as long as the emulator needs.
 */
import type { EmulatorClock } from './clock.js';
import type { EmulatorSettings, RateLimitTier } from './settings.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface RateDecision {
  limited: boolean;
  /** Legacy flat-rate refusal (400) rather than a tiered 429. */
  legacy: boolean;
  headers: Record<string, string>;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly settings: EmulatorSettings,
    private readonly clock: EmulatorClock,
  ) {}

  /**
   * Counts one call and says whether it is allowed. `legacyExempt`: a call the flat-rate scheme does not
   * count (Dotdigital's call-rate-limits page: program enrolment calls are outside the hourly limit).
   */
  take(accountId: number, tier: RateLimitTier, legacyExempt = false): RateDecision {
    const mode = this.settings.rateLimitMode;
    if (mode === 'off' || (mode === 'tiered' && tier === 'Unlimited') || (mode === 'legacy' && legacyExempt))
      return { limited: false, legacy: mode === 'legacy', headers: {} };
    const now = this.clock.now();
    if (mode === 'legacy') {
      const w = this.window(`${accountId}:legacy`, now, HOUR_MS);
      w.count++;
      return { limited: w.count > this.settings.legacyLimitPerHour, legacy: true, headers: {} };
    }
    const limit = this.settings.rateLimits[tier as Exclude<RateLimitTier, 'Unlimited'>];
    const w = this.window(`${accountId}:${tier}`, now, MINUTE_MS);
    w.count++;
    const limited = w.count > limit;
    return {
      limited,
      legacy: false,
      headers: this.headers(tier, limit, Math.max(0, limit - w.count), w, now, limited),
    };
  }

  /** Headers for an injected 429 on a tier (as if the limit had been reached). */
  exhaustedHeaders(accountId: number, tier: RateLimitTier): Record<string, string> {
    const now = this.clock.now();
    const effectiveTier = tier === 'Unlimited' ? 'High' : tier;
    const limit = this.settings.rateLimits[effectiveTier];
    const w = this.window(`${accountId}:${effectiveTier}`, now, MINUTE_MS);
    return this.headers(effectiveTier, limit, 0, w, now, true);
  }

  reset(): void {
    this.windows.clear();
  }

  /** A window opens with the first call after the previous one closed and lasts `length`. */
  private window(key: string, now: number, length: number): Window {
    let w = this.windows.get(key);
    if (!w || now >= w.start + length) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private headers(
    tier: string,
    limit: number,
    remaining: number,
    w: Window,
    now: number,
    limited: boolean,
  ): Record<string, string> {
    const untilResetMs = this.clock.toRealMs(w.start + MINUTE_MS - now);
    const seconds = Math.max(1, Math.ceil(untilResetMs / 1000));
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset':
        this.settings.rateLimitResetFormat === 'epoch'
          ? String(Math.ceil((Date.now() + untilResetMs) / 1000))
          : String(seconds),
      'X-RateLimit-Scope': tier,
    };
    if (limited && this.settings.sendRetryAfter) headers['Retry-After'] = String(seconds);
    return headers;
  }
}
