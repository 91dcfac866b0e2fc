/**
 * The set of contact IDs seen in this sync, so a contact is enrolled once however often the audience
 * repeats it. Open addressing with linear probing over one Uint32Array (0 marks an empty slot, which is
 * free because contact IDs are positive): 4 bytes per slot at a load factor kept between 0.4 and 0.8,
 * so 5–10 bytes per distinct contact and no per-entry object for the garbage collector to trace.
 */
const EMPTY = 0;
const MAX_LOAD = 0.8;
const MIN_CAPACITY = 1024;

export class ContactIdSet {
  private slots: Uint32Array;
  private mask: number;
  private shift: number;
  private count = 0;
  private growAt: number;

  constructor(expectedSize = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity * MAX_LOAD < expectedSize) capacity *= 2;
    this.slots = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.growAt = Math.floor(capacity * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table, for the memory figures in the summary and the benchmark. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  has(id: number): boolean {
    ContactIdSet.check(id);
    const slots = this.slots;
    let index = this.home(id);
    for (;;) {
      const slot = slots[index];
      if (slot === id) return true;
      if (slot === EMPTY) return false;
      index = (index + 1) & this.mask;
    }
  }

  /** Adds the ID; false when it was already present (the caller's signal for a duplicate). */
  add(id: number): boolean {
    ContactIdSet.check(id);
    if (!this.insert(id)) return false;
    this.count++;
    if (this.count > this.growAt) this.grow();
    return true;
  }

  private insert(id: number): boolean {
    const slots = this.slots;
    let index = this.home(id);
    for (;;) {
      const slot = slots[index];
      if (slot === id) return false;
      if (slot === EMPTY) {
        slots[index] = id;
        return true;
      }
      index = (index + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.shift -= 1;
    this.growAt = Math.floor(this.slots.length * MAX_LOAD);
    for (let i = 0; i < old.length; i++) {
      const id = old[i]!;
      if (id !== EMPTY) this.insert(id);
    }
  }

  /**
   * Contact IDs are often dense and sequential; Fibonacci hashing (the top bits of a multiplication by
   * 2^32/phi) spreads them so linear probing does not build long runs.
   */
  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }

  private static check(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) {
      throw new RangeError(`contact ID must be a positive 32-bit integer, got ${id}`);
    }
  }
}
