/**
 * Per-account, per-tier, per-minute rate limits with X-RateLimit-* headers and 429, and the legacy flat-rate
 * mode that answers 400 ERROR_APIUSAGE_EXCEEDED. Small limits keep the tests short; the window is moved with
 * the emulated clock rather than waited for.
 */
import { describe, expect, it } from 'vitest';
import { expectV2Error, expectV3Error } from './support/errors.js';
import { header, type ApiResponse } from './support/http.js';
import { users, useEmulator } from './support/emulator.js';

const MINUTE = 60_000;

function rateHeaders(response: ApiResponse) {
  return {
    limit: header(response, 'x-ratelimit-limit'),
    remaining: header(response, 'x-ratelimit-remaining'),
    reset: header(response, 'x-ratelimit-reset'),
    scope: header(response, 'x-ratelimit-scope'),
  };
}

describe('tiered limits', () => {
  const emulator = useEmulator({ settings: { rateLimits: { Low: 3, Medium: 5, High: 8 } } });

  it('announces limit, remaining, reset and scope on every API answer', async () => {
    const t = emulator();
    await t.control.advance(MINUTE);
    const first = rateHeaders(await t.api.get('/v2/programs'));
    expect(first.limit).toBe('5');
    expect(first.remaining).toBe('4');
    expect(first.scope).toMatch(/\S/);
    expect(Number(first.reset)).toBeGreaterThanOrEqual(0);
    expect(Number(first.reset)).toBeLessThanOrEqual(60);
    const second = rateHeaders(await t.api.get('/v2/programs/1001'));
    expect(second.scope).toBe(first.scope);
    expect(second.remaining).toBe('3');
  });

  it('answers 429 past the limit with the headers and Retry-After, then recovers in the next window', async () => {
    const t = emulator();
    await t.control.advance(MINUTE);
    for (let i = 0; i < 5; i++) expect((await t.api.get('/v2/programs')).status).toBe(200);
    const limited = await t.api.get('/v2/programs');
    // Dotdigital documents no body for the tiered 429; the v2 envelope is still expected.
    expectV2Error(limited, 429, undefined, { unregisteredCodeAllowed: true });
    const headers = rateHeaders(limited);
    expect(headers.limit).toBe('5');
    expect(headers.remaining).toBe('0');
    expect(Number(header(limited, 'retry-after'))).toBeGreaterThan(0);

    // A different tier and a different account are counted separately.
    expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(200);
    expect((await t.as(users.OTHER, 'r1').get('/v2/programs')).status).toBe(200);

    await t.control.advance(MINUTE);
    expect((await t.api.get('/v2/programs')).status).toBe(200);
  });

  it('answers 429 with the v3 error shape on Contacts v3', async () => {
    const t = emulator();
    await t.control.advance(MINUTE);
    for (let i = 0; i < 8; i++) expect((await t.api.get('/contacts/v3/contactId/1')).status).toBe(200);
    const limited = await t.api.get('/contacts/v3/contactId/1');
    expectV3Error(limited, 429);
    expect(rateHeaders(limited).remaining).toBe('0');
  });

  it('counts a 401 against nobody', async () => {
    const t = emulator();
    await t.control.advance(MINUTE);
    for (let i = 0; i < 10; i++) {
      expect(
        (await t.as({ apiUser: users.MAIN.apiUser, password: 'wrong' }).get('/v2/programs')).status,
      ).toBe(401);
    }
    expect((await t.api.get('/v2/programs')).status).toBe(200);
  });
});

describe('X-RateLimit-Reset as an epoch time (setting)', () => {
  const emulator = useEmulator({ settings: { rateLimitResetFormat: 'epoch' } });

  it('gives the Unix time of the reset, within the next minute', async () => {
    const before = Math.floor(Date.now() / 1000);
    const reset = Number(rateHeaders(await emulator().api.get('/v2/programs')).reset);
    expect(reset).toBeGreaterThanOrEqual(before);
    expect(reset).toBeLessThanOrEqual(before + 61);
  });
});

describe('legacy flat-rate mode', () => {
  const emulator = useEmulator({ settings: { rateLimitMode: 'legacy', legacyLimitPerHour: 4 } });

  it('answers 400 ERROR_APIUSAGE_EXCEEDED past the hourly budget, then recovers an hour later', async () => {
    const t = emulator();
    for (let i = 0; i < 4; i++) expect((await t.api.get('/v2/programs')).status).toBe(200);
    expectV2Error(await t.api.get('/v2/programs'), 400, 'ERROR_APIUSAGE_EXCEEDED');
    expectV2Error(await t.api.get('/v2/address-books'), 400, 'ERROR_APIUSAGE_EXCEEDED');
    await t.control.advance(60 * MINUTE);
    expect((await t.api.get('/v2/programs')).status).toBe(200);
  });
});
