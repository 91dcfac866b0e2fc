import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContactIdSet } from '../../src/enrolment/contact-id-set.js';

describe('ContactIdSet', () => {
  it('adds once and reports repeats', () => {
    const set = new ContactIdSet();
    expect(set.add(7)).toBe(true);
    expect(set.add(7)).toBe(false);
    expect(set.has(7)).toBe(true);
    expect(set.has(8)).toBe(false);
    expect(set.size).toBe(1);
  });

  it('behaves like a Set<number> under arbitrary operations, across growth', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 3000 }), (ids) => {
        const set = new ContactIdSet();
        const reference = new Set<number>();
        for (const id of ids) {
          expect(set.add(id)).toBe(!reference.has(id));
          reference.add(id);
        }
        expect(set.size).toBe(reference.size);
        for (let id = 1; id <= 5000; id += 7) expect(set.has(id)).toBe(reference.has(id));
      }),
    );
  });

  it('handles the largest 32-bit values and dense sequential ids', () => {
    const set = new ContactIdSet();
    expect(set.add(0xffffffff)).toBe(true);
    expect(set.has(0xffffffff)).toBe(true);
    for (let id = 1; id <= 100_000; id++) set.add(id);
    expect(set.size).toBe(100_001);
    expect(set.has(100_000)).toBe(true);
    expect(set.has(100_001)).toBe(false);
  });

  it('uses at most about 10 bytes per distinct contact once grown', () => {
    const set = new ContactIdSet();
    for (let n = 1; n <= 1_000_000; n++) set.add(n * 13);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(10);
  });

  it('refuses ids that are not positive 32-bit integers', () => {
    const set = new ContactIdSet();
    for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) expect(() => set.add(bad)).toThrow(RangeError);
  });
});
