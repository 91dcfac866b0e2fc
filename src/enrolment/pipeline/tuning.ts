/**
 * The pipeline's knobs and Dotdigital's fixed limits in one place, so every stage sizes itself from the
 * same numbers and tests can shorten the timings without reaching into a stage.
 */
import type { ConnectorConfig } from '../../config/types.js';
import { READER_STALL_LIMIT_MS, readerStallLimit } from './reader-stall.js';

/** Knobs with sensible defaults; tests shorten the timings. */
export interface PipelineTuning {
  /** Records read but without an outcome; reading pauses while this many are in flight. */
  window: number;
  /**
   * Characters of input held by records in flight; reading also pauses past this, so a few huge records
   * cannot hold as much memory as a window of ordinary ones multiplied by their size.
   */
  windowBytes: number;
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
  /**
   * A partial batch that would go as a staging list waits this long for a waiting state, not just
   * `enrolIdleMs`: each list costs one of the 20 hourly allowance units whatever its size, so a lull
   * between resolve batches is no reason to spend one. Time a state spends here is taken from the
   * batch's checkpoint budget (checkpoint-budget.ts), since its deadline runs from the oldest waiting state.
   */
  listMaxAgeMs: number;
  /** Records per resolve() call when list mode is possible; larger batches mean fewer listing walks. */
  listResolveBatchSize: number;
  tickMs: number;
  progressIntervalMs: number;
  /** On failure or SIGTERM: how long accepted enrolments may still settle before the states are echoed. */
  shutdownGraceMs: number;
  /**
   * At the end of a sync, how long to keep checking enrolments already counted as enrolled (after the state
   * hold ran out) for late faults; they never hold the sync up longer than this.
   */
  lateConfirmGraceMs: number;
  /**
   * Longest one continuous pause of the reader (window full) before the sync stops with a transient
   * error; capped at READER_STALL_LIMIT_MS (reader-stall.ts) whatever is asked, under the platform's
   * 7,200 s limit on a blocked write to stdin.
   */
  readerStallLimitMs: number;
}

export const DEFAULT_TUNING: PipelineTuning = {
  window: 10_000,
  windowBytes: 32 * 1024 * 1024,
  resolveBatchSize: 2_000,
  resolveConcurrency: 2,
  resolveMaxAgeMs: 200,
  enrolIdleMs: 5_000,
  enrolMaxAgeMs: 60_000,
  listBatchSize: 100_000,
  listMaxAgeMs: 300_000,
  listResolveBatchSize: 20_000,
  tickMs: 100,
  progressIntervalMs: 30_000,
  shutdownGraceMs: 10_000,
  lateConfirmGraceMs: 10_000,
  readerStallLimitMs: READER_STALL_LIMIT_MS,
};

/** The defaults, the caller's overrides, and what the configuration implies on top. */
export function effectiveTuning(
  config: ConnectorConfig,
  overrides?: Partial<PipelineTuning>,
): PipelineTuning {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  tuning.readerStallLimitMs = readerStallLimit(overrides?.readerStallLimitMs);
  const listMode = config.enrolmentMode !== 'contacts' && !config.dryRun;
  if (listMode) {
    // A walk of the account's contacts costs the same whatever the batch it resolves, so when the
    // contacts may go through a list (no hurry per contact), resolve in larger batches.
    if (overrides?.resolveBatchSize === undefined) {
      tuning.resolveBatchSize = Math.max(tuning.resolveBatchSize, tuning.listResolveBatchSize);
    }
    // A list-mode batch can only fill if the window holds it, and the next one only while the one before
    // is at Dotdigital (import and enrolment processing take minutes) if the window holds both: with
    // room for one, the next list went out as whatever had arrived, an allowance unit for a fraction.
    // Exactly two: any room beyond them starts a third list that cannot fill until the first settles, and
    // its waiting states send it out partial after listMaxAgeMs (rejected records still free their slot
    // at once, so the second list fills with contacts).
    tuning.window = Math.max(tuning.window, 2 * tuning.listBatchSize);
  }
  return tuning;
}
