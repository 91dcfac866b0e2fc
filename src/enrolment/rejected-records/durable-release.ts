/**
 * Holds each state the checkpoint ledger releases until the rejected records before it are durable in the
 * sink, then echoes it; states keep their order. A record counts as rejected (in the state's
 * destinationStats) only once a user can find it in the store. When the sink is durable at once (no
 * rejections since the last flush, or a local file), the state goes out synchronously, as before.
 */
import type { AirbyteStateMessage } from '../../protocol/messages.js';
import type { RejectionSink } from './sink.js';

export class DurableRelease {
  private readonly waiting: AirbyteStateMessage[] = [];
  private pumping: Promise<void> | null = null;
  private failed = false;

  constructor(
    private readonly sink: RejectionSink,
    private readonly emit: (state: AirbyteStateMessage) => void,
    /** A flush failed: no later state may go out; the sync ends with this error. */
    private readonly fail: (error: unknown) => void,
  ) {}

  release(state: AirbyteStateMessage): void {
    if (this.failed) return;
    if (this.waiting.length === 0 && this.pumping === null && this.sink.flushNow()) {
      this.emit(state);
      return;
    }
    this.waiting.push(state);
    this.pumping ??= this.pump();
  }

  /** Resolves once every state released so far is echoed, or held back for good by a failed flush. */
  async drained(): Promise<void> {
    while (this.pumping !== null) await this.pumping;
  }

  get waitingStates(): number {
    return this.waiting.length;
  }

  private async pump(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        // Every state waiting now was released after its records were added: one flush covers them all.
        const covered = this.waiting.splice(0, this.waiting.length);
        await this.sink.flush();
        for (const state of covered) this.emit(state);
      }
    } catch (error) {
      this.failed = true;
      this.waiting.length = 0;
      this.fail(error);
    } finally {
      this.pumping = null;
    }
  }
}
