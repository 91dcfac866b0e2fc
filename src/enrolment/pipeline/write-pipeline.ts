/**
 * The write pipeline: records in, honest checkpoints out. This module wires the stages beside it in
 * src/enrolment/pipeline/ together and runs the read loop. One record's way, file by file:
 *
 *   1. consume() (here) takes the messages src/protocol/reader.ts parsed from stdin; a STATE goes to the
 *      ledger (checkpoints), a RECORD is registered there, takes a slot in the window (in-flight-window)
 *      and is routed by stream (program-state, built from stream-plan);
 *   2. record-preparation maps and validates it: the identifier that decides, or a rejection (unknown
 *      stream, data not an object, no usable identifier);
 *   3. resolution-stage resolves it to an existing contact, checks reachability, drops duplicates
 *      (contact-id-set) and contacts recent enrolments cover;
 *   4. enrolment-batcher puts it in its program's batch and cuts batches into submissions;
 *   5. enrolment-tracker sends each submission through the engine (src/enrolment/enrol/), confirms it and
 *      turns the engine's answer into the record's outcome;
 *   6. record-outcomes settles it: the one place that counts an outcome (outcome.ts, summary), keeps a
 *      rejected record, frees the window slot and tells the ledger, which releases each state once every
 *      record before it has its outcome; ../rejected-records/durable-release echoes it once the
 *      rejections before it are stored.
 *
 * Every stage takes one StageContext (stage-context) and owns its own state; sync-failure is the first
 * error that stops the sync, output-watch whether anybody still hears the states, tuning the knobs,
 * progress and waits the progress lines. A bounded window of records in flight gives backpressure: while
 * it is full nothing more is read from stdin, so memory stays flat however long the input is.
 */
import type { Logger } from 'pino';

import type { ConnectorConfig } from '../../config/types.js';
import type { ClientStats } from '../../dotdigital/types.js';
import { TransientError } from '../../protocol/errors.js';
import type { AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage } from '../../protocol/messages.js';
import { CheckpointLedger } from './checkpoints.js';
import type { ContactResolver, EnrolmentEngine } from '../engine-types.js';
import { EnrolmentBatcher } from './enrolment-batcher.js';
import { EnrolmentTracker } from './enrolment-tracker.js';
import { InFlightWindow } from './in-flight-window.js';
import { OutputWatch, type MessageSink } from './output-watch.js';
import { RecordOutcomes } from './record-outcomes.js';
import { RecordPreparation } from './record-preparation.js';
import { ResolutionStage } from './resolution-stage.js';
import { buildRoutes, type ProgramRoute } from './program-state.js';
import type { StageContext } from './stage-context.js';
import type { StreamPlan } from './stream-plan.js';
import { ReaderStallGuard } from './reader-stall.js';
import { SyncFailure } from './sync-failure.js';
import { effectiveTuning, type PipelineTuning } from './tuning.js';
import { planSync } from '../enrol/allowance-plan.js';
import { allowanceEta, describeWaits } from './waits.js';
import { ProgressReporter } from './progress.js';
import type { RejectionSink } from '../rejections.js';
import { DurableRelease } from '../rejected-records/durable-release.js';
import { buildSummary, formatSummary, SyncCounters, type BatchMode, type SyncSummary } from './summary.js';
import { type Clock, systemClock } from '../../time/clock.js';

export { planStreams, type StreamPlan } from './stream-plan.js';
export type { MessageSink } from './output-watch.js';
export { DEFAULT_TUNING, type PipelineTuning } from './tuning.js';
export type { BatchMode };

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
  /** Time and the ticker's pauses (default the system clock); a benchmark passes its virtual clock. */
  clock?: Clock;
}

interface Numbered {
  message: AirbyteMessage;
  /** Characters of the input line (the protocol reader gives it); counted by the window's byte budget. */
  size?: number;
}

export type MessageSource = AsyncIterable<readonly Numbered[] | Numbered>;

