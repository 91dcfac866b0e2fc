/**
 * The write pipeline: records in, honest checkpoints out.
 *
 * Stages, one way: map → validate/normalise → resolve → reachability → dedupe → batch → submit →
 * confirm. Every record gets exactly one outcome (enrolled, or rejected with a reason) and the
 * checkpoint ledger echoes each state once every record before it has one. A bounded window of records
 * in flight gives backpressure: while it is full nothing more is read from stdin, so memory stays flat
 * however long the input is.
 */
import type { Logger } from 'pino';

import type { ConnectorConfig, IdentifierKind } from '../config/types.js';
import type { ClientStats } from '../dotdigital/types.js';
import { ConfigError, TransientError } from '../protocol/errors.js';
import type {
  AirbyteMessage,
  AirbyteRecordMessage,
  AirbyteStateMessage,
  ConfiguredAirbyteCatalog,
} from '../protocol/messages.js';
import { CheckpointLedger, streamKey, type Tally } from './checkpoints.js';
import { ContactIdSet } from './contact-id-set.js';
import {
  canRelease,
  type ContactResolver,
  type EnrolmentEngine,
  type IdentifierQuery,
  type Resolution,
  type SubmittedEnrolment,
} from './engine-types.js';
import { IdentifierMapper } from './mapping.js';
import { ProgressReporter } from './progress.js';
import {
  describeRejection,
  enrolmentFaultReason,
  Reason,
  unreachableReason,
  type RejectionSink,
} from './rejections.js';
import { buildSummary, formatSummary, SyncCounters, type BatchMode, type SyncSummary } from './summary.js';

/** Dotdigital's limit of contact IDs per enrolment call by contacts. */
export const CONTACTS_PER_CALL = 25;
/** Dotdigital's enrolment allowance per account and rolling hour. */
const ENROLMENT_CALLS_PER_HOUR = 20;

/** Knobs with sensible defaults; tests shorten the timings. */
export interface PipelineTuning {
  /** Records read but without an outcome; reading pauses while this many are in flight. */
  window: number;
  /** Records per resolve() call; large batches let the resolver choose a listing walk. */
  resolveBatchSize: number;
  /** resolve() calls running at once. */
  resolveConcurrency: number;
  /** A partial resolve batch waits at most this long for more records. */
  resolveMaxAgeMs: number;
  /** A partial enrolment batch is sent once no contact joined it for this long while a state waits. */
  enrolIdleMs: number;
  /** …or once it is this old while a state waits, even if contacts keep trickling in. */
  enrolMaxAgeMs: number;
  /** Largest batch handed to a list-mode submit (one allowance unit for all of it). */
  listBatchSize: number;
  tickMs: number;
  progressIntervalMs: number;
  /** On failure or SIGTERM: how long accepted enrolments may still settle before the states are echoed. */
  shutdownGraceMs: number;
  /**
   * At the end of a sync, how long to keep checking enrolments already counted as enrolled (after the state
   * hold ran out) for late faults; they never hold the sync up longer than this.
   */
  lateConfirmGraceMs: number;
}

export const DEFAULT_TUNING: PipelineTuning = {
  window: 10_000,
  resolveBatchSize: 2_000,
  resolveConcurrency: 2,
  resolveMaxAgeMs: 200,
  enrolIdleMs: 5_000,
  enrolMaxAgeMs: 60_000,
  listBatchSize: 100_000,
  tickMs: 100,
  progressIntervalMs: 30_000,
  shutdownGraceMs: 10_000,
  lateConfirmGraceMs: 10_000,
};

/** What the pipeline needs of the protocol writer (ProtocolWriter satisfies it). */
export interface MessageSink {
  write(message: AirbyteMessage): boolean;
  waitForDrain(): Promise<void>;
}

export interface StreamPlan {
  name: string;
  namespace?: string;
  programId: number;
  /** Configured from discover: the data-activation field names apply. */
  dataActivation: boolean;
}

