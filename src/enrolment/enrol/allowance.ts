/**
 * Dotdigital allows 20 enrolment calls per account per rolling hour, across all programs and all
 * API users. The connector only sees its own calls, so what it knows is a lower bound on the
 * account's usage: enough to wait without asking when its own calls fill the window, and to
 * estimate when a unit frees up, but never a promise (another integration may hold units too).
 */
import { ENROLMENT_ALLOWANCE_WINDOW_MS, ENROLMENT_CALLS_PER_HOUR } from '../../dotdigital/limits.js';

/** Longest pause between attempts while waiting for the window, so units freed by others are noticed. */
export const ALLOWANCE_RECHECK_MS = 5 * 60 * 1000;
/** Shortest pause, so a Retry-After of 0 or a clock skew cannot turn the wait into a busy loop. */
export const ALLOWANCE_MIN_PAUSE_MS = 1000;

export class AllowanceLedger {
  /** Times of this process's accepted enrolment calls, oldest first. */
  private readonly calls: number[] = [];

  record(at: number): void {
    this.calls.push(at);
  }

  /** This process's accepted calls inside the rolling window ending at `now`. */
  callsInWindow(now: number): number {
    this.forgetBefore(now - ENROLMENT_ALLOWANCE_WINDOW_MS);
    return this.calls.length;
  }

  /** When this process's oldest call in the window leaves it; undefined when it has none. */
  oldestLeavesWindowAt(now: number): number | undefined {
    this.forgetBefore(now - ENROLMENT_ALLOWANCE_WINDOW_MS);
    const oldest = this.calls[0];
    return oldest === undefined ? undefined : oldest + ENROLMENT_ALLOWANCE_WINDOW_MS;
  }

  /** True when this process alone has spent the window: calling now would certainly be refused. */
  exhaustedByOwnCalls(now: number): boolean {
    return this.callsInWindow(now) >= ENROLMENT_CALLS_PER_HOUR;
  }

  private forgetBefore(limit: number): void {
    while (this.calls.length > 0 && (this.calls[0] as number) <= limit) this.calls.shift();
  }
}

export interface AllowanceEstimate {
  /** When a unit is expected to free up; undefined when nothing says (others spent the window). */
  freesUpAt?: number;
  /** True when the estimate comes from this process's own calls filling the window. */
  certain: boolean;
}

/** Combines Dotdigital's Retry-After (if any) with what this process's own calls imply. */
export function estimateFreeUp(
  ledger: AllowanceLedger,
  now: number,
  retryAfterMs?: number,
): AllowanceEstimate {
  const ownEstimate = ledger.oldestLeavesWindowAt(now);
  const certain = ledger.exhaustedByOwnCalls(now);
  if (retryAfterMs !== undefined) {
    const fromServer = now + retryAfterMs;
    // The server knows the whole account, but a unit cannot free up before our own calls say so
    // when they alone fill the window.
    return {
      freesUpAt: certain && ownEstimate !== undefined ? Math.max(fromServer, ownEstimate) : fromServer,
      certain,
    };
  }
  return { freesUpAt: ownEstimate, certain };
}

/** How long to pause before the next attempt, given the estimate and the wait budget left. */
export function nextPause(estimate: AllowanceEstimate, now: number, budgetLeftMs: number): number {
  const untilFree = estimate.freesUpAt === undefined ? ALLOWANCE_RECHECK_MS : estimate.freesUpAt - now;
  const pause = Math.min(Math.max(untilFree, ALLOWANCE_MIN_PAUSE_MS), ALLOWANCE_RECHECK_MS);
  return Math.min(pause, budgetLeftMs);
}
