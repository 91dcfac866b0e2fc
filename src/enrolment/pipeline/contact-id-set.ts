/**
 * The set of contact IDs seen in this sync, so a contact is enrolled once however often the audience
 * repeats it. Its shape is about memory: it is the one structure that grows with the audience, so it
 * must cost a few bytes per distinct contact and grow in small steps.
 *
 * The layout is Roaring's (Chambi, Lemire et al.): the 32-bit ID space is cut into 65,536 chunks by
 * the top 16 bits. A chunk keeps the low 16 bits of its IDs sorted (2 bytes per ID) until it holds
 * 4,096 of them, then switches to a bitmap of 8 KiB, which is smaller from there on. Accounts are given
 * contact IDs in sequence, so an audience is dense in places: a chunk full of one account's contacts
 * costs a bit per possible ID, and scattered IDs cost about 3 bytes each.
 *
 * The sorted arrays live in power-of-two regions of slabs that are never freed (a buddy allocator, so
 * regions that chunks grow out of merge and are reused). A hash table (this set's first shape)
 * grows by copying itself into a larger array, and each old array goes to the garbage collector and
 * then to malloc, which keeps its pages: in a 5-million-contact sync that resident garbage was as large
 * as the live table. Per-chunk typed arrays would have the same problem in small pieces.
 */
const CHUNK_BITS = 16;
const LOW_MASK = (1 << CHUNK_BITS) - 1;
/** Past this many IDs a sorted array (2 bytes each) would be larger than the chunk's bitmap. */
const ARRAY_MAX = 4096;
const BITMAP_WORDS = (1 << CHUNK_BITS) / 32;
/** A chunk's first region holds 2^MIN_CLASS values; regions double up to ARRAY_MAX. */
const MIN_CLASS = 2;
/** A slab is one region of this class (2^16 values, 128 KiB). */
const SLAB_CLASS = 16;
const SLAB_VALUES = 1 << SLAB_CLASS;

interface Chunk {
  /** Sorted form: where its values are in the pool, the region's size class, and how many are used. */
  slab: number;
  offset: number;
  sizeClass: number;
  length: number;
  /** Bitmap form, once the chunk outgrows ARRAY_MAX; the region is then given back. */
  bits: Uint32Array | null;
}

/**
 * A buddy allocator over Uint16 slabs: regions of 2^k values at offsets that are multiples of 2^k, so a
 * region's buddy is found by flipping one bit, and two free buddies merge into one region of twice the
 * size. The merging matters because chunks tend to grow in step (all of them pass 64 values at about the
 * same time when IDs are scattered): without it, the regions they grow out of would pile up on free
 * lists that no chunk needs any more. Slabs are never freed, so growth leaves no garbage behind.
 */
class RegionPool {
  readonly slabs: Uint16Array[] = [];
  /** Per size class, free regions as slab * SLAB_VALUES + offset. */
  private readonly free: Set<number>[] = Array.from({ length: SLAB_CLASS + 1 }, () => new Set<number>());

  get byteLength(): number {
    return this.slabs.length * SLAB_VALUES * Uint16Array.BYTES_PER_ELEMENT;
  }

  /** Points the chunk at a new region of the class (the old one, if any, is the caller's to release). */
  allocate(chunk: Chunk, sizeClass: number): void {
    let found = sizeClass;
    while (found <= SLAB_CLASS && this.free[found]!.size === 0) found++;
    let region: number;
    if (found > SLAB_CLASS) {
      this.slabs.push(new Uint16Array(SLAB_VALUES));
      region = (this.slabs.length - 1) * SLAB_VALUES;
      found = SLAB_CLASS;
    } else {
      const free = this.free[found]!;
      region = free.values().next().value!;
      free.delete(region);
    }
    // Split down to the class asked for; each split frees the upper half.
    while (found > sizeClass) {
      found--;
      this.free[found]!.add(region + (1 << found));
    }
    chunk.slab = Math.floor(region / SLAB_VALUES);
    chunk.offset = region % SLAB_VALUES;
    chunk.sizeClass = sizeClass;
  }

  release(slab: number, offset: number, sizeClass: number): void {
    let region = slab * SLAB_VALUES + offset;
    let size = sizeClass;
    while (size < SLAB_CLASS) {
      // Regions are aligned to their size and slabs to theirs, so the buddy differs in one bit.
      const buddy = region ^ (1 << size);
      if (!this.free[size]!.delete(buddy)) break;
      region = Math.min(region, buddy);
      size++;
    }
    this.free[size]!.add(region);
  }
}

