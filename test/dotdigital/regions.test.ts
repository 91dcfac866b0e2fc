import { describe, expect, it } from 'vitest';
import {
  DISCOVERY_BASE_URL,
  isLoopbackHost,
  isTrustedApiEndpoint,
  planBaseUrl,
  regionOfBaseUrl,
  resolveDiscoveredBaseUrl,
  validateBaseUrl,
} from '../../src/dotdigital/regions.js';
import { ConfigError } from '../../src/protocol/errors.js';

describe('planBaseUrl', () => {
  it('discovers through r1 when the region is auto and there is no base URL', () => {
    expect(planBaseUrl({ region: 'auto' })).toEqual({ kind: 'discover', discoveryUrl: DISCOVERY_BASE_URL });
    expect(DISCOVERY_BASE_URL).toBe('https://r1-api.dotdigital.com');
  });

  it('discovers at the base URL and trusts its origin when both are given', () => {
    expect(planBaseUrl({ region: 'auto', baseUrl: 'http://127.0.0.1:8080/' })).toEqual({
      kind: 'discover',
      discoveryUrl: 'http://127.0.0.1:8080',
      trustedOrigin: 'http://127.0.0.1:8080',
    });
  });

  it.each(['r1', 'r2', 'r3'] as const)('uses the regional host for %s', (region) => {
    expect(planBaseUrl({ region })).toEqual({
      kind: 'fixed',
      baseUrl: `https://${region}-api.dotdigital.com`,
    });
  });

  it('uses the base URL as is for an explicit region', () => {
    expect(planBaseUrl({ region: 'r3', baseUrl: 'https://proxy.example.com/dd' })).toEqual({
      kind: 'fixed',
      baseUrl: 'https://proxy.example.com/dd',
    });
  });
});

describe('validateBaseUrl', () => {
  it.each([
    'https://proxy.example.com',
    'http://127.0.0.1:9000',
    'http://127.9.8.7',
    'http://localhost:1',
    'http://[::1]:80/r2',
  ])('accepts %s', (url) => {
    expect(() => validateBaseUrl(url)).not.toThrow();
  });

  it.each([
    'http://example.com',
    'http://10.0.0.1',
    'http://128.0.0.1',
    'ftp://127.0.0.1',
    'not a url',
    'https://user:pw@example.com',
    'https://example.com/?a=1',
  ])('rejects %s with a ConfigError', (url) => {
    expect(() => validateBaseUrl(url)).toThrow(ConfigError);
  });

  it('drops trailing slashes', () => {
    expect(validateBaseUrl('https://example.com/dd//')).toBe('https://example.com/dd');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.255.255.254', 'localhost', 'LOCALHOST', '[::1]', '::1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  it.each(['127.0.0.256', '128.0.0.1', 'localhost.example.com', 'example.com', '::2', '10.0.0.1'])(
    '%s is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('trusting account-info ApiEndpoint', () => {
  it.each([
    'https://r1-api.dotdigital.com',
    'https://r2-api.dotdigital.com/',
    'https://r3-api.dotdigital.com',
  ])('trusts %s', (url) => {
    expect(isTrustedApiEndpoint(url)).toBe(true);
  });

  it.each([
    'https://r4-api.dotdigital.com',
    'http://r1-api.dotdigital.com',
    'https://r1-api.dotdigital.com.evil.example',
    'https://r1-api.dotdigital.com/extra',
    'https://evil.example/?https://r1-api.dotdigital.com',
    'https://r1-api.dotdigital.com:444',
  ])('does not trust %s', (url) => {
    expect(isTrustedApiEndpoint(url)).toBe(false);
  });

  it('trusts another path on the configured origin only', () => {
    expect(isTrustedApiEndpoint('http://127.0.0.1:8080/r2', 'http://127.0.0.1:8080')).toBe(true);
    expect(isTrustedApiEndpoint('http://127.0.0.1:8081/r2', 'http://127.0.0.1:8080')).toBe(false);
    expect(isTrustedApiEndpoint('https://127.0.0.1:8080/r2', 'http://127.0.0.1:8080')).toBe(false);
  });

  it('resolves a trusted endpoint without its trailing slash', () => {
    expect(
      resolveDiscoveredBaseUrl('https://r2-api.dotdigital.com/', {
        kind: 'discover',
        discoveryUrl: DISCOVERY_BASE_URL,
      }),
    ).toBe('https://r2-api.dotdigital.com');
  });

  it('refuses an untrusted or missing endpoint with a ConfigError', () => {
    const plan = { kind: 'discover' as const, discoveryUrl: DISCOVERY_BASE_URL };
    expect(() => resolveDiscoveredBaseUrl('https://attacker.example', plan)).toThrow(ConfigError);
    expect(() => resolveDiscoveredBaseUrl(undefined, plan)).toThrow(ConfigError);
  });
});

describe('regionOfBaseUrl', () => {
  it('reads the region from the host or the emulator path prefix', () => {
    expect(regionOfBaseUrl('https://r3-api.dotdigital.com/')).toBe('r3');
    expect(regionOfBaseUrl('http://127.0.0.1:8080/r2')).toBe('r2');
    expect(regionOfBaseUrl('https://proxy.example.com')).toBeUndefined();
  });
});
