/**
 * The one place a record gets its outcome. Every stage ends a record here, so each record is counted
 * once, a rejected one is kept once, it frees its slot in the window once, and it moves the checkpoint
 * ledger once.
 */
import type { CheckpointLedger } from './checkpoints.js';
import { describeRejection, type RejectionSink } from '../rejections.js';
import type { SyncCounters } from './summary.js';
import type { InFlightWindow } from './in-flight-window.js';
import type { Outcome } from './outcome.js';
import type { InFlight } from './program-state.js';

export class RecordOutcomes {
  constructor(
    private readonly counters: SyncCounters,
    private readonly rejections: RejectionSink,
    private readonly ledger: CheckpointLedger,
    private readonly window: InFlightWindow,
  ) {}

  settle(item: InFlight, outcome: Outcome): void {
    this.counters.countOutcome(outcome);
    if (outcome.kind === 'rejected') {
      this.rejections.add({
        record: item.record.data,
        stream: item.tally.descriptor,
        reason: outcome.reason,
        message: describeRejection(outcome.reason, outcome.detail),
        emittedAt: item.record.emitted_at,
      });
    }
    this.window.release(item.size);
    this.ledger.settle(item.tally, outcome.kind === 'rejected' ? outcome.reason : undefined);
  }
}