const PROGRAM_OBJECT_NAME = /^program_([1-9][0-9]{0,9})$/;

/**
 * Which program each configured stream enrols into, refusing what enrolment cannot honour. Runs before
 * any network call so a wrong catalog fails at once.
 */
export function planStreams(catalog: ConfiguredAirbyteCatalog, config: ConnectorConfig): StreamPlan[] {
  return catalog.streams.map((configured) => {
    const name = configured.stream.name;
    if (configured.destination_sync_mode !== 'append') {
      throw new ConfigError(
        `Stream "${name}" is configured with destination sync mode "${configured.destination_sync_mode}", but this ` +
          'destination only supports "append": enrolling a contact into a program cannot be undone or overwritten, ' +
          'and a contact leaving the audience is not un-enrolled. Set the destination sync mode to append.',
      );
    }
    let programId = config.programId;
    const objectName = configured.destination_object_name;
    if (objectName !== undefined) {
      const match = PROGRAM_OBJECT_NAME.exec(objectName);
      if (!match) {
        throw new ConfigError(
          `Stream "${name}" maps to destination object "${objectName}", which is not a program of this ` +
            'destination. Pick one of the program_<id> objects that discover lists.',
        );
      }
      programId = Number(match[1]);
    }
    if (programId === undefined) {
      throw new ConfigError(
        `Stream "${name}" has no program to enrol into. Set program_id in the configuration, or map the stream to ` +
          'one of the program_<id> objects that discover lists.',
      );
    }
    return {
      name,
      ...(configured.stream.namespace !== undefined ? { namespace: configured.stream.namespace } : {}),
      programId,
      dataActivation: objectName !== undefined,
    };
  });
}

export interface PipelineOptions {
  config: ConnectorConfig;
  streams: StreamPlan[];
  resolver: ContactResolver;
  /** One engine per program named by the streams. */
  engines: ReadonlyMap<number, EnrolmentEngine>;
  out: MessageSink;
  logger: Logger;
  rejections: RejectionSink;
  signal?: AbortSignal;
  /** Stops the message source (destroys stdin) so a blocked read ends on failure or SIGTERM. */
  stopInput?: () => void;
  apiStats?: () => ClientStats;
  tuning?: Partial<PipelineTuning>;
  now?: () => number;
}

interface Numbered {
  message: AirbyteMessage;
}

export type MessageSource = AsyncIterable<readonly Numbered[] | Numbered>;

/** A record between being read and having its outcome. It doubles as its own resolver query. */
interface InFlight extends IdentifierQuery {
  kind: IdentifierKind;
  value: string;
  tally: Tally;
  record: AirbyteRecordMessage;
  route: StreamRoute;
  contactId: number;
}

interface StreamRoute {
  mapper: IdentifierMapper;
  program: ProgramRoute;
}

interface ProgramRoute {
  programId: number;
  engine: EnrolmentEngine;
  seen: ContactIdSet;
  recent: ReadonlySet<number>;
  batch: InFlight[];
  batchFirstAt: number;
  batchLastAt: number;
  /** Submissions run one after another per program; allowance is the bottleneck, not latency. */
  submitChain: Promise<void>;
  submitting: number;
}

/** An accepted enrolment whose records do not have their outcome yet. */
interface Pending {
  enrolment: SubmittedEnrolment;
  items: InFlight[];
  program: ProgramRoute;
  settled: boolean;
}

export class WritePipeline {
  private readonly tuning: PipelineTuning;
  private readonly now: () => number;
  private readonly counters: SyncCounters;
  private readonly ledger: CheckpointLedger;
  private readonly routes = new Map<string, StreamRoute>();
  private readonly programs = new Map<number, ProgramRoute>();
  private readonly progress: ProgressReporter;
  private readonly holdMs: number;

