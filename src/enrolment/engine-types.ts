import type { Contact } from '../dotdigital/types.js';
import type { IdentifierKind } from '../config/types.js';

export interface IdentifierQuery {
  kind: IdentifierKind;
  value: string;
} // value normalised (email lower-case, mobile E.164 digits, contactId decimal)

export interface Resolution {
  contact: Contact | null; // null: no such contact in the account
}

/** Resolves identifiers to existing contacts; never creates one. Batch API so a strategy can scan. */
export interface ContactResolver {
  resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]>; // same order and length as queries
}

/**
 * Why the engine left a contact out before sending, in the pipeline's rejection words: deleted since it
 * was resolved, or refused by Dotdigital when staged into a list (its import failure code).
 */
export type DroppedReason = 'contact_not_found' | `staging_import_failed_${string}`;

/**
 * A contact the engine left out of the enrolment call, known without Dotdigital's fault report. A class,
 * so a fault says where it came from and the pipeline never guesses that from its text.
 */
export class DroppedContact {
  constructor(
    readonly contactId: number,
    readonly reason: DroppedReason,
  ) {}
}

/** A contact the enrolment's fault report lists, with Dotdigital's own word (e.g. `AlreadyInProgram`). */
export interface ReportedFault {
  contactId: number;
  reason: string;
}

/** A contact of a batch that was not enrolled. */
export type EnrolmentFault = DroppedContact | ReportedFault;

/** An enrolment Dotdigital accepted. */
export interface SentEnrolment {
  readonly sent: true;
  enrolmentId: string;
  /** The contacts in the call (the batch less the dropped ones). */
  contactIds: number[];
  mode: 'contacts' | 'list';
}

/** A batch of which no contact was left to send: no call was made and no allowance spent. */
export interface NothingSent {
  readonly sent: false;
  /** There is none; said so that either kind of submission can be read alike. */
  enrolmentId?: undefined;
  /** Always empty. */
  contactIds: number[];
  mode: 'contacts' | 'list';
  dropped: DroppedContact[];
}

export type SubmittedEnrolment = SentEnrolment | NothingSent;

export interface EnrolmentConfirmation {
  finished: boolean; // false when the deadline passed while Dotdigital was still processing
  /** The dropped contacts first, then the fault report's. */
  faults: EnrolmentFault[];
}

export interface EnrolmentEngine {
  /** Contacts enrolled into the program by enrolments created in the lookback window (crash recovery). */
  recentlyEnrolled(): Promise<ReadonlySet<number>>;
  /** Spends one allowance unit; waits for the hourly window within the configured limit; TransientError past it. */
  submit(contactIds: number[]): Promise<SubmittedEnrolment>;
  /** Polls until Finished or the deadline, then reads the fault report; a NothingSent is finished at once. */
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
  release(enrolment: SentEnrolment): Promise<void>;
}

export function canRelease(engine: EnrolmentEngine): engine is ReleasingEnrolmentEngine {
  return typeof (engine as Partial<ReleasingEnrolmentEngine>).release === 'function';
}
