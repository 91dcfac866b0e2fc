import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { learnFromWalk, planResolution, shouldBailOut } from '../../../src/enrolment/resolve/strategy.js';

describe('planResolution', () => {
  it('obeys a forced strategy whatever the numbers', () => {
    expect(planResolution('lookup', 10_000, { pages: 1, minPages: 1 })).toEqual({ strategy: 'lookup' });
    expect(planResolution('scan', 1, { pages: 500, minPages: 500 })).toEqual({
      strategy: 'scan',
      bailOut: false,
    });
  });

  it('picks the walk when the account has fewer pages than the batch has distinct queries', () => {
    expect(planResolution('auto', 30, { pages: 2, minPages: 2 })).toEqual({
      strategy: 'scan',
      bailOut: false,
    });
    expect(planResolution('auto', 30, { pages: 200, minPages: 200 })).toEqual({ strategy: 'lookup' });
  });

  it('gives ties to look-ups, which run in parallel', () => {
    expect(planResolution('auto', 20, { pages: 20, minPages: 20 })).toEqual({ strategy: 'lookup' });
  });

  it('walks with a bail-out while the size is unknown, and stops walking once the batch is smaller than the known minimum', () => {
    expect(planResolution('auto', 25, { minPages: 0 })).toEqual({ strategy: 'scan', bailOut: true });
    expect(planResolution('auto', 25, { minPages: 25 })).toEqual({ strategy: 'lookup' });
    expect(planResolution('auto', 1, { minPages: 0 })).toEqual({ strategy: 'lookup' });
  });
});

describe('learnFromWalk', () => {
  it('learns the exact size from a complete walk and a lower bound from an abandoned one', () => {
    expect(learnFromWalk({ minPages: 0 }, 3, true)).toEqual({ pages: 3, minPages: 3 });
    expect(learnFromWalk({ minPages: 0 }, 3, false)).toEqual({ minPages: 4 });
    expect(learnFromWalk({ minPages: 9 }, 3, false)).toEqual({ minPages: 9 });
  });
});

describe('the bail-out rule', () => {
  // Walk page by page over an account whose matches are spread arbitrarily, as scan.ts does.
  function cost(pages: number, distinct: number, matchPage: number[], knownPages = 0): number {
    let unresolved = distinct;
    for (let page = 1; page <= pages; page++) {
      unresolved -= matchPage.filter((p) => p === page).length;
      if (page === pages || unresolved === 0) return page;
      if (shouldBailOut(page, unresolved, knownPages)) return page + unresolved;
    }
    return pages;
  }

  it('never costs more than twice the cheaper of walking and looking up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 300 }),
        (pages, wanted) => {
          // Page 0 (or past the end) stands for a query no contact answers.
          const spent = cost(pages, wanted.length, wanted);
          expect(spent).toBeLessThanOrEqual(2 * Math.min(pages, wanted.length));
        },
      ),
    );
  });

  it('with pages already known to exist, never costs more than three times the cheaper choice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (pages, wanted, known) => {
          // The resolver only walks with a bail-out when the batch outnumbers the known pages.
          fc.pre(known < pages && known < wanted.length);
          const spent = cost(pages, wanted.length, wanted, known);
          expect(spent).toBeLessThanOrEqual(3 * Math.min(pages, wanted.length));
        },
      ),
    );
  });

  it('walks further on each batch of a large account, so repeated batches converge on one full walk', () => {
    // 200 pages, 2,000 queries spread evenly: the first walk bails out at page 182.
    const spread = Array.from({ length: 2000 }, (_, i) => 1 + Math.floor(i / 10));
    expect(cost(200, 2000, spread, 0)).toBe(182 + 180);
    // Knowing 183 pages exist, the next walk bails out only at page 199…
    expect(cost(200, 2000, spread, 183)).toBe(199 + 10);
    // …and knowing 200, the one after reads to the end.
    expect(cost(200, 2000, spread, 200)).toBe(200);
  });
});
