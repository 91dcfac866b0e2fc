/**
 * Batch: collects resolved contacts per program and cuts them into submissions: chunks of 25 contact IDs,
 * or one list-mode batch. A full batch goes at once; a partial one goes when a state is waiting for it
 * (idle or old enough), so checkpoints keep moving on a slow trickle of records. The batches are this
 * stage's own; a cut batch is handed to the tracker, which queues and sends it.
 */
import { goesThroughList } from '../batch-mode.js';
import type { EnrolmentTracker } from './enrolment-tracker.js';
import type { InFlight, ProgramRoute } from './program-state.js';
import { MAX_CONTACTS_PER_ENROLMENT } from '../../dotdigital/limits.js';
import type { StageContext } from './stage-context.js';

interface Batch {
  items: InFlight[];
  /** When its first and its latest contact joined. */
  firstAt: number;
  lastAt: number;
}

export class EnrolmentBatcher {
  private readonly batches = new Map<ProgramRoute, Batch>();
  /** Contacts in batches, not yet handed to the tracker. */
  private queuedCount = 0;
  /** Set when the input broke: only records a state covers are still sent. */
  private coveredOnly = false;

  constructor(
    private readonly ctx: StageContext,
    private readonly tracker: EnrolmentTracker,
  ) {
    for (const program of ctx.programs) this.batches.set(program, { items: [], firstAt: 0, lastAt: 0 });
  }

  /** Contacts waiting in a batch. */
  get queued(): number {
    return this.queuedCount;
  }

  add(program: ProgramRoute, item: InFlight): void {
    if (this.coveredOnly && !this.ctx.ledger.isCovered(item.tally)) return;
    const batch = this.batches.get(program)!;
    const now = this.ctx.now();
    if (batch.items.length === 0) batch.firstAt = now;
    batch.lastAt = now;
    batch.items.push(item);
    this.queuedCount++;
    if (batch.items.length >= this.batchLimit()) this.flush(program, batch);
  }

  /**
   * Sends partial batches that something waits for: a state, or a reader starved on the window (blocked,
   * with too little handed on downstream to make room: nothing more can arrive until these go). A batch
   * that would go as a staging list waits longer for a state (`listMaxAgeMs`), because every list spends
   * an allowance unit.
   */
  flushStale(now: number, stateWaiting: boolean, readerStarved: boolean): void {
    const { tuning, failure } = this.ctx;
    for (const [program, batch] of this.batches) {
      if (batch.items.length === 0 || failure.error !== undefined) continue;
      const idle = now - batch.lastAt >= tuning.enrolIdleMs;
      const age = now - batch.firstAt;
      const old = age >= tuning.enrolMaxAgeMs;
      if (readerStarved && (idle || old)) this.flush(program, batch);
      else if (stateWaiting && this.asList(program, batch.items.length)) {
        if (age >= tuning.listMaxAgeMs) this.flush(program, batch);
      } else if (stateWaiting && (idle || old)) this.flush(program, batch);
    }
  }

  /**
   * From now on, records no state covers stay unsent (without an outcome): the input broke, so no
   * state this attempt can echo will cover them, and the retry brings them again.
   */
  holdUncovered(): void {
    this.coveredOnly = true;
    const ledger = this.ctx.ledger;
    for (const batch of this.batches.values()) {
      const kept = batch.items.filter((item) => ledger.isCovered(item.tally));
      this.queuedCount -= batch.items.length - kept.length;
      batch.items = kept;
    }
  }

  flushAll(): void {
    for (const [program, batch] of this.batches) this.flush(program, batch);
  }

  private batchLimit(): number {
    return this.ctx.config.enrolmentMode === 'contacts'
      ? MAX_CONTACTS_PER_ENROLMENT
      : this.ctx.tuning.listBatchSize;
  }

  private flush(program: ProgramRoute, batch: Batch): void {
    const items = batch.items;
    if (items.length === 0) return;
    batch.items = [];
    this.queuedCount -= items.length;
    const asList = this.asList(program, items.length);
    const chunkSize = asList ? items.length : MAX_CONTACTS_PER_ENROLMENT;
    for (let start = 0; start < items.length; start += chunkSize) {
      this.tracker.enqueue(program, items.slice(start, start + chunkSize), batch.firstAt);
    }
  }

  private asList(program: ProgramRoute, contacts: number): boolean {
    return goesThroughList(this.ctx.config, contacts, program.engine.accountFacts());
  }
}
