import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContactIdSet } from '../../../src/enrolment/pipeline/contact-id-set.js';

/** Adds the IDs to a ContactIdSet and to a Set, checking that they agree on every add and on the size. */
function addAlongsideASet(ids: number[]): { set: ContactIdSet; reference: Set<number> } {
  const set = new ContactIdSet();
  const reference = new Set<number>();
  for (const id of ids) {
    expect(set.add(id)).toBe(!reference.has(id));
    reference.add(id);
  }
  expect(set.size).toBe(reference.size);
  return { set, reference };
}

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
        const { set, reference } = addAlongsideASet(ids);
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

  it('behaves like a Set<number> across chunks, in both the sorted and the bitmap form', () => {
    // IDs drawn from a few chunks (top 16 bits) so that some outgrow the sorted form (4,096 IDs) and
    // switch to a bitmap, mixed with IDs scattered over the whole 32-bit range.
    const clustered = fc
      .tuple(fc.constantFrom(1, 0xffff), fc.integer({ min: 0, max: 0xffff }))
      .map(([high, low]) => high * 0x10000 + low)
      .filter((id) => id > 0);
    const scattered = fc.integer({ min: 1, max: 0xffffffff });
    fc.assert(
      fc.property(fc.array(fc.oneof(clustered, clustered, scattered), { maxLength: 20_000 }), (ids) => {
        const { set, reference } = addAlongsideASet(ids);
        for (const id of reference) expect(set.has(id)).toBe(true);
        for (const id of ids) if (id < 0xffffffff) expect(set.has(id + 1)).toBe(reference.has(id + 1));
      }),
      { numRuns: 30 },
    );
  });

  it('switches a chunk to a bitmap at 4,096 IDs, in any insertion order', () => {
    const set = new ContactIdSet();
    const ids = Array.from({ length: 10_000 }, (_, i) => 0x30000 + i * 3);
    // A fixed shuffle: inserts land in the middle of the sorted form, not only at its end.
    for (let i = ids.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    for (const id of ids) expect(set.add(id)).toBe(true);
    for (const id of ids) expect(set.add(id)).toBe(false);
    expect(set.size).toBe(10_000);
    for (let id = 0x30000; id < 0x30000 + 30_000; id++) expect(set.has(id)).toBe((id - 0x30000) % 3 === 0);
  });

  // Bytes held, not time: deterministic for a given sequence of IDs.
  it.each([
    ['dense, as an account numbers its contacts', 0.3, (n: number) => 100_000 + n],
    ['one ID in 400, as in a large shared ID space', 3.5, (n: number) => n * 400],
    // Every chunk grows through the same region sizes at about the same time: without the buddy
    // allocator's merging, the regions they grew out of would sit unused (4.2 bytes per ID here).
    ['scattered over the whole 32-bit range', 3, (n: number) => Math.imul(n, 0x9e3779b1) >>> 0 || 1],
  ])('holds 1,000,000 contact IDs %s in at most %s bytes each', (_pattern, bytesPerId, idOf) => {
    const set = new ContactIdSet();
    for (let n = 1; n <= 1_000_000; n++) set.add(idOf(n));
    expect(set.size).toBe(1_000_000);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(bytesPerId);
  });

  it('refuses ids that are not positive 32-bit integers', () => {
    const set = new ContactIdSet();
    for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) expect(() => set.add(bad)).toThrow(RangeError);
  });
});
