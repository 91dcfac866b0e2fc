/**
 * Enrol and confirm: makes each submission, then follows the accepted enrolment until Dotdigital has
 * finished it or max_state_hold_seconds runs out, and gives its records their outcome. Past the hold the
 * records count as enrolled (so their state can be echoed) and the enrolment is still checked in the
 * background, to log faults the state could no longer wait for. Also owns the work in flight that the
 * end of the sync, or a failure, has to wait for.
 */
import type { Logger } from 'pino';

import type { ConnectorConfig } from '../../config/types.js';
import type { CheckpointLedger } from './checkpoints.js';
import type { SubmittedEnrolment } from '../engine-types.js';
import { enrolmentFaultReason, Reason } from '../rejections.js';
import type { SyncCounters } from './summary.js';
import type { RecordOutcomes } from './record-outcomes.js';
import type { InFlight, ProgramRoute } from './program-state.js';
import type { SyncFailure } from './sync-failure.js';

type Faults = { contactId: number; reason: string }[];

/** An accepted enrolment whose records do not have their outcome yet. */
interface Pending {
  enrolment: SubmittedEnrolment;
  items: InFlight[];
  program: ProgramRoute;
  settled: boolean;
}

export class EnrolmentTracker {
  /** Contacts resolved and queued or submitted but without an outcome yet. */
  awaitingEnrolment = 0;
  private readonly holdMs: number;
  private readonly pending = new Set<Pending>();
  private readonly background = new Set<Promise<void>>();
  /** Re-checks of enrolments whose records were already counted as enrolled. */
  private readonly late = new Set<Promise<void>>();

  constructor(
    private readonly config: ConnectorConfig,
    private readonly logger: Logger,
    private readonly counters: SyncCounters,
    private readonly ledger: CheckpointLedger,
    private readonly outcomes: RecordOutcomes,
    private readonly failure: SyncFailure,
    private readonly now: () => number,
  ) {
    this.holdMs = config.maxStateHoldSeconds * 1000;
  }

  /** Enrolments accepted by Dotdigital and not finished yet. */
  get processing(): number {
    return this.pending.size;
  }

  async submit(program: ProgramRoute, items: InFlight[]): Promise<void> {
    if (this.failure.error !== undefined) return;
    let enrolment: SubmittedEnrolment;
    try {
      enrolment = await program.engine.submit(items.map((item) => item.contactId));
    } catch (error) {
      this.failure.fail(error);
      return;
    } finally {
      program.submitting -= items.length;
    }
    this.counters.countBatch(enrolment.mode, items.length, this.batchModeReason(enrolment.mode));
    const pending: Pending = { enrolment, items, program, settled: false };
    this.pending.add(pending);
    const confirmation = this.confirm(pending, this.now() + this.holdMs);
    this.track(confirmation);
  }

  /** Waits for background work (confirmations, staging-list releases) until none is left or the sync fails. */
  async drainBackground(): Promise<void> {
    while (this.background.size > 0 && this.failure.error === undefined) {
      await Promise.race([Promise.all([...this.background]), this.failure.failed]);
    }
  }

  /** Gives late re-checks at most `graceMs` to finish, and says so if some did not. */
  async waitForLateConfirmations(graceMs: number): Promise<void> {
    if (this.late.size === 0) return;
    const grace = delay(graceMs);
    await Promise.race([Promise.all([...this.late]), grace.promise, this.failure.failed]);
    grace.cancel();
    if (this.late.size > 0) {
      this.logger.warn(
        `${this.late.size} enrolments counted as enrolled were still processing at the end of the sync; ` +
          'faults Dotdigital reports for them later are not known to this sync.',
      );
    }
  }

  /**
   * After a failure or SIGTERM: nothing new is submitted; enrolments Dotdigital already accepted get a
   * short grace to finish, then count as enrolled, so the states they cover can be echoed and a re-run
   * does not enrol those contacts again.
   */
  async settleAfterFailure(graceMs: number): Promise<void> {
    if (this.pending.size > 0) {
      const grace = delay(graceMs);
      await Promise.race([grace.promise, Promise.all([...this.background])]);
      grace.cancel();
    }
    for (const pending of [...this.pending]) {
      if (!pending.settled) this.settleUnconfirmed(pending, 'the sync is stopping');
    }
  }

  private batchModeReason(mode: SubmittedEnrolment['mode']): string {
    const { enrolmentMode, listModeThreshold } = this.config;
    return mode === 'list'
      ? enrolmentMode === 'list'
        ? 'enrolment_mode is list'
        : `batches of ${listModeThreshold} or more contacts go through a staging list`
      : enrolmentMode === 'contacts'
        ? 'enrolment_mode is contacts'
        : `batches under ${listModeThreshold} contacts are enrolled by contact IDs`;
  }

