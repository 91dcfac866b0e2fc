import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASIC_PACKAGE_RATES } from '../../../src/dotdigital/rate-tiers.js';
import { planResolution, resolutionRates, walkCredit } from '../../../src/enrolment/resolve/strategy.js';

describe('planResolution', () => {
  it('obeys a forced strategy whatever the budget', () => {
    expect(planResolution('lookup', 10_000)).toEqual({ strategy: 'lookup' });
    expect(planResolution('scan', 0)).toEqual({ strategy: 'walk', pages: Number.POSITIVE_INFINITY });
  });

  it('walks as many whole pages as the budget buys, and looks up when it buys none', () => {
    expect(planResolution('auto', 0.99)).toEqual({ strategy: 'lookup' });
    expect(planResolution('auto', 3.7)).toEqual({ strategy: 'walk', pages: 3 });
  });
});

describe('walkCredit: time at the tier limits, not call counts', () => {
  it('buys one listing page per look-up when both sit in the same tier', () => {
    expect(walkCredit(40, { lookupsPerMinute: 35, listingPagesPerMinute: 35 })).toBe(40);
  });

  it('buys fewer pages when look-ups run in a faster tier than the listing', () => {
    // Basic package: the listing is Low tier (35/min), the look-up High.
    const rates = resolutionRates(BASIC_PACKAGE_RATES);
    expect(rates.listingPagesPerMinute).toBe(35);
    expect(walkCredit(rates.lookupsPerMinute, rates)).toBeCloseTo(35);
    // 100 look-ups take as long as 25 pages at 140 vs 35 a minute: by call count it would be 100.
    expect(walkCredit(100, { lookupsPerMinute: 140, listingPagesPerMinute: 35 })).toBe(25);
  });

  it('never spends on the walk more time than the look-ups it may replace', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (queries, lookupsPerMinute, listingPagesPerMinute) => {
          const pages = walkCredit(queries, { lookupsPerMinute, listingPagesPerMinute });
          expect(pages / listingPagesPerMinute).toBeLessThanOrEqual(queries / lookupsPerMinute + 1e-9);
        },
      ),
    );
  });
});