export const INTERRUPTED_MESSAGE =
  'The sync was interrupted (the platform asked the connector to stop). Every state whose records were handled ' +
  'has been echoed; the next attempt continues from the last one.';

export class WritePipeline {
  private readonly tuning: PipelineTuning;
  private readonly clock: Clock;
  private readonly now: () => number;
  private readonly counters: SyncCounters;
  private readonly ledger: CheckpointLedger;
  private readonly durable: DurableRelease;
  private readonly programs: readonly ProgramRoute[];
  private readonly progress: ProgressReporter;
  private readonly failure: SyncFailure;
  private readonly window: InFlightWindow;
  private readonly outcomes: RecordOutcomes;
  private readonly preparation: RecordPreparation;
  private readonly resolution: ResolutionStage;
  private readonly batcher: EnrolmentBatcher;
  private readonly tracker: EnrolmentTracker;
  private readonly stall: ReaderStallGuard;
  private readonly output: OutputWatch;

  private drainNeeded = false;
  /** The error that ended the input (a broken line): the work before it is finished, then the sync fails with it. */
  private brokenInput: unknown = undefined;
  private closed = false;

  constructor(private readonly options: PipelineOptions) {
    const { config, logger } = options;
    this.tuning = effectiveTuning(config, options.tuning);
    this.clock = options.clock ?? systemClock;
    this.now = () => this.clock.now();
    this.counters = new SyncCounters(this.now());
    // A state goes out only once the rejected records before it are durable in the sink.
    this.durable = new DurableRelease(
      options.rejections,
      (state) => this.echo(state),
      (error) => this.failure.fail(error),
    );
    this.ledger = new CheckpointLedger((state) => this.durable.release(state), this.now);
    this.progress = new ProgressReporter(
      (message) => logger.info(message),
      this.tuning.progressIntervalMs,
      this.counters.startedAt,
    );
    const routes = buildRoutes(options.streams, options.engines, config);
    this.programs = [...routes.programs.values()];

    this.failure = new SyncFailure(() => {
      options.stopInput?.();
      this.window.wake();
    });
    // Work queued in partial batches cannot finish until it is sent.
    this.window = new InFlightWindow(this.tuning.window, this.tuning.windowBytes, () =>
      this.resolution.flush(),
    );
    this.outcomes = new RecordOutcomes(this.counters, options.rejections, this.ledger, this.window);
    this.output = new OutputWatch(options.out, this.failure, logger, () => this.durable.drained());
    const context: StageContext = {
      config,
      tuning: this.tuning,
      logger,
      counters: this.counters,
      outcomes: this.outcomes,
      ledger: this.ledger,
      failure: this.failure,
      programs: this.programs,
      output: this.output,
      now: this.now,
    };
    // Built from the last stage back: each takes the stage it hands records to.
    this.tracker = new EnrolmentTracker(context);
    this.batcher = new EnrolmentBatcher(context, this.tracker);
    this.resolution = new ResolutionStage(context, options.resolver, this.batcher);
    this.preparation = new RecordPreparation(context, routes.streams);
    this.stall = new ReaderStallGuard(this.tuning.readerStallLimitMs);
  }

