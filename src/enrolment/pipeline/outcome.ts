/**
 * What happened to a record: each record read ends with exactly one of these, given to
 * RecordOutcomes.settle (record-outcomes.ts), which counts it, keeps a rejected record and moves the
 * checkpoint ledger.
 */
import type { RejectionReason } from '../rejections.js';

export type Outcome =
  /** Dotdigital finished an enrolment that included the contact, without a fault for it. */
  | { readonly kind: 'enrolled' }
  /** Accepted by Dotdigital, still processing when the state hold ran out (or the sync stopped). */
  | { readonly kind: 'enrolled_unconfirmed' }
  /** An enrolment of the look-back window already covers the contact (a re-run after a crash). */
  | { readonly kind: 'already_enrolled' }
  /** dry_run: the record would have been enrolled. */
  | { readonly kind: 'would_enrol' }
  | Rejected;

export interface Rejected {
  readonly kind: 'rejected';
  readonly reason: RejectionReason;
  /** Said in the rejection's message after the reason's sentence; never an identifier's value. */
  readonly detail?: string;
}

// One object each: the hot path settles most records with one of these and allocates nothing.
export const ENROLLED: Outcome = { kind: 'enrolled' };
export const ENROLLED_UNCONFIRMED: Outcome = { kind: 'enrolled_unconfirmed' };
export const ALREADY_ENROLLED: Outcome = { kind: 'already_enrolled' };
export const WOULD_ENROL: Outcome = { kind: 'would_enrol' };

export function rejected(reason: RejectionReason, detail?: string): Rejected {
  return detail === undefined ? { kind: 'rejected', reason } : { kind: 'rejected', reason, detail };
}
