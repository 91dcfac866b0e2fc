import { describe, expect, it } from 'vitest';
import {
  parseRateLimitHeaders,
  parseResetHeader,
  parseRetryAfter,
  RateLimiter,
  type Permit,
} from '../../src/dotdigital/rate-limiter.js';
import { type Clock, systemClock } from '../../src/time/clock.js';

const NOW = 1_700_000_000_000;

/** The system clock's pauses, read at a time the test sets. */
function clockAt(now: () => number): Clock {
  return { now, sleep: systemClock.sleep };
}

function headers(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Lets pending promise callbacks run, so a permit that is not granted is observably still pending. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function track(promise: Promise<Permit>): { granted: () => boolean; permit: Promise<Permit> } {
  let granted = false;
  void promise.then(() => {
    granted = true;
  });
  return { granted: () => granted, permit: promise };
}

describe('header parsing', () => {
  it('reads X-RateLimit-Reset as seconds from now, or as an epoch above 10^9', () => {
    expect(parseResetHeader('30', NOW)).toBe(NOW + 30_000);
    expect(parseResetHeader('1700000123', NOW)).toBe(1_700_000_123_000);
    expect(parseResetHeader('1700000123456', NOW)).toBe(1_700_000_123_456);
    expect(parseResetHeader('Tue, 14 Nov 2023 22:15:00 GMT', NOW)).toBe(
      Date.parse('Tue, 14 Nov 2023 22:15:00 GMT'),
    );
    expect(parseResetHeader('soon', NOW)).toBeUndefined();
    expect(parseResetHeader(undefined, NOW)).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('5', NOW)).toBe(5000);
    expect(parseRetryAfter(new Date(NOW + 7000).toUTCString(), NOW)).toBe(7000);
    expect(parseRetryAfter(new Date(NOW - 7000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('', NOW)).toBeUndefined();
  });

  it('collects limit, remaining, reset and scope', () => {
    expect(
      parseRateLimitHeaders(
        headers({
          'X-RateLimit-Limit': '600',
          'X-RateLimit-Remaining': '12',
          'X-RateLimit-Reset': '40',
          'X-RateLimit-Scope': 'Medium',
        }),
        NOW,
      ),
    ).toEqual({ limit: 600, remaining: 12, resetAt: NOW + 40_000, scope: 'Medium' });
    expect(parseRateLimitHeaders({}, NOW)).toEqual({});
  });
});

describe('RateLimiter', () => {
  it('sends one probe before anything is known, then lets calls through when no limit is announced', async () => {
    const limiter = new RateLimiter({ clock: clockAt(() => NOW) });
    const first = track(limiter.acquire('GET /v2/programs'));
    const second = track(limiter.acquire('GET /v2/programs'));
    const third = track(limiter.acquire('GET /v2/programs'));
    await settle();
    expect([first.granted(), second.granted(), third.granted()]).toEqual([true, false, false]);

    (await first.permit).release({ status: 200, headers: {} });
    await settle();
    expect([second.granted(), third.granted()]).toEqual([true, true]);
    expect(limiter.totalWaitMs).toBe(0);
  });

  it('lets the next caller probe when the probe got no answer', async () => {
    const limiter = new RateLimiter({ clock: clockAt(() => NOW) });
    const first = track(limiter.acquire('GET /a'));
    const second = track(limiter.acquire('GET /a'));
    const third = track(limiter.acquire('GET /a'));
    await settle();
    (await first.permit).release();
    await settle();
    expect([second.granted(), third.granted()]).toEqual([true, false]);
  });

  it('does not let parallel callers overrun the remaining allowance', async () => {
    const limiter = new RateLimiter({ clock: clockAt(() => NOW) });
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({
        'X-RateLimit-Limit': '10',
        'X-RateLimit-Remaining': '2',
        'X-RateLimit-Reset': '60',
      }),
    });
    const first = track(limiter.acquire('GET /a'));
    const second = track(limiter.acquire('GET /a'));
    const third = track(limiter.acquire('GET /a'));
    await settle();
    expect([first.granted(), second.granted(), third.granted()]).toEqual([true, true, false]);

    // The first call comes back: Dotdigital counted it, one left, one still in flight → still no room.
    (await first.permit).release({
      status: 200,
      headers: headers({ 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': '59' }),
    });
    await settle();
    expect(third.granted()).toBe(false);

    // The second comes back with a fresh window reported.
    (await second.permit).release({
      status: 200,
      headers: headers({ 'X-RateLimit-Remaining': '9', 'X-RateLimit-Reset': '60' }),
    });
    await settle();
    expect(third.granted()).toBe(true);
  });

  it('waits for the reset before the next call of an exhausted scope, shared by endpoints of one tier', async () => {
    let now = NOW;
    const limiter = new RateLimiter({ clock: clockAt(() => now) });
    const tier = (remaining: string): Record<string, string> =>
      headers({
        'X-RateLimit-Limit': '5',
        'X-RateLimit-Remaining': remaining,
        'X-RateLimit-Reset': '30',
        'X-RateLimit-Scope': 'Low',
      });
    limiter.observe('GET /a', { status: 200, headers: tier('3') });
    limiter.observe('GET /b', { status: 200, headers: tier('0') });
    const a = track(limiter.acquire('GET /a'));
    await settle();
    expect(a.granted()).toBe(false);

    now = NOW + 31_000;
    // Any news wakes the waiters; they find the window over and go ahead with the refilled limit.
    limiter.observe('GET /unrelated', { status: 200, headers: {} });
    await settle();
    expect(a.granted()).toBe(true);
  });

  it('after a reset lets through only as many parallel calls as the limit', async () => {
    let now = NOW;
    const limiter = new RateLimiter({ clock: clockAt(() => now) });
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({ 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30' }),
    });
    const waiting = [1, 2, 3].map(() => track(limiter.acquire('GET /a')));
    await settle();
    expect(waiting.map((w) => w.granted())).toEqual([false, false, false]);

    now = NOW + 31_000;
    limiter.observe('GET /unrelated', { status: 200, headers: {} });
    await settle();
    expect(waiting.filter((w) => w.granted())).toHaveLength(2);
  });

  it('treats a 429 without Remaining as an exhausted window until its reset', async () => {
    const limiter = new RateLimiter({ clock: clockAt(() => NOW) });
    limiter.observe('GET /a', { status: 429, headers: headers({ 'X-RateLimit-Reset': '60' }) });
    const a = track(limiter.acquire('GET /a'));
    await settle();
    expect(a.granted()).toBe(false);
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({ 'X-RateLimit-Remaining': '4', 'X-RateLimit-Reset': '60' }),
    });
    await settle();
    expect(a.granted()).toBe(true);
  });

  it('counts waiting as wall time, not once per parallel waiter', async () => {
    let now = NOW;
    const limiter = new RateLimiter({ clock: clockAt(() => now), maxWaitMs: 20 });
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '3600' }),
    });
    const waiting = [1, 2, 3].map(() => limiter.acquire('GET /a'));
    await settle();
    now = NOW + 1000;
    await Promise.all(waiting);
    expect(limiter.totalWaitMs).toBe(1000);
  });

  it('counts the time spent waiting and caps a single wait', async () => {
    const limiter = new RateLimiter({ maxWaitMs: 20 });
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '3600' }),
    });
    await limiter.acquire('GET /a');
    expect(limiter.totalWaitMs).toBeGreaterThan(0);
  });

  it('pauses on the clock it is given, not on the machine timers', async () => {
    // A benchmark's virtual clock must see every pause, or its emulated time would miss the pacing.
    const pauses: number[] = [];
    let now = NOW;
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        pauses.push(ms);
        now += ms;
      },
    };
    const limiter = new RateLimiter({ clock });
    limiter.observe('GET /a', {
      status: 200,
      headers: headers({ 'X-RateLimit-Limit': '5', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30' }),
    });
    await limiter.acquire('GET /a');
    expect(pauses).toEqual([30_000]);
    expect(limiter.totalWaitMs).toBe(30_000);
  });
});
