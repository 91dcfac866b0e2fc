/**
 * The cap on how long the reader may stop reading stdin. The platform times every write to the
 * destination's stdin and fails the sync when one blocks past its limit (airbyte-platform,
 * airbyte-featureflag/…/FlagDefinitions.kt: `DestinationTimeoutSeconds … default = 7200`, enforced by
 * airbyte-container-orchestrator/…/worker/io/DestinationTimeoutMonitor.kt on `accept` and
 * `notifyEndOfInput`). Whatever holds the in-flight window full — the hourly enrolment allowance under a
 * long max_allowance_wait_minutes, rate limiting, Dotdigital's processing — the connector gives up first,
 * with a transient error after echoing every state that is true, so the platform retries from the last
 * one instead of failing the sync as a destination time-out.
 */
import { TransientError } from '../../protocol/errors.js';

/** The platform's limit for one blocked write to the destination's stdin. */
export const PLATFORM_STDIN_WRITE_TIMEOUT_MS = 7_200 * 1000;

/**
 * 110 minutes: ten minutes under the platform's limit. The platform's write blocks only once the pipe
 * and Node's stream buffer are full, which is after the reader stops, so the connector's count starts
 * first; the margin covers the shutdown grace and the states echoed after the failure.
 */
export const READER_STALL_LIMIT_MS = 110 * 60_000;

/** The longest stall any tuning may allow: a test may shorten the limit, nothing may lengthen it. */
export function readerStallLimit(requestedMs: number | undefined): number {
  if (requestedMs === undefined || !Number.isFinite(requestedMs)) return READER_STALL_LIMIT_MS;
  return Math.max(0, Math.min(requestedMs, READER_STALL_LIMIT_MS));
}

export class ReaderStallGuard {
  private blockedSince: number | undefined;

  constructor(readonly limitMs: number = READER_STALL_LIMIT_MS) {}

  /**
   * Called on every tick with whether the reader is waiting for room. Returns the error to stop the sync
   * with once one continuous wait has lasted longer than the limit; undefined otherwise.
   */
  check(readerBlocked: boolean, now: number): TransientError | undefined {
    if (!readerBlocked) {
      this.blockedSince = undefined;
      return undefined;
    }
    this.blockedSince ??= now;
    const stalledMs = now - this.blockedSince;
    if (stalledMs <= this.limitMs) return undefined;
    const minutes = Math.round(stalledMs / 60_000);
    return new TransientError(
      `The connector stopped reading its input for ${minutes} minutes while the records before it waited for ` +
        `Dotdigital (the hourly enrolment allowance, rate limits or enrolment processing). It stops here, ` +
        `before the platform's ${PLATFORM_STDIN_WRITE_TIMEOUT_MS / 3_600_000}-hour limit on a blocked write fails ` +
        `the sync: every state whose records were handled has been echoed, and the next attempt continues from ` +
        `the last one.`,
      `reader blocked for ${stalledMs} ms (limit ${this.limitMs} ms)`,
    );
  }
}
