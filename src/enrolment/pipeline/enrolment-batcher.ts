/**
 * Batch: collects resolved contacts per program and cuts them into submissions: chunks of 25 contact IDs,
 * or one list-mode batch. A full batch goes at once; a partial one goes when a state is waiting for it
 * (idle or old enough), so checkpoints keep moving on a slow trickle of records.
 */
import type { ConnectorConfig } from '../../config/types.js';
import type { EnrolmentTracker } from './enrolment-tracker.js';
import type { InFlight, ProgramRoute } from './program-state.js';
import type { SyncFailure } from './sync-failure.js';
import { MAX_CONTACTS_PER_ENROLMENT } from '../../dotdigital/limits.js';
import type { PipelineTuning } from './tuning.js';

export class EnrolmentBatcher {
  constructor(
    private readonly programs: ReadonlyMap<number, ProgramRoute>,
    private readonly config: ConnectorConfig,
    private readonly tuning: PipelineTuning,
    private readonly tracker: EnrolmentTracker,
    private readonly failure: SyncFailure,
    private readonly now: () => number,
  ) {}

  add(program: ProgramRoute, item: InFlight): void {
    const now = this.now();
    if (program.batch.length === 0) program.batchFirstAt = now;
    program.batchLastAt = now;
    program.batch.push(item);
    this.tracker.awaitingEnrolment++;
    if (program.batch.length >= this.batchLimit()) this.flush(program);
  }

  /**
   * Sends partial batches that something waits for: a state, or a reader blocked on the window (then
   * nothing more can arrive until something settles). A batch that would go as a staging list waits
   * longer for a state (`listMaxAgeMs`), because every list spends an allowance unit.
   */
  flushStale(now: number, stateWaiting: boolean, readerBlocked: boolean): void {
    for (const program of this.programs.values()) {
      if (program.batch.length === 0 || this.failure.error !== undefined) continue;
      const idle = now - program.batchLastAt >= this.tuning.enrolIdleMs;
      const age = now - program.batchFirstAt;
      const old = age >= this.tuning.enrolMaxAgeMs;
      if (readerBlocked && (idle || old)) this.flush(program);
      else if (stateWaiting && this.wouldUseList(program.batch.length)) {
        if (age >= this.tuning.listMaxAgeMs) this.flush(program);
      } else if (stateWaiting && (idle || old)) this.flush(program);
    }
  }

  flushAll(): void {
    for (const program of this.programs.values()) this.flush(program);
  }

  /** Settles once every submission queued so far has been made (or given up). */
  submitted(): Promise<unknown> {
    return Promise.all([...this.programs.values()].map((program) => program.submitChain));
  }

  /** Contacts queued for or inside an enrolment call right now. */
  submitting(): number {
    let submitting = 0;
    for (const program of this.programs.values()) submitting += program.submitting;
    return submitting;
  }

  private batchLimit(): number {
    return this.config.enrolmentMode === 'contacts' ? MAX_CONTACTS_PER_ENROLMENT : this.tuning.listBatchSize;
  }

  private flush(program: ProgramRoute): void {
    const items = program.batch;
    if (items.length === 0) return;
    program.batch = [];
    const asList = this.wouldUseList(items.length);
    const chunkSize = asList ? items.length : MAX_CONTACTS_PER_ENROLMENT;
    for (let start = 0; start < items.length; start += chunkSize) {
      const chunk = items.slice(start, start + chunkSize);
      program.submitting += chunk.length;
      program.submitChain = program.submitChain.then(() => this.tracker.submit(program, chunk));
    }
  }

  /**
   * List mode for `list`, and in `auto` for batches of at least list_mode_threshold; anything else is
   * sent as chunks of at most 25 contact IDs, which every engine takes by contacts.
   */
  private wouldUseList(size: number): boolean {
    const { enrolmentMode, listModeThreshold } = this.config;
    return enrolmentMode === 'list' || (enrolmentMode === 'auto' && size >= listModeThreshold);
  }
}
