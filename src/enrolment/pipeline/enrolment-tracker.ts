/**
 * Enrol and confirm: queues each program's submissions one after another (allowance is the bottleneck,
 * not latency) and makes them, then follows the accepted enrolment until Dotdigital has
 * finished it or max_state_hold_seconds runs out, and gives its records their outcome. Past the hold the
 * records count as enrolled (so their state can be echoed) and the enrolment is still checked in the
 * background, to log faults the state could no longer wait for. Also owns the work in flight that the
 * end of the sync, or a failure, has to wait for.
 */
import {
  DroppedContact,
  type EnrolmentFault,
  type SentEnrolment,
  type SubmittedEnrolment,
} from '../engine-types.js';
import { batchModeReason } from '../batch-mode.js';
import { budgetDeadline, STATE_WAIT_BUDGET_MS } from '../checkpoint-budget.js';
import { formatDuration } from '../../time/duration.js';
import { enrolmentFaultReason, Reason } from '../rejections.js';
import { ENROLLED, ENROLLED_UNCONFIRMED, rejected, type Outcome } from './outcome.js';
import type { InFlight, ProgramRoute } from './program-state.js';
import type { StageContext } from './stage-context.js';

/** An accepted enrolment whose records do not have their outcome yet. */
interface Pending {
  enrolment: SentEnrolment;
  items: InFlight[];
  program: ProgramRoute;
  settled: boolean;
  /** The state hold ends at the batch's checkpoint deadline, before max_state_hold runs out. */
  heldToBudget: boolean;
}

export class EnrolmentTracker {
  /** Contacts handed over by the batcher and without an outcome yet, and the input characters they hold. */
  private awaitingCount = 0;
  private awaitingChars = 0;
  /** Contacts queued for or inside an enrolment call. */
  private submittingCount = 0;
  /** Per program, the submissions queued so far: each starts once the one before it is made. */
  private readonly chains = new Map<ProgramRoute, Promise<void>>();
  private readonly holdMs: number;
  private readonly pending = new Set<Pending>();
  private readonly background = new Set<Promise<void>>();
  /** Re-checks of enrolments whose records were already counted as enrolled. */
  private readonly late = new Set<Promise<void>>();

  constructor(private readonly ctx: StageContext) {
    this.holdMs = ctx.config.maxStateHoldSeconds * 1000;
  }

  /** Enrolments accepted by Dotdigital and not finished yet. */
  get processing(): number {
    return this.pending.size;
  }

  /** Contacts handed to this stage and without an outcome yet. */
  get awaiting(): number {
    return this.awaitingCount;
  }

  /** Input characters of those contacts' records: the window's room once they settle. */
  get awaitingBytes(): number {
    return this.awaitingChars;
  }

  /** Contacts queued for or inside an enrolment call right now. */
  get submitting(): number {
    return this.submittingCount;
  }

  /**
   * Queues one submission of the program's; it is made once the program's earlier ones are. `formedSince`
   * is when its first contact joined the batch: its waits count from then at the earliest.
   */
  enqueue(program: ProgramRoute, items: InFlight[], formedSince: number): void {
    this.awaitingCount += items.length;
    for (const item of items) this.awaitingChars += item.size;
    this.submittingCount += items.length;
    const chain = this.chains.get(program) ?? Promise.resolve();
    this.chains.set(
      program,
      chain.then(() => this.submit(program, items, formedSince)),
    );
  }

  /** Settles once every submission queued so far has been made (or given up). */
  submitted(): Promise<unknown> {
    return Promise.all(this.chains.values());
  }

  private async submit(program: ProgramRoute, items: InFlight[], formedSince: number): Promise<void> {
    const { failure, counters, output } = this.ctx;
    const heard = await output.stillHeard(
      `Enrolling ${items.length} contacts into program ${program.programId}.`,
    );
    if (!heard || failure.error !== undefined) {
      this.submittingCount -= items.length;
      return;
    }
    // Every wait of this batch (filling it, queueing behind the program's earlier ones, its import, the
    // allowance, processing) ends by one deadline, so together they cannot hold a state past the budget.
    // It counts from the oldest waiting state, or from when the batch began if that is later: look-ups are
    // work, not a wait, and a deadline they had already spent would fail every retry the same way.
    const waitingSince = Math.max(this.ctx.ledger.oldestWaitingSince ?? this.ctx.now(), formedSince);
    const deadline = budgetDeadline(waitingSince);
    let enrolment: SubmittedEnrolment;
    try {
      enrolment = await program.engine.submit(
        items.map((item) => item.contactId),
        deadline,
      );
    } catch (error) {
      failure.fail(error);
      return;
    } finally {
      this.submittingCount -= items.length;
    }
    const why = batchModeReason(this.ctx.config, enrolment.mode, items.length, program.engine.accountFacts());
    counters.countBatch(enrolment.mode, items.length, why);
    if (!enrolment.sent) {
      // No call was made: every contact was dropped, and nothing is left for Dotdigital to finish.
      this.settleItems(items, enrolment.dropped, new Set(), 'nothing was left to send');
      return;
    }
    const holdEnd = this.ctx.now() + this.holdMs;
    const pending: Pending = { enrolment, items, program, settled: false, heldToBudget: deadline < holdEnd };
    this.pending.add(pending);
    const confirmation = this.confirm(pending, Math.min(holdEnd, deadline));
    this.track(confirmation);
  }

  /** Waits for background work (confirmations, staging-list releases) until none is left or the sync fails. */
  async drainBackground(): Promise<void> {
    while (this.background.size > 0 && this.ctx.failure.error === undefined) {
      await Promise.race([Promise.all([...this.background]), this.ctx.failure.failed]);
    }
  }

