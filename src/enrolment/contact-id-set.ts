/**
 * The set of contact IDs seen in this sync, so a contact is enrolled once however often the audience
 * repeats it. Open addressing with linear probing over Uint32Arrays (0 marks an empty slot, which is
 * free because contact IDs are positive): 4 bytes per slot at a load factor kept between 0.4 and 0.8,
 * and no per-entry object for the garbage collector to trace.
 *
 * The table is split into 64 segments chosen by the top bits of the hash, each growing on its own.
 * A single table doubles all at once, briefly holding the old and the new array: at 5 million contacts
 * that transient (16 + 32 MB) is what peak memory sees. Segments grow one at a time, so the transient is
 * 1/64 of the table, and since they fill evenly but cross their thresholds at slightly different
 * moments, memory grows in small steps averaging about 6–7 bytes per distinct contact.
 */
const EMPTY = 0;
const MAX_LOAD = 0.8;
const SEGMENT_BITS = 6;
const SEGMENTS = 1 << SEGMENT_BITS;
const MIN_SEGMENT_CAPACITY = 64;

interface Segment {
  slots: Uint32Array;
  mask: number;
  /** Right shift that turns the hash's remaining bits into a home slot of this segment. */
  shift: number;
  count: number;
  growAt: number;
}

function newSegment(capacity: number): Segment {
  return {
    slots: new Uint32Array(capacity),
    mask: capacity - 1,
    shift: 32 - Math.log2(capacity),
    count: 0,
    growAt: Math.floor(capacity * MAX_LOAD),
  };
}

export class ContactIdSet {
  private readonly segments: Segment[];
  private count = 0;

  constructor(expectedSize = 0) {
    let capacity = MIN_SEGMENT_CAPACITY;
    while (capacity * MAX_LOAD * SEGMENTS < expectedSize) capacity *= 2;
    this.segments = Array.from({ length: SEGMENTS }, () => newSegment(capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table, for the memory figures in the summary and the benchmark. */
  get byteLength(): number {
    let bytes = 0;
    for (const segment of this.segments) bytes += segment.slots.byteLength;
    return bytes;
  }

  has(id: number): boolean {
    ContactIdSet.check(id);
    const hash = ContactIdSet.hash(id);
    const segment = this.segments[hash >>> (32 - SEGMENT_BITS)]!;
    const slots = segment.slots;
    let index = ((hash << SEGMENT_BITS) >>> 0) >>> segment.shift;
    for (;;) {
      const slot = slots[index];
      if (slot === id) return true;
      if (slot === EMPTY) return false;
      index = (index + 1) & segment.mask;
    }
  }

  /** Adds the ID; false when it was already present (the caller's signal for a duplicate). */
  add(id: number): boolean {
    ContactIdSet.check(id);
    const hash = ContactIdSet.hash(id);
    const segment = this.segments[hash >>> (32 - SEGMENT_BITS)]!;
    if (!ContactIdSet.insert(segment, id, hash)) return false;
    this.count++;
    if (++segment.count > segment.growAt) ContactIdSet.grow(segment);
    return true;
  }

  private static insert(segment: Segment, id: number, hash: number): boolean {
    const slots = segment.slots;
    let index = ((hash << SEGMENT_BITS) >>> 0) >>> segment.shift;
    for (;;) {
      const slot = slots[index];
      if (slot === id) return false;
      if (slot === EMPTY) {
        slots[index] = id;
        return true;
      }
      index = (index + 1) & segment.mask;
    }
  }

  private static grow(segment: Segment): void {
    const old = segment.slots;
    const grown = newSegment(old.length * 2);
    segment.slots = grown.slots;
    segment.mask = grown.mask;
    segment.shift = grown.shift;
    segment.growAt = grown.growAt;
    for (let i = 0; i < old.length; i++) {
      const id = old[i]!;
      if (id !== EMPTY) ContactIdSet.insert(segment, id, ContactIdSet.hash(id));
    }
  }

  /**
   * Contact IDs are often dense and sequential; Fibonacci hashing (a multiplication by 2^32/phi) spreads
   * them so that both the segment (top bits) and the home slot (the bits below) are well mixed.
   */
  private static hash(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> 0;
  }

  private static check(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) {
      throw new RangeError(`contact ID must be a positive 32-bit integer, got ${id}`);
    }
  }
}
