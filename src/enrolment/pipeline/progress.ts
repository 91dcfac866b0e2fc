/**
 * Progress lines for long syncs: what has happened, what is waiting and why, and how long the work in
 * hand should still take. The orchestrator shows these logs; silence for minutes looks like a hang.
 */
import { formatDuration } from '../../time/duration.js';
import type { SyncCounters } from './summary.js';

export interface ProgressSnapshot {
  counters: SyncCounters;
  inFlight: number;
  waitingStates: number;
  /** Contacts resolved and queued or submitted but without an outcome yet. */
  awaitingEnrolment: number;
  /** Short phrases for what the sync is waiting on right now (empty when it is just working). */
  waitingOn: string[];
  /** Seconds until the in-hand work is done if a better estimate than the rate exists (allowance). */
  etaHintSeconds?: number;
}

export class ProgressReporter {
  private lastAt: number;
  private lastSettled = 0;

  constructor(
    private readonly log: (message: string) => void,
    private readonly intervalMs: number,
    startedAt: number,
  ) {
    this.lastAt = startedAt;
  }

  /** Logs a progress line when the interval has passed since the last one. */
  maybeReport(now: number, snapshot: () => ProgressSnapshot): void {
    if (now - this.lastAt < this.intervalMs) return;
    this.log(this.format(now, snapshot()));
  }

  format(now: number, s: ProgressSnapshot): string {
    const c = s.counters;
    const settled = c.settled;
    const elapsed = Math.max(1, now - this.lastAt) / 1000;
    const rate = (settled - this.lastSettled) / elapsed;
    this.lastAt = now;
    this.lastSettled = settled;
    const eta = s.etaHintSeconds ?? (s.inFlight === 0 ? 0 : rate > 0 ? s.inFlight / rate : Infinity);
    const enrolled = c.enrolled + c.enrolledUnconfirmed + c.alreadyEnrolledRecently + c.wouldEnrol;
    return (
      `Progress: ${c.recordsRead} records read, ${enrolled} enrolled` +
      (c.wouldEnrol > 0 ? ' (dry run: would be)' : '') +
      `, ${c.rejected} rejected, ${s.inFlight} in flight (${s.awaitingEnrolment} awaiting enrolment), ` +
      `${s.waitingStates} states waiting; ${rate.toFixed(1)} records/s; ` +
      `${s.waitingOn.length > 0 ? `waiting on ${s.waitingOn.join('; ')}; ` : ''}` +
      `work in hand done in about ${Number.isFinite(eta) ? formatDuration(eta * 1000) : 'unknown'}.`
    );
  }
}
