/**
 * The one place a record gets its outcome. Every stage ends a record here, so each record is counted
 * once, frees its slot in the window once, and moves the checkpoint ledger once.
 */
import type { CheckpointLedger } from './checkpoints.js';
import { describeRejection, type RejectionSink } from '../rejections.js';
import type { SyncCounters } from './summary.js';
import type { InFlightWindow } from './in-flight-window.js';
import type { InFlight } from './program-state.js';

export class RecordOutcomes {
  constructor(
    private readonly counters: SyncCounters,
    private readonly rejections: RejectionSink,
    private readonly ledger: CheckpointLedger,
    private readonly window: InFlightWindow,
  ) {}

  reject(item: InFlight, reason: string, detail?: string): void {
    this.counters.countRejection(reason);
    this.rejections.add({
      record: item.record.data,
      stream: item.tally.descriptor,
      reason,
      message: describeRejection(reason, detail),
      emittedAt: item.record.emitted_at,
    });
    this.window.release(item.size);
    this.ledger.settle(item.tally, reason);
  }

  /** Counting the outcome (enrolled, would enrol, …) is the caller's; this frees the record's place. */
  settle(item: InFlight): void {
    this.window.release(item.size);
    this.ledger.settle(item.tally);
  }
}
