/**
 * What a sync did, as counters the pipeline keeps and one summary line at the end. Counts are per
 * outcome (every record has exactly one) and per rejection reason.
 */
import { describePlan, type SyncPlan } from '../enrol/allowance-plan.js';
import type { ClientStats } from '../../dotdigital/types.js';
import type { Outcome } from './outcome.js';

export type BatchMode = 'contacts' | 'list' | 'dry_run';

export class SyncCounters {
  readonly startedAt: number;
  recordsRead = 0;
  statesRead = 0;
  statesEchoed = 0;
  /** Enrolments Dotdigital finished without a fault for the contact. */
  enrolled = 0;
  /** Accepted by Dotdigital but still processing when the state hold ran out (or the sync stopped). */
  enrolledUnconfirmed = 0;
  /** Contacts an enrolment of the lookback window already covers (a re-run after a crash). */
  alreadyEnrolledRecently = 0;
  /** dry_run: records that would have been submitted. */
  wouldEnrol = 0;
  rejected = 0;
  readonly rejectedByReason = new Map<string, number>();
  /** Records whose other identifiers belong to a different contact than the deciding one. */
  identifierConflicts = 0;
  /** Faults reported for enrolments already counted as enrolled (after the state hold ran out). */
  lateFaults = 0;
  readonly batches = new Map<BatchMode, { batches: number; contacts: number; why: string }>();

  constructor(now: number) {
    this.startedAt = now;
  }

  get settled(): number {
    return (
      this.enrolled +
      this.enrolledUnconfirmed +
      this.alreadyEnrolledRecently +
      this.wouldEnrol +
      this.rejected
    );
  }

  /** Called by RecordOutcomes.settle only, once per record. */
  countOutcome(outcome: Outcome): void {
    switch (outcome.kind) {
      case 'enrolled':
        this.enrolled++;
        return;
      case 'enrolled_unconfirmed':
        this.enrolledUnconfirmed++;
        return;
      case 'already_enrolled':
        this.alreadyEnrolledRecently++;
        return;
      case 'would_enrol':
        this.wouldEnrol++;
        return;
      case 'rejected':
        this.rejected++;
        this.rejectedByReason.set(outcome.reason, (this.rejectedByReason.get(outcome.reason) ?? 0) + 1);
        return;
    }
  }

  countBatch(mode: BatchMode, contacts: number, why: string): void {
    const entry = this.batches.get(mode);
    if (entry === undefined) this.batches.set(mode, { batches: 1, contacts, why });
    else {
      entry.batches++;
      entry.contacts += contacts;
    }
  }
}

export interface EngineFigures {
  allowanceSpent: number;
  allowanceWaitMs: number;
  processingWaitMs: number;
  allowanceHeldByOthers?: number;
}

export interface SyncSummary {
  dry_run: boolean;
  duration_s: number;
  records_read: number;
  states_read: number;
  states_echoed: number;
  outcomes: {
    enrolled: number;
    enrolled_unconfirmed: number;
    already_enrolled_recently: number;
    would_enrol: number;
    rejected: number;
  };
  rejected_by_reason: Record<string, number>;
  identifier_conflicts: number;
  late_faults: number;
  batches_by_mode: Record<string, { batches: number; contacts: number; why: string }>;
  api_calls_by_endpoint: Record<string, number>;
  api_retries: number;
  rate_limit_wait_s: number;
  allowance_spent: number;
  allowance_wait_s: number;
  /** Most of the account's hourly enrolment units other integrations or syncs held at once. */
  allowance_held_by_others: number;
  processing_wait_s: number;
  /** Dry run only: what the real sync would cost. */
  plan?: SyncPlan;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

export function buildSummary(
  counters: SyncCounters,
  options: { dryRun: boolean; now: number; engines: EngineFigures[]; api?: ClientStats; plan?: SyncPlan },
): SyncSummary {
  const engines = options.engines.reduce(
    (sum, e) => ({
      allowanceSpent: sum.allowanceSpent + e.allowanceSpent,
      allowanceWaitMs: sum.allowanceWaitMs + e.allowanceWaitMs,
      processingWaitMs: sum.processingWaitMs + e.processingWaitMs,
    }),
    { allowanceSpent: 0, allowanceWaitMs: 0, processingWaitMs: 0 },
  );
  return {
    dry_run: options.dryRun,
    duration_s: seconds(options.now - counters.startedAt),
    records_read: counters.recordsRead,
    states_read: counters.statesRead,
    states_echoed: counters.statesEchoed,
    outcomes: {
      enrolled: counters.enrolled,
      enrolled_unconfirmed: counters.enrolledUnconfirmed,
      already_enrolled_recently: counters.alreadyEnrolledRecently,
      would_enrol: counters.wouldEnrol,
      rejected: counters.rejected,
    },
    rejected_by_reason: Object.fromEntries(
      [...counters.rejectedByReason].sort(([a], [b]) => a.localeCompare(b)),
    ),
    identifier_conflicts: counters.identifierConflicts,
    late_faults: counters.lateFaults,
    batches_by_mode: Object.fromEntries(counters.batches),
    api_calls_by_endpoint: { ...(options.api?.callsByEndpoint ?? {}) },
    api_retries: options.api?.retries ?? 0,
    rate_limit_wait_s: seconds(options.api?.rateLimitWaitMs ?? 0),
    allowance_spent: engines.allowanceSpent,
    allowance_wait_s: seconds(engines.allowanceWaitMs),
    allowance_held_by_others: Math.max(0, ...options.engines.map((e) => e.allowanceHeldByOthers ?? 0)),
    processing_wait_s: seconds(engines.processingWaitMs),
    ...(options.plan ? { plan: options.plan } : {}),
  };
}

/** One line a person can read in the platform's log view, with the full figures as JSON after it. */
export function formatSummary(summary: SyncSummary): string {
  const o = summary.outcomes;
  const headline = summary.dry_run
    ? `Dry run finished: ${summary.records_read} records read, ${o.would_enrol} would be enrolled, ` +
      `${o.already_enrolled_recently} already enrolled recently, ${o.rejected} would be rejected; nobody was ` +
      `enrolled, no allowance was spent, and no state was echoed so a real sync will read these records again.` +
      (summary.plan ? ` ${describePlan(summary.plan)}` : '')
    : `Sync finished: ${summary.records_read} records read, ${o.enrolled} enrolled, ` +
      `${o.enrolled_unconfirmed} enrolled but not yet confirmed by Dotdigital, ` +
      `${o.already_enrolled_recently} already enrolled recently, ${o.rejected} rejected; ` +
      `${summary.allowance_spent} enrolment allowance units spent` +
      (summary.allowance_held_by_others > 0
        ? ` (other integrations or syncs held up to ${summary.allowance_held_by_others} of the account's hourly units).`
        : '.');
  return `${headline} Summary: ${JSON.stringify(summary)}`;
}