  private inFlight = 0;
  private resolveBuffer: InFlight[] = [];
  private resolveBufferSince = 0;
  private resolveActive = 0;
  private readonly resolveQueue: (() => void)[] = [];
  private resolveChain: Promise<void> = Promise.resolve();
  private awaitingEnrolment = 0;
  private readonly pending = new Set<Pending>();
  private readonly background = new Set<Promise<void>>();
  /** Re-checks of enrolments whose records were already counted as enrolled. */
  private readonly late = new Set<Promise<void>>();
  private readonly unknownStreams = new Set<string>();

  private inputEnded = false;
  private readerBlocked = false;
  private spaceWaiter: (() => void) | null = null;
  private fatal: unknown = undefined;
  private onFatal: () => void = () => undefined;
  /** Resolves when the sync fails, so waits for ordinary work can give way to the shutdown path. */
  private readonly failed = new Promise<void>((resolve) => (this.onFatal = resolve));
  private drainNeeded = false;
  private closed = false;
  private lastRoute: { name: string; namespace: string | undefined; route: StreamRoute | undefined } | null =
    null;

  constructor(private readonly options: PipelineOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.now = options.now ?? Date.now;
    this.counters = new SyncCounters(this.now());
    this.holdMs = options.config.maxStateHoldSeconds * 1000;
    this.ledger = new CheckpointLedger((state) => this.echo(state), this.now);
    this.progress = new ProgressReporter(
      (message) => options.logger.info(message),
      this.tuning.progressIntervalMs,
      this.counters.startedAt,
    );
    const listMode = options.config.enrolmentMode !== 'contacts' && !options.config.dryRun;
    if (listMode) {
      // A list-mode batch can only fill if the window holds it.
      this.tuning.window = Math.max(
        this.tuning.window,
        this.tuning.listBatchSize + this.tuning.resolveBatchSize,
      );
    }
    for (const plan of options.streams) {
      let program = this.programs.get(plan.programId);
      if (program === undefined) {
        const engine = options.engines.get(plan.programId);
        if (engine === undefined) throw new Error(`no enrolment engine for program ${plan.programId}`);
        program = {
          programId: plan.programId,
          engine,
          seen: new ContactIdSet(),
          recent: new Set(),
          batch: [],
          batchFirstAt: 0,
          batchLastAt: 0,
          submitChain: Promise.resolve(),
          submitting: 0,
        };
        this.programs.set(plan.programId, program);
      }
      const mapper = new IdentifierMapper(
        options.config.mapping,
        options.config.defaultCountry,
        plan.dataActivation,
      );
      this.routes.set(streamKey(plan.name, plan.namespace), { mapper, program });
    }
  }

