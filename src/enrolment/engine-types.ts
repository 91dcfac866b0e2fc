import type { Contact } from '../dotdigital/types.js';
import type { IdentifierKind } from '../config/types.js';

export interface IdentifierQuery {
  kind: IdentifierKind;
  value: string;
} // value normalised (email lower-case, mobile E.164 digits, contactId decimal)

export interface Resolution {
  contact: Contact | null; // null: no such contact in the account
  /** Dotdigital refused the identifier's value (400 contacts:invalidId): reject the record as invalid. */
  identifierRefused?: boolean;
}

/** Resolves identifiers to existing contacts; never creates one. Batch API so a strategy can scan. */
export interface ContactResolver {
  resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]>; // same order and length as queries
}

export interface SubmittedEnrolment {
  enrolmentId: string;
  contactIds: number[];
  mode: 'contacts' | 'list';
}

export interface EnrolmentConfirmation {
  finished: boolean; // false when the deadline passed while Dotdigital was still processing
  faults: { contactId: number; reason: string }[];
}

export interface EnrolmentEngine {
  /** Contacts enrolled into the program by enrolments created in the lookback window (crash recovery). */
  recentlyEnrolled(): Promise<ReadonlySet<number>>;
  /** Spends one allowance unit; waits for the hourly window within the configured limit; TransientError past it. */
  submit(contactIds: number[]): Promise<SubmittedEnrolment>;
  /** Polls until Finished or the deadline, then reads the fault report. */
  confirm(enrolment: SubmittedEnrolment, deadline: number): Promise<EnrolmentConfirmation>;
  stats(): {
    allowanceSpent: number;
    allowanceWaitMs: number;
    processingWaitMs: number;
    /** Most allowance units other integrations or syncs of the account held at once. */
    allowanceHeldByOthers?: number;
  };
}

/**
 * Optional capability of an engine that stages contacts (list mode): the pipeline calls release() once
 * every state covering the enrolment's records has been echoed (or the sync ended successfully), so a
 * staging list outlives a crash exactly as long as a re-run may need it.
 */
export interface ReleasingEnrolmentEngine extends EnrolmentEngine {
  release(enrolment: SubmittedEnrolment): Promise<void>;
}

export function canRelease(engine: EnrolmentEngine): engine is ReleasingEnrolmentEngine {
  return typeof (engine as Partial<ReleasingEnrolmentEngine>).release === 'function';
}