  private async confirm(pending: Pending, deadline: number): Promise<void> {
    const { enrolment, program } = pending;
    let finished = false;
    let faults: Faults = [];
    let problem: string | undefined;
    try {
      const confirmation = await program.engine.confirm(enrolment, deadline);
      finished = confirmation.finished;
      faults = confirmation.faults;
    } catch (error) {
      // While stopping, the engine's waits are aborted on purpose; that is not worth a warning.
      if (this.failure.error === undefined) {
        problem = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          { err: error },
          `Could not read the outcome of enrolment ${enrolment.enrolmentId} (program ${program.programId}).`,
        );
      }
    }
    if (pending.settled) {
      this.reportLateFaults(pending, finished, faults);
      return;
    }
    if (finished) {
      this.applyConfirmation(pending, faults);
      return;
    }
    const why =
      this.failure.error !== undefined
        ? 'the sync is stopping'
        : problem !== undefined
          ? 'its outcome could not be read from Dotdigital'
          : `Dotdigital was still processing it after ${this.config.maxStateHoldSeconds}s`;
    this.settleUnconfirmed(pending, why);
    // Keep checking while the sync runs, to log faults the state could no longer wait for.
    if (this.failure.error === undefined) {
      this.track(this.confirm(pending, this.now() + Math.max(this.holdMs, 60_000)), this.late);
    }
  }

  private applyConfirmation(pending: Pending, faults: Faults): void {
    pending.settled = true;
    this.pending.delete(pending);
    const faultByContact = new Map<number, string>();
    for (const fault of faults) faultByContact.set(fault.contactId, fault.reason);
    const accepted = new Set(pending.enrolment.contactIds);
    for (const item of pending.items) {
      this.awaitingEnrolment--;
      const fault = faultByContact.get(item.contactId);
      if (fault !== undefined) {
        this.outcomes.reject(item, enrolmentFaultReason(fault), `enrolment ${pending.enrolment.enrolmentId}`);
      } else if (!accepted.has(item.contactId)) {
        // The engine left the contact out of the call (it was deleted after it was resolved).
        this.outcomes.reject(item, Reason.contactNotFound, 'deleted before the enrolment was sent');
      } else {
        this.counters.enrolled++;
        this.outcomes.settle(item);
      }
    }
    this.releaseAfterEcho(pending);
  }

  /** Accepted but not finished: true enough to echo (Dotdigital will process it), said out loud. */
  private settleUnconfirmed(pending: Pending, why: string): void {
    pending.settled = true;
    this.pending.delete(pending);
    this.logger.warn(
      `Counting ${pending.items.length} records of enrolment ${pending.enrolment.enrolmentId} (program ` +
        `${pending.program.programId}) as enrolled without confirmation: ${why}. Faults reported later are logged.`,
    );
    for (const item of pending.items) {
      this.awaitingEnrolment--;
      this.counters.enrolledUnconfirmed++;
      this.outcomes.settle(item);
    }
    this.releaseAfterEcho(pending);
  }

  private reportLateFaults(pending: Pending, finished: boolean, faults: Faults): void {
    const id = pending.enrolment.enrolmentId;
    if (!finished) {
      this.logger.warn(
        `The outcome of enrolment ${id} is not known: it was not finished when the sync stopped checking it.`,
      );
      return;
    }
    if (faults.length === 0) {
      this.logger.info(`Enrolment ${id}, counted as enrolled earlier, finished without faults.`);
      return;
    }
    this.counters.lateFaults += faults.length;
    const byReason = new Map<string, number>();
    for (const fault of faults) byReason.set(fault.reason, (byReason.get(fault.reason) ?? 0) + 1);
    this.logger.warn(
      `Enrolment ${id}, counted as enrolled when its state was released, finished with ${faults.length} faults ` +
        `(${[...byReason].map(([reason, n]) => `${reason}: ${n}`).join(', ')}); those contacts were not enrolled.`,
    );
  }

  /** Staging lists (list mode) may go once the states covering their records are echoed. */
  private releaseAfterEcho(pending: Pending): void {
    const engine = pending.program.engine;
    const tallies = new Set(pending.items.map((item) => item.tally));
    this.ledger.whenReleased([...tallies], () => {
      this.track(
        engine.release(pending.enrolment).catch((error: unknown) => {
          this.logger.warn({ err: error }, `Could not release enrolment ${pending.enrolment.enrolmentId}.`);
        }),
      );
    });
  }

  private track(work: Promise<void>, set: Set<Promise<void>> = this.background): void {
    set.add(work);
    void work.finally(() => set.delete(work));
  }
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}