  /**
   * Runs the sync to the end of the input; resolves with the summary, or throws after echoing what is
   * true. Prefer batches of messages as the reader parses them (readMessageBatches: one await per chunk
   * of stdin); single messages (readMessages) work too.
   */
  async run(batches: MessageSource): Promise<SyncSummary> {
    const { logger, signal } = this.options;
    const onAbort = (): void =>
      this.fail(new TransientError(INTERRUPTED_MESSAGE, 'received a shutdown signal'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const ticker = setInterval(() => this.tick(), this.tuning.tickMs);
    try {
      await this.loadRecentEnrolments();
      // consume() may sit on a read that never returns (a silent stdin); a failure must not wait for it.
      if (this.fatal === undefined) await Promise.race([this.consume(batches), this.failed]);
      if (this.fatal === undefined) await this.finishWork();
      if (this.fatal !== undefined) await this.settleAfterFailure();
    } finally {
      clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
      // Whatever still settles after this point (a submit that was in flight) must not print a state
      // after the command has ended.
      this.closed = true;
    }
    this.options.rejections.flush();
    this.logConflicts();
    const summary = this.summary();
    logger.info(formatSummary(summary));
    if (this.fatal !== undefined) throw this.fatal;
    return summary;
  }

  private async loadRecentEnrolments(): Promise<void> {
    for (const program of this.programs.values()) {
      try {
        program.recent = await program.engine.recentlyEnrolled();
      } catch (error) {
        this.fail(error);
        return;
      }
    }
  }

  /**
   * Takes messages a chunk of stdin at a time (one await per chunk, not per record); the window is
   * checked between records, so a full window pauses reading even in the middle of a chunk.
   */
  private async consume(batches: MessageSource): Promise<void> {
    const iterator = batches[Symbol.asyncIterator]();
    const window = this.tuning.window;
    try {
      reading: for (;;) {
        if (this.drainNeeded) {
          this.drainNeeded = false;
          await this.options.out.waitForDrain();
        }
        const next = await iterator.next();
        if (next.done || this.fatal !== undefined) break;
        const batch = Array.isArray(next.value) ? next.value : [next.value as { message: AirbyteMessage }];
        for (let i = 0; i < batch.length; i++) {
          while (this.inFlight >= window && this.fatal === undefined) await this.waitForSpace();
          if (this.fatal !== undefined) break reading;
          const message = batch[i]!.message;
          if (message.type === 'RECORD') this.acceptRecord(message.record);
          else if (message.type === 'STATE') this.acceptState(message.state);
          // TRACE (stream status), LOG and the rest are not a destination's to echo.
        }
      }
    } catch (error) {
      this.fail(error);
    }
    this.inputEnded = true;
    if (this.fatal !== undefined) {
      // Leave the source: a reader blocked on stdin must not keep the process alive.
      void iterator.return?.()?.catch(() => undefined);
    }
  }

  private waitForSpace(): Promise<void> {
    this.readerBlocked = true;
    // Work queued in partial batches cannot finish until it is sent.
    this.flushResolveBuffer();
    return new Promise<void>((resolve) => {
      this.spaceWaiter = () => {
        this.readerBlocked = false;
        resolve();
      };
    });
  }

  private acceptState(state: AirbyteStateMessage): void {
    this.counters.statesRead++;
    this.ledger.addState(state);
  }

  private acceptRecord(record: AirbyteRecordMessage): void {
    this.counters.recordsRead++;
    const tally = this.ledger.addRecord(record.stream, record.namespace);
    this.inFlight++;
    let cached = this.lastRoute;
    if (cached === null || cached.name !== record.stream || cached.namespace !== record.namespace) {
      cached = {
        name: record.stream,
        namespace: record.namespace,
        route: this.routes.get(streamKey(record.stream, record.namespace)),
      };
      this.lastRoute = cached;
    }
    const route = cached.route;
    const item: InFlight = { kind: 'contactId', value: '', tally, record, route: route!, contactId: 0 };
    if (route === undefined) {
      this.noteUnknownStream(record);
      this.reject(item, Reason.streamNotInCatalog);
      return;
    }
    const data = record.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      this.reject(item, Reason.invalidRecord);
      return;
    }
    const failure = route.mapper.map(data, item);
    if (failure !== null) {
      this.reject(item, failure.reason, failure.field === undefined ? undefined : `field ${failure.field}`);
      return;
    }
    if (this.resolveBuffer.length === 0) this.resolveBufferSince = this.now();
    this.resolveBuffer.push(item);
    if (this.resolveBuffer.length >= this.tuning.resolveBatchSize) this.flushResolveBuffer();
  }

  private noteUnknownStream(record: AirbyteRecordMessage): void {
    const key = streamKey(record.stream, record.namespace);
    if (this.unknownStreams.has(key)) return;
    this.unknownStreams.add(key);
    this.options.logger.warn(
      `Records of stream "${record.namespace ? `${record.namespace}.` : ''}${record.stream}" are not in the ` +
        'configured catalog; they are rejected as stream_not_in_catalog.',
    );
  }

  // ---- resolve ----

  private flushResolveBuffer(): void {
    if (this.resolveBuffer.length === 0) return;
    const items = this.resolveBuffer;
    this.resolveBuffer = [];
    const resolution = this.resolveWithSlot(items);
    // Results are applied in input order, so which of two equal records counts as the duplicate is stable.
    this.resolveChain = this.resolveChain.then(async () => {
      let resolutions: Resolution[];
      try {
        resolutions = await resolution;
      } catch (error) {
        this.fail(error);
        return;
      }
      if (this.fatal !== undefined) return;
      this.afterResolve(items, resolutions);
    });
  }

  private async resolveWithSlot(items: InFlight[]): Promise<Resolution[]> {
    if (this.resolveActive >= this.tuning.resolveConcurrency) {
      await new Promise<void>((resolve) => this.resolveQueue.push(resolve));
    }
    this.resolveActive++;
    try {
      if (this.fatal !== undefined) throw this.fatal;
      const resolutions = await this.options.resolver.resolve(items);
      if (resolutions.length !== items.length) {
        throw new Error(`resolver returned ${resolutions.length} answers for ${items.length} queries`);
      }
      return resolutions;
    } finally {
      this.resolveActive--;
      this.resolveQueue.shift()?.();
    }
  }

  private afterResolve(items: InFlight[], resolutions: Resolution[]): void {
    const enrolUnreachable = this.options.config.enrolUnreachableContacts;
    const dryRun = this.options.config.dryRun;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const contact = resolutions[i]!.contact;
      if (contact === null) {
        this.reject(item, Reason.contactNotFound, `looked up by ${item.kind}`);
        continue;
      }
      if (!enrolUnreachable) {
        const unreachable = unreachableReason(contact);
        if (unreachable !== null) {
          this.reject(item, unreachable);
          continue;
        }
      }
      if (item.route.mapper.conflictsWith(item.record.data, item.kind, contact))
        this.counters.identifierConflicts++;
      const program = item.route.program;
      item.contactId = contact.contactId;
      if (!program.seen.add(contact.contactId)) {
        this.reject(item, Reason.duplicateInSync, `contact ${contact.contactId}`);
      } else if (program.recent.has(contact.contactId)) {
        this.counters.alreadyEnrolledRecently++;
        this.settle(item, false);
      } else if (dryRun) {
        this.counters.wouldEnrol++;
        this.settle(item, false);
      } else {
        this.addToBatch(program, item);
      }
    }
  }

