/**
 * The checkpoint ledger: decides when a STATE message is true and may be echoed.
 *
 * Like committed offsets in Kafka, a state covers every record read before it. Each state closes a
 * segment; a segment counts its records still without an outcome. Outcomes arrive in any order (batches
 * finish at different times), but states are released strictly in input order, each once its segment and
 * every earlier one have no pending record. Memory is O(open segments), never O(records).
 *
 * destinationStats counts the records since the previous state: per stream descriptor for STREAM states
 * (since that stream's previous state), and across all streams for GLOBAL and LEGACY states. It follows
 * the platform's checksum (airbyte-platform, airbyte-container-orchestrator/…/bookkeeping/
 * StateCheckSumCountEventHandler.kt: `val destinationTotalCount = stateRecordCount +
 * (stats.rejectedRecordCount ?: 0.0)`, compared with the source's and the platform's count): recordCount
 * is the records that were NOT rejected, rejectedRecordCount the rejected ones, so the two add up to the
 * records the state covers. additionalStats holds the rejected records per reason; the platform sums
 * each key into the attempt's stats (StatsTracker.kt, mergeAdditionalStats).
 */
import type { AirbyteStateMessage, AirbyteStateStats, StreamDescriptor } from '../../protocol/messages.js';

/** One stream's records within one segment; a record in flight holds a reference to its tally. */
export interface Tally {
  readonly segment: Segment;
  readonly streamKey: string;
  readonly descriptor: StreamDescriptor;
  records: number;
  rejected: number;
  /** Rejected records by reason; null until the first rejection (most tallies have none). */
  reasons: Map<string, number> | null;
}

interface Segment {
  readonly order: number;
  pending: number;
  released: boolean;
  /** Run once this segment's state is echoed (or, for the open segment, when the sync ends well). */
  callbacks: (() => void)[] | null;
  state: AirbyteStateMessage | null;
  closedAt: number;
  readonly tallies: Map<string, Tally>;
}

interface Carry {
  records: number;
  rejected: number;
  reasons: Map<string, number> | null;
}

/** The additionalStats key for one rejection reason. */
export function rejectedStatKey(reason: string): string {
  return `${REJECTED_STAT_PREFIX}${reason}`;
}
const REJECTED_STAT_PREFIX = 'rejected.';

function addReasons(
  into: Map<string, number> | null,
  from: Map<string, number> | null,
): Map<string, number> | null {
  if (from === null) return into;
  const out = into ?? new Map<string, number>();
  for (const [reason, count] of from) out.set(reason, (out.get(reason) ?? 0) + count);
  return out;
}

export function streamKey(name: string, namespace: string | undefined): string {
  return namespace ? `${namespace}\u0000${name}` : name;
}

let segmentOrder = 0;

function newSegment(): Segment {
  return {
    order: segmentOrder++,
    pending: 0,
    released: false,
    callbacks: null,
    state: null,
    closedAt: 0,
    tallies: new Map(),
  };
}

export class CheckpointLedger {
  private open: Segment = newSegment();
  /** Closed segments not yet released, oldest first; `head` avoids shifting the array. */
  private closed: Segment[] = [];
  private head = 0;
  private readonly carry = new Map<string, Carry>();
  private lastTally: Tally | null = null;
  private released = 0;