export class ContactIdSet {
  /** Indexed by the ID's top 16 bits; holey until a chunk gets its first ID. */
  private readonly chunks: (Chunk | undefined)[] = new Array<Chunk | undefined>(1 << CHUNK_BITS);
  private readonly pool = new RegionPool();
  private bitmaps = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by slabs and bitmaps, for the memory figures in the summary and the benchmark. */
  get byteLength(): number {
    return this.pool.byteLength + this.bitmaps * BITMAP_WORDS * Uint32Array.BYTES_PER_ELEMENT;
  }

  has(id: number): boolean {
    ContactIdSet.check(id);
    const chunk = this.chunks[id >>> CHUNK_BITS];
    if (chunk === undefined) return false;
    const low = id & LOW_MASK;
    if (chunk.bits !== null) return (chunk.bits[low >>> 5]! & (1 << (low & 31))) !== 0;
    return this.search(chunk, low) >= 0;
  }

  /** Adds the ID; false when it was already present (the caller's signal for a duplicate). */
  add(id: number): boolean {
    ContactIdSet.check(id);
    const high = id >>> CHUNK_BITS;
    const low = id & LOW_MASK;
    let chunk = this.chunks[high];
    if (chunk === undefined) {
      chunk = { slab: 0, offset: 0, sizeClass: 0, length: 0, bits: null };
      this.pool.allocate(chunk, MIN_CLASS);
      this.chunks[high] = chunk;
    }
    if (chunk.bits !== null) {
      const word = low >>> 5;
      const mask = 1 << (low & 31);
      if ((chunk.bits[word]! & mask) !== 0) return false;
      chunk.bits[word]! |= mask;
    } else {
      const found = this.search(chunk, low);
      if (found >= 0) return false;
      this.insert(chunk, -found - 1, low);
    }
    this.count++;
    return true;
  }

  private insert(chunk: Chunk, index: number, low: number): void {
    if (chunk.length === ARRAY_MAX) {
      this.toBitmap(chunk);
      chunk.bits![low >>> 5]! |= 1 << (low & 31);
      return;
    }
    if (chunk.length === 1 << chunk.sizeClass) this.grow(chunk);
    const values = this.pool.slabs[chunk.slab]!;
    const start = chunk.offset;
    values.copyWithin(start + index + 1, start + index, start + chunk.length);
    values[start + index] = low;
    chunk.length++;
  }

  private grow(chunk: Chunk): void {
    const { slab, offset, sizeClass } = chunk;
    this.pool.allocate(chunk, sizeClass + 1);
    const from = this.pool.slabs[slab]!;
    const to = this.pool.slabs[chunk.slab]!;
    if (from === to) to.copyWithin(chunk.offset, offset, offset + chunk.length);
    else to.set(from.subarray(offset, offset + chunk.length), chunk.offset);
    this.pool.release(slab, offset, sizeClass);
  }

  private toBitmap(chunk: Chunk): void {
    const bits = new Uint32Array(BITMAP_WORDS);
    const values = this.pool.slabs[chunk.slab]!;
    for (let i = chunk.offset; i < chunk.offset + chunk.length; i++) {
      const low = values[i]!;
      bits[low >>> 5]! |= 1 << (low & 31);
    }
    this.pool.release(chunk.slab, chunk.offset, chunk.sizeClass);
    chunk.bits = bits;
    chunk.length = 0;
    this.bitmaps++;
  }

  /** The index of `low` among the chunk's sorted values, or -(insertion point) - 1 when absent. */
  private search(chunk: Chunk, low: number): number {
    const values = this.pool.slabs[chunk.slab]!;
    const base = chunk.offset;
    const length = chunk.length;
    // Audiences often arrive in ID order: an append is recognised without a search.
    if (length === 0 || values[base + length - 1]! < low) return -length - 1;
    let from = 0;
    let to = length;
    while (from < to) {
      const middle = (from + to) >>> 1;
      const value = values[base + middle]!;
      if (value < low) from = middle + 1;
      else if (value > low) to = middle;
      else return middle;
    }
    return -from - 1;
  }

  private static check(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) {
      throw new RangeError(`contact ID must be a positive 32-bit integer, got ${id}`);
    }
  }
}