  // ---- batch and submit ----

  private batchLimit(): number {
    return this.options.config.enrolmentMode === 'contacts' ? CONTACTS_PER_CALL : this.tuning.listBatchSize;
  }

  private addToBatch(program: ProgramRoute, item: InFlight): void {
    const now = this.now();
    if (program.batch.length === 0) program.batchFirstAt = now;
    program.batchLastAt = now;
    program.batch.push(item);
    this.awaitingEnrolment++;
    if (program.batch.length >= this.batchLimit()) this.flushBatch(program);
  }

  private flushBatch(program: ProgramRoute): void {
    const items = program.batch;
    if (items.length === 0) return;
    program.batch = [];
    const asList = this.wouldUseList(items.length);
    const chunkSize = asList ? items.length : CONTACTS_PER_CALL;
    for (let start = 0; start < items.length; start += chunkSize) {
      const chunk = items.slice(start, start + chunkSize);
      program.submitting += chunk.length;
      program.submitChain = program.submitChain.then(() => this.submit(program, chunk));
    }
  }

  /**
   * List mode for `list`, and in `auto` for batches of at least list_mode_threshold; anything else is
   * sent as chunks of at most 25 contact IDs, which every engine takes by contacts.
   */
  private wouldUseList(size: number): boolean {
    const { enrolmentMode, listModeThreshold } = this.options.config;
    return enrolmentMode === 'list' || (enrolmentMode === 'auto' && size >= listModeThreshold);
  }

