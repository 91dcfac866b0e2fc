/**
 * Resolve, check reachability, de-duplicate: prepared records are gathered into large resolve() calls
 * (so the resolver may choose a listing walk), a bounded number of calls run at once, and the answers
 * are applied strictly in input order, so which of two equal records counts as the duplicate is stable.
 * A record that survives goes to the batcher, or settles here (already enrolled recently, dry run).
 */
import type { ConnectorConfig } from '../../config/types.js';
import type { ContactResolver, Resolution } from '../engine-types.js';
import { INVALID_REASON, Reason, unreachableReason } from '../rejections.js';
import type { SyncCounters } from './summary.js';
import type { EnrolmentBatcher } from './enrolment-batcher.js';
import type { RecordOutcomes } from './record-outcomes.js';
import type { InFlight } from './program-state.js';
import type { SyncFailure } from './sync-failure.js';
import type { PipelineTuning } from './tuning.js';

export class ResolutionStage {
  /** resolve() calls running now. */
  active = 0;
  private buffer: InFlight[] = [];
  private bufferSince = 0;
  private readonly slotQueue: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly resolver: ContactResolver,
    private readonly config: ConnectorConfig,
    private readonly tuning: PipelineTuning,
    private readonly counters: SyncCounters,
    private readonly outcomes: RecordOutcomes,
    private readonly batcher: EnrolmentBatcher,
    private readonly failure: SyncFailure,
    private readonly now: () => number,
  ) {}

  add(item: InFlight): void {
    if (this.buffer.length === 0) this.bufferSince = this.now();
    this.buffer.push(item);
    if (this.buffer.length >= this.tuning.resolveBatchSize) this.flush();
  }

  /** A partial batch does not wait longer than resolveMaxAgeMs for more records. */
  flushIfStale(now: number): void {
    if (this.buffer.length > 0 && now - this.bufferSince >= this.tuning.resolveMaxAgeMs) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const items = this.buffer;
    this.buffer = [];
    const resolution = this.resolveWithSlot(items);
    this.chain = this.chain.then(async () => {
      let resolutions: Resolution[];
      try {
        resolutions = await resolution;
      } catch (error) {
        this.failure.fail(error);
        return;
      }
      if (this.failure.error !== undefined) return;
      this.apply(items, resolutions);
    });
  }

  /** Settles once every batch flushed so far has been applied. */
  applied(): Promise<void> {
    return this.chain;
  }

  private async resolveWithSlot(items: InFlight[]): Promise<Resolution[]> {
    if (this.active >= this.tuning.resolveConcurrency) {
      await new Promise<void>((resolve) => this.slotQueue.push(resolve));
    }
    this.active++;
    try {
      if (this.failure.error !== undefined) throw this.failure.error;
      const resolutions = await this.resolver.resolve(items);
      if (resolutions.length !== items.length) {
        throw new Error(`resolver returned ${resolutions.length} answers for ${items.length} queries`);
      }
      return resolutions;
    } finally {
      this.active--;
      this.slotQueue.shift()?.();
    }
  }

  private apply(items: InFlight[], resolutions: Resolution[]): void {
    const enrolUnreachable = this.config.enrolUnreachableContacts;
    const dryRun = this.config.dryRun;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const contact = resolutions[i]!.contact;
      if (resolutions[i]!.identifierRefused) {
        this.outcomes.reject(
          item,
          INVALID_REASON[item.kind],
          'Dotdigital refused the identifier (400 contacts:invalidId)',
        );
        continue;
      }
      if (contact === null) {
        this.outcomes.reject(item, Reason.contactNotFound, `looked up by ${item.kind}`);
        continue;
      }
      if (!enrolUnreachable) {
        const unreachable = unreachableReason(contact);
        if (unreachable !== null) {
          this.outcomes.reject(item, unreachable);
          continue;
        }
      }
      if (item.route.mapper.conflictsWith(item.record.data, item.kind, contact))
        this.counters.identifierConflicts++;
      const program = item.route.program;
      item.contactId = contact.contactId;
      if (!program.seen.add(contact.contactId)) {
        this.outcomes.reject(item, Reason.duplicateInSync, `contact ${contact.contactId}`);
      } else if (program.recent.has(contact.contactId)) {
        this.counters.alreadyEnrolledRecently++;
        this.outcomes.settle(item);
      } else if (dryRun) {
        this.counters.wouldEnrol++;
        this.outcomes.settle(item);
      } else {
        this.batcher.add(program, item);
      }
    }
  }
}
