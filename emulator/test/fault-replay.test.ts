/**
 * A seed replays however the client's calls interleave: each request's fault depends on the seed, the
 * request and how often that same request came before, not on its place among other requests.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/faults.js';
import { defaultFaults } from '../src/settings.js';

const ENDPOINT = 'GET /contacts/v3/{identifier}/{value}';

function injector(seed: number): FaultInjector {
  return new FaultInjector({ ...defaultFaults(), errorRate: 0.2, rateLimitRate: 0.1, dropRate: 0.05, seed });
}

function faultsFor(seed: number, order: string[]): Map<string, string[]> {
  const faults = injector(seed);
  const seen = new Map<string, string[]>();
  for (const key of order) {
    const kinds = seen.get(key) ?? [];
    kinds.push(faults.decide(ENDPOINT, key).kind);
    seen.set(key, kinds);
  }
  return seen;
}

describe('per-request fault replay', () => {
  const requests = Array.from({ length: 300 }, (_, i) => `GET /contacts/v3/email/c${i}@example.com`);
  // Every request three times (a retried call), in two different interleavings.
  const forwards = [...requests, ...requests, ...requests];
  const shuffled = [...forwards].reverse().sort((a, b) => (a.length % 7) - (b.length % 7));

  it('gives each request the same faults whatever the order of the others', () => {
    expect(faultsFor(4242, shuffled)).toEqual(faultsFor(4242, forwards));
  });

  it('draws the documented shares and differs between seeds', () => {
    const all = [...faultsFor(4242, forwards).values()].flat();
    const errors = all.filter((kind) => kind === 'status').length / all.length;
    expect(errors).toBeGreaterThan(0.1);
    expect(errors).toBeLessThan(0.3);
    expect(faultsFor(4243, forwards)).not.toEqual(faultsFor(4242, forwards));
  });

  it('restarts the sequence on reseed', () => {
    const faults = injector(9);
    const first = requests.map((key) => faults.decide(ENDPOINT, key).kind);
    faults.reseed();
    expect(requests.map((key) => faults.decide(ENDPOINT, key).kind)).toEqual(first);
  });
});
