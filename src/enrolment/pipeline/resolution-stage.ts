/**
 * Resolve, check reachability, de-duplicate: prepared records are gathered into large resolve() calls
 * (so the resolver may choose a listing walk), a bounded number of calls run at once, and the answers
 * are applied strictly in input order, so which of two equal records counts as the duplicate is stable.
 * A record that survives goes to the batcher, or settles here (already enrolled recently, dry run).
 * The per-program duplicate sets and recent enrolments are this stage's own.
 */
import type { ContactResolver, Resolution } from '../engine-types.js';
import { INVALID_REASON, Reason, unreachableReason } from '../rejections.js';
import { ContactIdSet } from './contact-id-set.js';
import type { EnrolmentBatcher } from './enrolment-batcher.js';
import { ALREADY_ENROLLED, rejected, WOULD_ENROL } from './outcome.js';
import type { InFlight, ProgramRoute } from './program-state.js';
import type { StageContext } from './stage-context.js';

interface ProgramContacts {
  /** Contacts taken by this sync: a second record for one is a duplicate. */
  readonly seen: ContactIdSet;
  /** Contacts the program's recent enrolments already cover (crash recovery). */
  recent: ReadonlySet<number>;
}

export class ResolutionStage {
  /** resolve() calls running now. */
  active = 0;
  /** Records added and not yet handed on (buffered, or in a resolve batch not applied yet). */
  private holdingCount = 0;
  private buffer: InFlight[] = [];
  private bufferSince = 0;
  private readonly slotQueue: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly contacts = new Map<ProgramRoute, ProgramContacts>();

  constructor(
    private readonly ctx: StageContext,
    private readonly resolver: ContactResolver,
    private readonly batcher: EnrolmentBatcher,
  ) {
    for (const program of ctx.programs)
      this.contacts.set(program, { seen: new ContactIdSet(), recent: new Set() });
  }

  /** Before the first record: the contacts each program's recent enrolments cover. */
  async loadRecentEnrolments(): Promise<void> {
    for (const [program, contacts] of this.contacts) {
      try {
        contacts.recent = await program.engine.recentlyEnrolled();
      } catch (error) {
        this.ctx.failure.fail(error);
        return;
      }
    }
  }

  /** Records this stage still holds: each will join an enrolment batch or settle (freeing its slot). */
  get holding(): number {
    return this.holdingCount;
  }

  add(item: InFlight): void {
    this.holdingCount++;
    if (this.buffer.length === 0) this.bufferSince = this.ctx.now();
    this.buffer.push(item);
    if (this.buffer.length >= this.ctx.tuning.resolveBatchSize) this.flush();
  }

  /** A partial batch does not wait longer than resolveMaxAgeMs for more records. */
  flushIfStale(now: number): void {
    if (this.buffer.length > 0 && now - this.bufferSince >= this.ctx.tuning.resolveMaxAgeMs) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const items = this.buffer;
    this.buffer = [];
    const resolution = this.resolveWithSlot(items);
    const failure = this.ctx.failure;
    this.chain = this.chain.then(async () => {
      let resolutions: Resolution[];
      try {
        resolutions = await resolution;
      } catch (error) {
        failure.fail(error);
        return;
      } finally {
        this.holdingCount -= items.length;
      }
      if (failure.error !== undefined) return;
      this.apply(items, resolutions);
    });
  }

  /** Settles once every batch flushed so far has been applied. */
  applied(): Promise<void> {
    return this.chain;
  }

  private async resolveWithSlot(items: InFlight[]): Promise<Resolution[]> {
    if (this.active >= this.ctx.tuning.resolveConcurrency) {
      await new Promise<void>((resolve) => this.slotQueue.push(resolve));
    }
    this.active++;
    try {
      if (this.ctx.failure.error !== undefined) throw this.ctx.failure.error;
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
    const { config, outcomes, counters } = this.ctx;
    const enrolUnreachable = config.enrolUnreachableContacts;
    const dryRun = config.dryRun;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const contact = resolutions[i]!.contact;
      if (resolutions[i]!.identifierRefused) {
        outcomes.settle(
          item,
          rejected(INVALID_REASON[item.kind], 'Dotdigital refused the identifier (400 contacts:invalidId)'),
        );
        continue;
      }
      if (contact === null) {
        outcomes.settle(item, rejected(Reason.contactNotFound, `looked up by ${item.kind}`));
        continue;
      }
      if (!enrolUnreachable) {
        const unreachable = unreachableReason(contact);
        if (unreachable !== null) {
          outcomes.settle(item, rejected(unreachable));
          continue;
        }
      }
      // record-preparation let only records whose data is an object this far.
      const data = item.record.data as Record<string, unknown>;
      if (item.route.mapper.conflictsWith(data, item.kind, contact)) counters.identifierConflicts++;
      const program = item.route.program;
      const known = this.contacts.get(program)!;
      item.contactId = contact.contactId;
      if (!known.seen.add(contact.contactId)) {
        outcomes.settle(item, rejected(Reason.duplicateInSync, `contact ${contact.contactId}`));
      } else if (known.recent.has(contact.contactId)) {
        outcomes.settle(item, ALREADY_ENROLLED);
      } else if (dryRun) {
        outcomes.settle(item, WOULD_ENROL);
      } else {
        this.batcher.add(program, item);
      }
    }
  }
}