  constructor(
    private readonly emit: (state: AirbyteStateMessage) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a record read from stdin; it stays pending until settle(). */
  addRecord(name: string, namespace: string | undefined): Tally {
    let tally = this.lastTally;
    if (
      tally === null ||
      tally.segment !== this.open ||
      tally.descriptor.name !== name ||
      tally.descriptor.namespace !== namespace
    ) {
      const key = streamKey(name, namespace);
      tally = this.open.tallies.get(key) ?? null;
      if (tally === null) {
        const descriptor: StreamDescriptor = namespace === undefined ? { name } : { name, namespace };
        tally = { segment: this.open, streamKey: key, descriptor, records: 0, rejected: 0, reasons: null };
        this.open.tallies.set(key, tally);
      }
      this.lastTally = tally;
    }
    tally.records++;
    this.open.pending++;
    return tally;
  }

  /**
   * Records the one outcome of a record — `rejectedFor` is the rejection reason, undefined when the record
   * was not rejected; may release states (synchronously, through emit).
   */
  settle(tally: Tally, rejectedFor?: string): void {
    const segment = tally.segment;
    if (segment.pending <= 0) throw new Error('checkpoint ledger: a record was settled twice');
    segment.pending--;
    if (rejectedFor !== undefined) {
      tally.rejected++;
      const reasons = (tally.reasons ??= new Map());
      reasons.set(rejectedFor, (reasons.get(rejectedFor) ?? 0) + 1);
    }
    if (segment.pending === 0 && segment.state !== null) this.release();
  }

  /** A STATE message read from stdin: it closes the current segment and waits behind its records. */
  addState(state: AirbyteStateMessage): void {
    const segment = this.open;
    segment.state = state;
    segment.closedAt = this.now();
    this.closed.push(segment);
    this.open = newSegment();
    this.release();
  }

  /**
   * Runs `callback` once the states covering all of the given records' segments are echoed — at once if
   * they already are. Used to keep list-mode staging lists until no re-run can need them.
   */
  whenReleased(tallies: readonly Tally[], callback: () => void): void {
    let last: Segment | undefined;
    for (const tally of tallies)
      if (last === undefined || tally.segment.order > last.order) last = tally.segment;
    if (last === undefined || last.released) {
      callback();
      return;
    }
    (last.callbacks ??= []).push(callback);
  }

  /**
   * The input ended and everything settled: records after the last state are done too, so their
   * callbacks may run, though no state will ever cover them.
   */
  releaseRemaining(): void {
    this.release();
    const segments = [...this.closed.slice(this.head), this.open];
    for (const segment of segments) {
      if (segment.pending > 0) continue;
      this.runCallbacks(segment);
    }
  }

  private runCallbacks(segment: Segment): void {
    const callbacks = segment.callbacks;
    segment.callbacks = null;
    if (callbacks !== null) for (const callback of callbacks) callback();
  }

  /** States read but not yet echoed. */
  get waitingStates(): number {
    return this.closed.length - this.head;
  }

  /** When the oldest waiting state was read, or undefined when none waits. */
  get oldestWaitingSince(): number | undefined {
    return this.closed[this.head]?.closedAt;
  }

  /** Records read before the oldest waiting state that still have no outcome. */
  get pendingBeforeOldestState(): number {
    let pending = 0;
    for (let i = this.head; i < this.closed.length; i++) pending += this.closed[i]!.pending;
    return pending;
  }

  /** Records read after the last state that have no outcome yet. */
  get pendingAfterLastState(): number {
    return this.open.pending;
  }

  /** Whether a state read so far covers the record: its state can be echoed once it has an outcome. */
  isCovered(tally: Tally): boolean {
    return tally.segment.state !== null;
  }

  get releasedStates(): number {
    return this.released;
  }

  private release(): void {
    while (this.head < this.closed.length) {
      const segment = this.closed[this.head]!;
      if (segment.pending > 0) return;
      this.closed[this.head] = undefined as unknown as Segment;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.closed.length) {
        this.closed = this.closed.slice(this.head);
        this.head = 0;
      }
      this.emitFor(segment);
    }
  }

  private emitFor(segment: Segment): void {
    for (const tally of segment.tallies.values()) {
      const carry = this.carry.get(tally.streamKey);
      if (carry === undefined)
        this.carry.set(tally.streamKey, {
          records: tally.records,
          rejected: tally.rejected,
          reasons: addReasons(null, tally.reasons),
        });
      else {
        carry.records += tally.records;
        carry.rejected += tally.rejected;
        carry.reasons = addReasons(carry.reasons, tally.reasons);
      }
    }
    if (this.lastTally?.segment === segment) this.lastTally = null;
    const state = segment.state!;
    let records = 0;
    let rejected = 0;
    let reasons: Map<string, number> | null = null;
    if (state.type === 'STREAM') {
      const descriptor = state.stream?.stream_descriptor;
      const key = streamKey(descriptor?.name ?? '', descriptor?.namespace);
      const carry = this.carry.get(key);
      if (carry !== undefined) {
        records = carry.records;
        rejected = carry.rejected;
        reasons = carry.reasons;
        this.carry.delete(key);
      }
    } else {
      for (const carry of this.carry.values()) {
        records += carry.records;
        rejected += carry.rejected;
        reasons = addReasons(reasons, carry.reasons);
      }
      this.carry.clear();
    }
    this.released++;
    segment.released = true;
    this.emit({ ...state, destinationStats: destinationStats(records, rejected, reasons) });
    this.runCallbacks(segment);
  }
}

/**
 * recordCount excludes the rejected records (the platform adds rejectedRecordCount back for its
 * checksum); additionalStats appears only when something was rejected.
 */
function destinationStats(
  records: number,
  rejected: number,
  reasons: Map<string, number> | null,
): AirbyteStateStats {
  const stats: AirbyteStateStats = { recordCount: records - rejected, rejectedRecordCount: rejected };
  if (reasons !== null && reasons.size > 0) {
    const additionalStats: Record<string, number> = {};
    for (const [reason, count] of [...reasons].sort(([a], [b]) => (a < b ? -1 : 1)))
      additionalStats[rejectedStatKey(reason)] = count;
    stats.additionalStats = additionalStats;
  }
  return stats;
}
