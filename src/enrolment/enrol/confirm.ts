import type { DotdigitalClient, EnrolmentFault } from '../../dotdigital/types.js';
import { ENROLMENT_IS_PROCESSING, hasCode } from './api-errors.js';
import type { Clock } from '../../time/clock.js';

export interface PollingOptions {
  /** First pause between status checks. */
  initialDelayMs: number;
  /** Pauses double up to this. */
  maxDelayMs: number;
}

export const DEFAULT_POLLING: PollingOptions = { initialDelayMs: 1000, maxDelayMs: 30_000 };

export interface ConfirmOutcome {
  finished: boolean;
  faults: EnrolmentFault[];
  /** Clock time spent pausing between checks. */
  waitedMs: number;
}

/**
 * Waits for an enrolment to finish processing, then reads its fault report. Stops at the deadline
 * (in the clock's time) with `finished: false`, so a caller can release its checkpoint and ask again later.
 */
export async function awaitEnrolment(
  client: DotdigitalClient,
  clock: Clock,
  enrolmentId: string,
  deadline: number,
  polling: PollingOptions = DEFAULT_POLLING,
  signal?: AbortSignal,
): Promise<ConfirmOutcome> {
  let delay = polling.initialDelayMs;
  let waitedMs = 0;
  for (;;) {
    const faults = await faultsIfFinished(client, enrolmentId);
    if (faults !== undefined) return { finished: true, faults, waitedMs };
    const left = deadline - clock.now();
    if (left <= 0) return { finished: false, faults: [], waitedMs };
    const pause = Math.min(delay, left);
    const before = clock.now();
    await clock.sleep(pause, signal);
    waitedMs += Math.max(0, clock.now() - before);
    delay = Math.min(delay * 2, polling.maxDelayMs);
  }
}

/**
 * The fault report once the enrolment has finished; undefined while it is processing. An
 * enrolment reported as `NotAvailableInThisVersion` says nothing about progress, so its report is
 * asked for directly: Dotdigital refuses it while processing.
 */
async function faultsIfFinished(
  client: DotdigitalClient,
  enrolmentId: string,
): Promise<EnrolmentFault[] | undefined> {
  const enrolment = await client.getEnrolment(enrolmentId);
  if (enrolment.status === 'Processing') return undefined;
  try {
    return await client.getEnrolmentFaults(enrolmentId);
  } catch (error) {
    if (hasCode(error, ENROLMENT_IS_PROCESSING)) return undefined;
    throw error;
  }
}
