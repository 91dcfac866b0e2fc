import type { Logger } from 'pino';
import { TransientError } from '../../protocol/errors.js';
import {
  ALLOWANCE_RECHECK_MS,
  type AllowanceEstimate,
  AllowanceLedger,
  estimateFreeUp,
  nextPause,
} from './allowance.js';
import { type AccountAllowance, fitsAt } from './allowance-account.js';
import { ENROLMENT_CALLS_PER_HOUR } from '../../dotdigital/limits.js';
import type { Clock } from '../../time/clock.js';
import { formatDuration, formatInstant } from '../../time/duration.js';
import { checkpointBudgetSpent } from '../checkpoint-budget.js';

/**
 * Waits for the hourly enrolment allowance, within the configured budget. The budget applies to
 * one continuous wait (an "episode"): it starts at the first refusal and ends when a call is accepted.
 */
export class AllowanceWaiter {
  private episodeStart: number | undefined;
  private waitedMs = 0;
  private othersHeld = 0;

  constructor(
    private readonly ledger: AllowanceLedger,
    private readonly clock: Clock,
    private readonly maxWaitMs: number,
    private readonly logger: Logger,
    private readonly signal?: AbortSignal,
    /** Reads the whole account's usage from the enrolment listings; without it only own calls count. */
    private readonly account?: AccountAllowance,
  ) {}

  /** Most units other integrations or syncs held at once, as seen before this process's calls. */
  get unitsHeldByOthers(): number {
    return this.othersHeld;
  }

  /** Total time spent waiting for the allowance. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  /**
   * Before a call: when this process's own calls already fill the window, a call is certain to be
   * refused, so wait (or give up) without spending a request on it.
   */
  async beforeCall(deadline?: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (this.ledger.exhaustedByOwnCalls(now)) {
        await this.pause(undefined, deadline);
        continue;
      }
      if (this.account === undefined) return;
      const usage = await this.account.read(this.ledger.callsInWindow(now));
      this.othersHeld = Math.max(this.othersHeld, usage.others);
      const freesAt = fitsAt(usage, ENROLMENT_CALLS_PER_HOUR);
      if (freesAt === undefined) return;
      const at = this.clock.now();
      this.logger.info(
        {
          unitsSpent: usage.inWindow,
          unitsHeldByOthers: usage.others,
          nextUnitFreesAt: formatInstant(freesAt),
        },
        `The account's enrolment listings show ${usage.inWindow} of the ${ENROLMENT_CALLS_PER_HOUR} hourly enrolment calls spent ` +
          `(${usage.others} by other integrations or syncs); the next unit this sync may use frees at about ${formatInstant(freesAt)}, ` +
          `so no call is sent before then`,
      );
      await this.pause(Math.max(0, freesAt - at), deadline);
    }
  }

  /**
   * After Dotdigital refused a call for the allowance: pause, or throw TransientError when the setting's
   * budget or the batch's checkpoint deadline (checkpoint-budget.ts) is spent.
   */
  async afterRefusal(retryAfterMs: number | undefined, deadline?: number): Promise<void> {
    await this.pause(retryAfterMs, deadline);
  }

  /** A call was accepted: the next refusal starts a new episode with the full budget. */
  accepted(at: number): void {
    this.ledger.record(at);
    this.episodeStart = undefined;
  }

  private async pause(retryAfterMs: number | undefined, deadline = Infinity): Promise<void> {
    const now = this.clock.now();
    this.episodeStart ??= now;
    const settingLeftMs = this.maxWaitMs - (now - this.episodeStart);
    const checkpointLeftMs = deadline - now;
    const budgetLeftMs = Math.min(settingLeftMs, checkpointLeftMs);
    const estimate = estimateFreeUp(this.ledger, now, retryAfterMs);
    const knownToBeTooLate =
      (estimate.certain || retryAfterMs !== undefined) &&
      estimate.freesUpAt !== undefined &&
      estimate.freesUpAt - now > budgetLeftMs;
    if (budgetLeftMs <= 0 || knownToBeTooLate) {
      throw this.exhausted(estimate, now, checkpointLeftMs < settingLeftMs);
    }
    const pauseMs = nextPause(estimate, now, budgetLeftMs);
    this.logger.info(
      {
        pauseMs,
        freesUpAt: estimate.freesUpAt === undefined ? undefined : formatInstant(estimate.freesUpAt),
        budgetLeftMs,
      },
      `The enrolment allowance (${ENROLMENT_CALLS_PER_HOUR} enrolment calls per rolling hour for the account) is used up; ` +
        `pausing ${formatDuration(pauseMs)} before trying again (${describeFreeUp(estimate)}; ` +
        `will wait up to ${formatDuration(budgetLeftMs)} more)`,
    );
    const before = this.clock.now();
    try {
      await this.clock.sleep(pauseMs, this.signal);
    } finally {
      // Counted in the clock's time, which is what the budget and the summary speak of.
      this.waitedMs += Math.max(0, Math.min(pauseMs, this.clock.now() - before));
    }
  }

  private exhausted(estimate: AllowanceEstimate, now: number, byCheckpoint: boolean): TransientError {
    const when =
      estimate.freesUpAt === undefined
        ? 'within the hour'
        : `at about ${formatInstant(estimate.freesUpAt)} (in ${formatDuration(estimate.freesUpAt - now)})`;
    const waited = this.episodeStart === undefined ? 0 : now - this.episodeStart;
    const internal =
      `ERROR_ENROLMENT_ALLOWANCE_EXCEEDED; own calls in window: ${this.ledger.callsInWindow(now)}; ` +
      `estimate ${estimate.freesUpAt === undefined ? 'unknown' : formatInstant(estimate.freesUpAt)}`;
    if (byCheckpoint) {
      return checkpointBudgetSpent(
        `Dotdigital's enrolment allowance (${ENROLMENT_CALLS_PER_HOUR} enrolment calls per rolling hour; it frees up ${when})`,
        waited,
        internal,
      );
    }
    return new TransientError(
      `Dotdigital's enrolment allowance for this account (${ENROLMENT_CALLS_PER_HOUR} enrolment calls per rolling hour) ` +
        `is used up; it frees up ${when}. Waited ${formatDuration(waited)} of the ${formatDuration(this.maxWaitMs)} ` +
        `allowed by the max_allowance_wait_minutes setting. Run the sync again then: it continues from the last saved state ` +
        `and does not enrol the contacts already enrolled again.`,
      `${internal}; recheck every ${formatDuration(ALLOWANCE_RECHECK_MS)}`,
    );
  }
}

function describeFreeUp(estimate: AllowanceEstimate): string {
  if (estimate.freesUpAt === undefined) return 'other integrations spent it, so when it frees up is unknown';
  return `expected to free up at about ${formatInstant(estimate.freesUpAt)}`;
}
