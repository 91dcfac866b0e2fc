/**
 * Backpressure: a bounded count of records read but without an outcome, and a bounded number of input
 * characters they hold. While either is full nothing more is read from stdin, so memory stays flat
 * however long the input is and however large its records are. Reading resumes at three quarters, not
 * at the first free slot, so the reader does not wake for every single outcome. One record is always
 * admitted, so a single record larger than the byte budget still goes through rather than stalling.
 */
export class InFlightWindow {
  /** Records read and not yet settled. */
  count = 0;
  /** Input characters held by those records. */
  bytes = 0;
  private waiter: (() => void) | null = null;

  /** The reader is waiting for room (progress lines and batch flushing take this into account). */
  get readerBlocked(): boolean {
    return this.waiter !== null;
  }

  /** `beforeWait` runs each time the reader blocks: work held in partial batches must be sent to free room. */
  constructor(
    readonly size: number,
    readonly byteBudget: number,
    private readonly beforeWait: () => void,
  ) {}

  add(bytes: number): void {
    this.count++;
    this.bytes += bytes;
  }

  isFull(): boolean {
    return this.count >= this.size || (this.count > 0 && this.bytes >= this.byteBudget);
  }

  release(bytes: number): void {
    this.count--;
    this.bytes -= bytes;
    const waiter = this.waiter;
    if (waiter !== null && this.resumable(this.count, this.bytes)) {
      this.waiter = null;
      waiter();
    }
  }

  /**
   * Whether settling `count` records holding `bytes` characters would let a blocked reader go on: then
   * work held in a partial batch can keep waiting for more records, since room is coming anyway.
   */
  resumesAfterReleasing(count: number, bytes: number): boolean {
    return this.resumable(this.count - count, this.bytes - bytes);
  }

  private resumable(count: number, bytes: number): boolean {
    return count <= this.size * 0.75 && (count <= 0 || bytes <= this.byteBudget * 0.75);
  }

  waitForSpace(): Promise<void> {
    const space = new Promise<void>((resolve) => (this.waiter = resolve));
    // Flushing may settle records at once (and so call release); the waiter is in place to hear it.
    this.beforeWait();
    return space;
  }

  /** Lets a blocked reader go whether or not there is room: the sync is stopping. */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