  /**
   * Runs the sync to the end of the input; resolves with the summary, or throws after echoing what is
   * true. Prefer batches of messages as the reader parses them (readMessageBatches: one await per chunk
   * of stdin); single messages (readMessages) work too.
   */
  async run(batches: MessageSource): Promise<SyncSummary> {
    const { logger, signal } = this.options;
    const onAbort = (): void =>
      this.failure.fail(new TransientError(INTERRUPTED_MESSAGE, 'received a shutdown signal'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const ticker = new AbortController();
    void this.tickUntil(ticker.signal);
    try {
      await this.resolution.loadRecentEnrolments();
      // consume() may sit on a read that never returns (a silent stdin); a failure must not wait for it.
      if (this.failure.error === undefined) await Promise.race([this.consume(batches), this.failure.failed]);
      if (this.failure.error === undefined) {
        if (this.brokenInput === undefined) await this.finishWork();
        else await this.finishBeforeBrokenInput(this.brokenInput);
      }
      if (this.failure.error !== undefined) await this.settleAfterFailure();
      await this.durable.drained();
      // Rejections after the last state are counted in the summary: they must be stored too.
      await this.options.rejections.flush().catch((error: unknown) => this.failure.fail(error));
    } finally {
      ticker.abort();
      signal?.removeEventListener('abort', onAbort);
      // Whatever still settles after this point (a submit that was in flight) must not print a state
      // after the command has ended.
      this.closed = true;
    }
    this.logConflicts();
    const summary = this.summary();
    logger.info(formatSummary(summary));
    if (this.failure.error !== undefined) throw this.failure.error;
    return summary;
  }

  /**
   * Takes messages a chunk of stdin at a time (one await per chunk, not per record); the window is
   * checked between records, so a full window pauses reading even in the middle of a chunk.
   */
  private async consume(batches: MessageSource): Promise<void> {
    const iterator = batches[Symbol.asyncIterator]();
    const window = this.window;
    const failure = this.failure;
    try {
      reading: for (;;) {
        if (this.drainNeeded) {
          this.drainNeeded = false;
          await this.options.out.waitForDrain();
        }
        const storing = this.options.rejections.backpressure();
        if (storing !== null) await Promise.race([storing, failure.failed]);
        let next: IteratorResult<readonly Numbered[] | Numbered>;
        try {
          next = await iterator.next();
        } catch (error) {
          // A broken line (or a failed read): what came before it is still worth finishing.
          this.brokenInput = error;
          break;
        }
        if (next.done || failure.error !== undefined) break;
        const batch = Array.isArray(next.value) ? next.value : [next.value as Numbered];
        for (let i = 0; i < batch.length; i++) {
          while (window.isFull() && failure.error === undefined) await window.waitForSpace();
          if (failure.error !== undefined) break reading;
          const { message, size } = batch[i]!;
          if (message.type === 'RECORD') this.acceptRecord(message.record, size ?? 0);
          else if (message.type === 'STATE') this.acceptState(message.state);
          // TRACE (stream status), LOG and the rest are not a destination's to echo.
        }
      }
    } catch (error) {
      failure.fail(error);
    }
    if (failure.error !== undefined) {
      // Leave the source: a reader blocked on stdin must not keep the process alive.
      void iterator.return?.()?.catch(() => undefined);
    }
  }

  private acceptState(state: AirbyteStateMessage): void {
    this.counters.statesRead++;
    this.ledger.addState(state);
  }

  private acceptRecord(record: AirbyteRecordMessage, size: number): void {
    this.counters.recordsRead++;
    const tally = this.ledger.addRecord(record.stream, record.namespace);
    this.window.add(size);
    const item = this.preparation.prepare(record, tally, size);
    if (item !== null) this.resolution.add(item);
  }

  private echo(state: AirbyteStateMessage): void {
    // A dry run must not move the checkpoint: the next real sync has to read these records again.
    if (this.options.config.dryRun || this.closed) return;
    this.counters.statesEchoed++;
    if (!this.options.out.write({ type: 'STATE', state })) this.drainNeeded = true;
  }

  /** The ticker runs on the pipeline's clock, so a virtual clock sees its pauses as waits. */
  private async tickUntil(stopped: AbortSignal): Promise<void> {
    while (!stopped.aborted) {
      try {
        await this.clock.sleep(this.tuning.tickMs, stopped);
      } catch {
        return;
      }
      this.tick();
    }
  }

  private tick(): void {
    const now = this.now();
    const stalled = this.stall.check(this.window.readerBlocked, now);
    if (stalled !== undefined) this.failure.fail(stalled);
    this.resolution.flushIfStale(now);
    // A blocked reader needs the partial batches sent only when nothing else can move: no records still
    // being resolved (they join a batch or free their slot) and too few handed to Dotdigital to make room.
    // Otherwise a staging list filling behind one that is processing, or behind slow look-ups, would go
    // out part full, spending a whole allowance unit on a fraction of a list.
    const starved =
      this.window.readerBlocked &&
      this.resolution.holding === 0 &&
      !this.window.resumesAfterReleasing(this.tracker.awaiting, this.tracker.awaitingBytes);
    this.batcher.flushStale(now, this.ledger.waitingStates > 0, starved);
    this.progress.maybeReport(now, () => ({
      counters: this.counters,
      inFlight: this.window.count,
      waitingStates: this.ledger.waitingStates,
      awaitingEnrolment: this.awaitingEnrolment(),
      waitingOn: describeWaits({
        resolving: this.resolution.active,
        submitting: this.tracker.submitting,
        processing: this.tracker.processing,
        readerBlocked: this.window.readerBlocked,
        window: this.window.size,
      }),
      ...allowanceEta(this.options.config, this.awaitingEnrolment(), this.programs),
    }));
  }

  /** Contacts resolved and queued or submitted but without an outcome yet. */
  private awaitingEnrolment(): number {
    return this.batcher.queued + this.tracker.awaiting;
  }

  private async finishWork(): Promise<void> {
    if (!(await this.finishRecordsRead())) return;
    this.ledger.releaseRemaining();
    // releaseRemaining may start staging-list releases; they finish before the engines' clean-up.
    await this.tracker.drainBackground();
    await this.tracker.waitForLateConfirmations(this.tuning.lateConfirmGraceMs);
    // The engines' clean-up deletes staging lists: only if the states that make them useless were heard.
    await this.output.heard();
  }

  /** Sends and settles every record read so far; false when the sync failed meanwhile. */
  private async finishRecordsRead(): Promise<boolean> {
    const failed = this.failure.failed;
    this.resolution.flush();
    await Promise.race([this.resolution.applied(), failed]);
    if (this.failure.error !== undefined) return false;
    this.batcher.flushAll();
    await Promise.race([this.tracker.submitted(), failed]);
    await this.tracker.drainBackground();
    return this.failure.error === undefined;
  }

  /**
   * The input broke (a line that is not an Airbyte message): the sync still fails, naming the line, but
   * first finishes the records that states before the line cover, so those states are echoed and the
   * retry starts after them. Records after the last of those states are not sent: no state this attempt
   * can echo covers them, so the retry brings them again.
   */
  private async finishBeforeBrokenInput(error: unknown): Promise<void> {
    this.options.stopInput?.();
    const left = this.ledger.pendingAfterLastState;
    this.batcher.holdUncovered();
    if (left > 0) {
      this.options.logger.warn(
        `${left} records after the last state before the broken input line are not enrolled by this attempt: ` +
          'no state it can echo covers them, and the retry brings them again.',
      );
    }
    await this.finishRecordsRead();
    this.failure.fail(error);
  }

  private async settleAfterFailure(): Promise<void> {
    this.options.stopInput?.();
    await this.tracker.settleAfterFailure(this.tuning.shutdownGraceMs);
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
    const api = this.options.apiStats?.();
    const config = this.options.config;
    return buildSummary(this.counters, {
      dryRun: config.dryRun,
      now: this.now(),
      engines: this.programs.map((program) => program.engine.stats()),
      api,
      // The dry run resolved for real, so its look-ups and listing pages are the real sync's.
      ...(config.dryRun
        ? {
            plan: planSync({
              contacts: this.counters.wouldEnrol,
              config,
              ...(this.programs[0] === undefined ? {} : { facts: this.programs[0].engine.accountFacts() }),
              listBatchSize: this.tuning.listBatchSize,
              resolution: {
                lookups: api?.callsByEndpoint['GET /contacts/v3/{identifier}/{value}'] ?? 0,
                listingPages: api?.callsByEndpoint['GET /contacts/v3'] ?? 0,
              },
            }),
          }
        : {}),
    });
  }
}
