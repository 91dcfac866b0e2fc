/**
 * Backpressure: a bounded count of records read but without an outcome. While it is full nothing more is
 * read from stdin, so memory stays flat however long the input is. Reading resumes at three quarters,
 * not at the first free slot, so the reader does not wake for every single outcome.
 */
export class InFlightWindow {
  /** Records read and not yet settled. */
  count = 0;
  /** The reader is waiting for room (progress lines and batch flushing take this into account). */
  readerBlocked = false;
  private waiter: (() => void) | null = null;

  /** `beforeWait` runs each time the reader blocks: work held in partial batches must be sent to free room. */
  constructor(
    readonly size: number,
    private readonly beforeWait: () => void,
  ) {}

  add(): void {
    this.count++;
  }

  isFull(): boolean {
    return this.count >= this.size;
  }

  release(): void {
    this.count--;
    const waiter = this.waiter;
    if (waiter !== null && this.count <= this.size * 0.75) {
      this.waiter = null;
      waiter();
    }
  }

  waitForSpace(): Promise<void> {
    this.readerBlocked = true;
    this.beforeWait();
    return new Promise<void>((resolve) => {
      this.waiter = () => {
        this.readerBlocked = false;
        resolve();
      };
    });
  }

  /** Lets a blocked reader go whether or not there is room: the sync is stopping. */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