  private async submit(program: ProgramRoute, items: InFlight[]): Promise<void> {
    if (this.fatal !== undefined) return;
    let enrolment: SubmittedEnrolment;
    try {
      enrolment = await program.engine.submit(items.map((item) => item.contactId));
    } catch (error) {
      this.fail(error);
      return;
    } finally {
      program.submitting -= items.length;
    }
    const { enrolmentMode, listModeThreshold } = this.options.config;
    const why =
      enrolment.mode === 'list'
        ? enrolmentMode === 'list'
          ? 'enrolment_mode is list'
          : `batches of ${listModeThreshold} or more contacts go through a staging list`
        : enrolmentMode === 'contacts'
          ? 'enrolment_mode is contacts'
          : `batches under ${listModeThreshold} contacts are enrolled by contact IDs`;
    this.counters.countBatch(enrolment.mode, items.length, why);
    const pending: Pending = { enrolment, items, program, settled: false };
    this.pending.add(pending);
    const confirmation = this.confirm(pending, this.now() + this.holdMs);
    this.track(confirmation);
  }

  private async confirm(pending: Pending, deadline: number): Promise<void> {
    const { enrolment, program } = pending;
    let finished = false;
    let faults: { contactId: number; reason: string }[] = [];
    let problem: string | undefined;
    try {
      const confirmation = await program.engine.confirm(enrolment, deadline);
      finished = confirmation.finished;
      faults = confirmation.faults;
    } catch (error) {
      // While stopping, the engine's waits are aborted on purpose; that is not worth a warning.
      if (this.fatal === undefined) {
        problem = error instanceof Error ? error.message : String(error);
        this.options.logger.warn(
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
      this.fatal !== undefined
        ? 'the sync is stopping'
        : problem !== undefined
          ? 'its outcome could not be read from Dotdigital'
          : `Dotdigital was still processing it after ${this.options.config.maxStateHoldSeconds}s`;
    this.settleUnconfirmed(pending, why);
    // Keep checking while the sync runs, to log faults the state could no longer wait for.
    if (this.fatal === undefined) {
      this.track(this.confirm(pending, this.now() + Math.max(this.holdMs, 60_000)), this.late);
    }
  }

  private applyConfirmation(pending: Pending, faults: { contactId: number; reason: string }[]): void {
    pending.settled = true;
    this.pending.delete(pending);
    const faultByContact = new Map<number, string>();
    for (const fault of faults) faultByContact.set(fault.contactId, fault.reason);
    const accepted = new Set(pending.enrolment.contactIds);
    for (const item of pending.items) {
      this.awaitingEnrolment--;
      const fault = faultByContact.get(item.contactId);
      if (fault !== undefined) {
        this.reject(item, enrolmentFaultReason(fault), `enrolment ${pending.enrolment.enrolmentId}`);
      } else if (!accepted.has(item.contactId)) {
        // The engine left the contact out of the call (it was deleted after it was resolved).
        this.reject(item, Reason.contactNotFound, 'deleted before the enrolment was sent');
      } else {
        this.counters.enrolled++;
        this.settle(item, false);
      }
    }
    this.releaseAfterEcho(pending);
  }

  /** Accepted but not finished: true enough to echo (Dotdigital will process it), said out loud. */
  private settleUnconfirmed(pending: Pending, why: string): void {
    pending.settled = true;
    this.pending.delete(pending);
    this.options.logger.warn(
      `Counting ${pending.items.length} records of enrolment ${pending.enrolment.enrolmentId} (program ` +
        `${pending.program.programId}) as enrolled without confirmation: ${why}. Faults reported later are logged.`,
    );
    for (const item of pending.items) {
      this.awaitingEnrolment--;
      this.counters.enrolledUnconfirmed++;
      this.settle(item, false);
    }
    this.releaseAfterEcho(pending);
  }

  private reportLateFaults(
    pending: Pending,
    finished: boolean,
    faults: { contactId: number; reason: string }[],
  ): void {
    const id = pending.enrolment.enrolmentId;
    if (!finished) {
      this.options.logger.warn(
        `The outcome of enrolment ${id} is not known: it was not finished when the sync stopped checking it.`,
      );
      return;
    }
    if (faults.length === 0) {
      this.options.logger.info(`Enrolment ${id}, counted as enrolled earlier, finished without faults.`);
      return;
    }
    this.counters.lateFaults += faults.length;
    const byReason = new Map<string, number>();
    for (const fault of faults) byReason.set(fault.reason, (byReason.get(fault.reason) ?? 0) + 1);
    this.options.logger.warn(
      `Enrolment ${id}, counted as enrolled when its state was released, finished with ${faults.length} faults ` +
        `(${[...byReason].map(([reason, n]) => `${reason}: ${n}`).join(', ')}); those contacts were not enrolled.`,
    );
  }

  /** Staging lists (list mode) may go once the states covering their records are echoed. */
  private releaseAfterEcho(pending: Pending): void {
    const engine = pending.program.engine;
    if (!canRelease(engine)) return;
    const tallies = new Set(pending.items.map((item) => item.tally));
    this.ledger.whenReleased([...tallies], () => {
      this.track(
        engine.release(pending.enrolment).catch((error: unknown) => {
          this.options.logger.warn(
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

  // ---- outcomes ----

  private reject(item: InFlight, reason: string, detail?: string): void {
    this.counters.countRejection(reason);
    this.options.rejections.add({
      record: item.record.data,
      stream: item.tally.descriptor,
      reason,
      message: describeRejection(reason, detail),
      emittedAt: item.record.emitted_at,
    });
    this.settle(item, true);
  }

  private settle(item: InFlight, rejected: boolean): void {
    this.inFlight--;
    this.ledger.settle(item.tally, rejected);
    const waiter = this.spaceWaiter;
    if (waiter !== null && this.inFlight <= this.tuning.window * 0.75) {
      this.spaceWaiter = null;
      waiter();
    }
  }

  private echo(state: AirbyteStateMessage): void {
    this.options.rejections.flush();
    // A dry run must not move the checkpoint: the next real sync has to read these records again.
    if (this.options.config.dryRun || this.closed) return;
    this.counters.statesEchoed++;
    if (!this.options.out.write({ type: 'STATE', state })) this.drainNeeded = true;
  }

  // ---- timing ----

  private tick(): void {
    const now = this.now();
    if (this.resolveBuffer.length > 0 && now - this.resolveBufferSince >= this.tuning.resolveMaxAgeMs) {
      this.flushResolveBuffer();
    }
    const somethingWaits = this.ledger.waitingStates > 0 || this.readerBlocked;
    for (const program of this.programs.values()) {
      if (program.batch.length === 0 || this.fatal !== undefined) continue;
      const idle = now - program.batchLastAt >= this.tuning.enrolIdleMs;
      const old = now - program.batchFirstAt >= this.tuning.enrolMaxAgeMs;
      if (somethingWaits && (idle || old)) this.flushBatch(program);
    }
    this.progress.maybeReport(now, () => ({
      counters: this.counters,
      inFlight: this.inFlight,
      waitingStates: this.ledger.waitingStates,
      awaitingEnrolment: this.awaitingEnrolment,
      waitingOn: this.waitingOn(),
      ...this.allowanceEta(),
    }));
  }

  /**
   * Once the hourly allowance has made the sync wait, it sets the pace (20 calls of 25 contacts an hour
   * by contacts), a better estimate than the recent rate.
   */
  private allowanceEta(): { etaHintSeconds?: number } {
    if (this.options.config.enrolmentMode !== 'contacts' || this.awaitingEnrolment === 0) return {};
    let waited = 0;
    for (const program of this.programs.values()) waited += program.engine.stats().allowanceWaitMs;
    if (waited === 0) return {};
    const calls = Math.ceil(this.awaitingEnrolment / CONTACTS_PER_CALL);
    return { etaHintSeconds: (calls / ENROLMENT_CALLS_PER_HOUR) * 3600 };
  }

  private waitingOn(): string[] {
    const reasons: string[] = [];
    if (this.resolveActive > 0) reasons.push(`Dotdigital contact look-ups (${this.resolveActive} batches)`);
    let submitting = 0;
    for (const program of this.programs.values()) submitting += program.submitting;
    if (submitting > 0) {
      reasons.push(`enrolment calls for ${submitting} contacts (allowance window or rate limit when slow)`);
    }
    if (this.pending.size > 0) reasons.push(`Dotdigital processing ${this.pending.size} enrolments`);
    if (this.readerBlocked) reasons.push(`the in-flight window (${this.tuning.window} records) to drain`);
    return reasons;
  }

  // ---- endings ----

  private async finishWork(): Promise<void> {
    this.flushResolveBuffer();
    await Promise.race([this.resolveChain, this.failed]);
    if (this.fatal !== undefined) return;
    for (const program of this.programs.values()) this.flushBatch(program);
    const submissions = Promise.all([...this.programs.values()].map((program) => program.submitChain));
    await Promise.race([submissions, this.failed]);
    while (this.background.size > 0 && this.fatal === undefined) {
      await Promise.race([Promise.all([...this.background]), this.failed]);
    }
    if (this.fatal !== undefined) return;
    this.ledger.releaseRemaining();
    // releaseRemaining may start staging-list releases; they finish before the engines' clean-up.
    while (this.background.size > 0 && this.fatal === undefined) {
      await Promise.race([Promise.all([...this.background]), this.failed]);
    }
    if (this.late.size > 0) {
      const grace = delay(this.tuning.lateConfirmGraceMs);
      await Promise.race([Promise.all([...this.late]), grace.promise, this.failed]);
      grace.cancel();
      if (this.late.size > 0) {
        this.options.logger.warn(
          `${this.late.size} enrolments counted as enrolled were still processing at the end of the sync; ` +
            'faults Dotdigital reports for them later are not known to this sync.',
        );
      }
    }
  }

  /**
   * After a failure or SIGTERM: nothing new is submitted; enrolments Dotdigital already accepted get a
   * short grace to finish, then count as enrolled, so the states they cover can be echoed and a re-run
   * does not enrol those contacts again.
   */
  private async settleAfterFailure(): Promise<void> {
    this.options.stopInput?.();
    if (this.pending.size > 0) {
      const grace = delay(this.tuning.shutdownGraceMs);
      await Promise.race([grace.promise, Promise.all([...this.background])]);
      grace.cancel();
    }
    for (const pending of [...this.pending]) {
      if (!pending.settled) this.settleUnconfirmed(pending, 'the sync is stopping');
    }
  }

  private fail(error: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.onFatal();
    this.options.stopInput?.();
    const waiter = this.spaceWaiter;
    this.spaceWaiter = null;
    waiter?.();
  }

  private logConflicts(): void {
    if (this.counters.identifierConflicts === 0) return;
    const order = this.options.config.mapping.precedence.join(' > ');
    this.options.logger.warn(
      `${this.counters.identifierConflicts} records carried identifiers that belong to different contacts (or to ` +
        `none); the identifier precedence (${order}) decided which contact each record means.`,
    );
  }

  private summary(): SyncSummary {
    return buildSummary(this.counters, {
      dryRun: this.options.config.dryRun,
      now: this.now(),
      engines: [...this.programs.values()].map((program) => program.engine.stats()),
      api: this.options.apiStats?.(),
    });
  }
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

export const INTERRUPTED_MESSAGE =
  'The sync was interrupted (the platform asked the connector to stop). Every state whose records were handled ' +
  'has been echoed; the next attempt continues from the last one.';

export type { BatchMode };