  /** Gives late re-checks at most `graceMs` to finish, and says so if some did not. */
  async waitForLateConfirmations(graceMs: number): Promise<void> {
    if (this.late.size === 0) return;
    const grace = delay(graceMs);
    await Promise.race([Promise.all([...this.late]), grace.promise, this.ctx.failure.failed]);
    grace.cancel();
    if (this.late.size > 0) {
      this.ctx.logger.warn(
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

  private async confirm(pending: Pending, deadline: number): Promise<void> {
    const { enrolment, program } = pending;
    let finished = false;
    let faults: readonly EnrolmentFault[] = [];
    let problem: string | undefined;
    try {
      const confirmation = await program.engine.confirm(enrolment, deadline);
      finished = confirmation.finished;
      faults = confirmation.faults;
    } catch (error) {
      // While stopping, the engine's waits are aborted on purpose; that is not worth a warning.
      if (this.ctx.failure.error === undefined) {
        problem = error instanceof Error ? error.message : String(error);
        this.ctx.logger.warn(
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
      this.ctx.failure.error !== undefined
        ? 'the sync is stopping'
        : problem !== undefined
          ? 'its outcome could not be read from Dotdigital'
          : pending.heldToBudget
            ? `Dotdigital was still processing it when the batch's ${formatDuration(STATE_WAIT_BUDGET_MS)} of waits a state may take were spent`
            : `Dotdigital was still processing it after ${this.ctx.config.maxStateHoldSeconds}s`;
    this.settleUnconfirmed(pending, why);
    // Keep checking while the sync runs, to log faults the state could no longer wait for.
    if (this.ctx.failure.error === undefined) {
      this.track(this.confirm(pending, this.ctx.now() + Math.max(this.holdMs, 60_000)), this.late);
    }
  }

  private applyConfirmation(pending: Pending, faults: readonly EnrolmentFault[]): void {
    pending.settled = true;
    this.pending.delete(pending);
    const { enrolment } = pending;
    this.settleItems(
      pending.items,
      faults,
      new Set(enrolment.contactIds),
      `enrolment ${enrolment.enrolmentId}`,
    );
    this.releaseAfterEcho(pending);
  }

  /** Each record's outcome from what the engine said of its contact. */
  private settleItems(
    items: readonly InFlight[],
    faults: readonly EnrolmentFault[],
    accepted: ReadonlySet<number>,
    detail: string,
  ): void {
    const faultByContact = new Map<number, EnrolmentFault>();
    for (const fault of faults) faultByContact.set(fault.contactId, fault);
    for (const item of items) {
      const fault = faultByContact.get(item.contactId);
      let outcome: Outcome;
      if (fault instanceof DroppedContact) outcome = rejected(fault.reason, detail);
      else if (fault !== undefined) outcome = rejected(enrolmentFaultReason(fault.reason), detail);
      else if (!accepted.has(item.contactId)) {
        // The engine left the contact out of the call without saying why.
        outcome = rejected(Reason.contactNotFound, 'deleted before the enrolment was sent');
      } else outcome = ENROLLED;
      this.settle(item, outcome);
    }
  }

  /** Accepted but not finished: true enough to echo (Dotdigital will process it), said out loud. */
  private settleUnconfirmed(pending: Pending, why: string): void {
    pending.settled = true;
    this.pending.delete(pending);
    this.ctx.logger.warn(
      `Counting ${pending.items.length} records of enrolment ${pending.enrolment.enrolmentId} (program ` +
        `${pending.program.programId}) as enrolled without confirmation: ${why}. Faults reported later are logged.`,
    );
    for (const item of pending.items) this.settle(item, ENROLLED_UNCONFIRMED);
    this.releaseAfterEcho(pending);
  }

  private settle(item: InFlight, outcome: Outcome): void {
    this.awaitingCount--;
    this.awaitingChars -= item.size;
    this.ctx.outcomes.settle(item, outcome);
  }

  private reportLateFaults(pending: Pending, finished: boolean, faults: readonly EnrolmentFault[]): void {
    const id = pending.enrolment.enrolmentId;
    if (!finished) {
      this.ctx.logger.warn(
        `The outcome of enrolment ${id} is not known: it was not finished when the sync stopped checking it.`,
      );
      return;
    }
    if (faults.length === 0) {
      this.ctx.logger.info(`Enrolment ${id}, counted as enrolled earlier, finished without faults.`);
      return;
    }
    this.ctx.counters.lateFaults += faults.length;
    const byReason = new Map<string, number>();
    for (const fault of faults) byReason.set(fault.reason, (byReason.get(fault.reason) ?? 0) + 1);
    this.ctx.logger.warn(
      `Enrolment ${id}, counted as enrolled when its state was released, finished with ${faults.length} faults ` +
        `(${[...byReason].map(([reason, n]) => `${reason}: ${n}`).join(', ')}); those contacts were not enrolled.`,
    );
  }

  /** Staging lists (list mode) may go once the states covering their records are echoed. */
  private releaseAfterEcho(pending: Pending): void {
    const engine = pending.program.engine;
    const tallies = new Set(pending.items.map((item) => item.tally));
    this.ctx.ledger.whenReleased([...tallies], () => {
      // The list protects a retry until the platform has the states: they must have reached stdout.
      const release = async (): Promise<void> => {
        if (await this.ctx.output.heard()) await engine.release(pending.enrolment);
      };
      this.track(
        release().catch((error: unknown) => {
          this.ctx.logger.warn(
            { err: error },
            `Could not release enrolment ${pending.enrolment.enrolmentId}.`,
          );
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
