import type { Contact } from '../dotdigital/types.js';
import type { IdentifierKind } from '../config/types.js';
import type { RejectionReason } from './rejections.js';
import type { AccountFacts } from './batch-mode.js';

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

/**
 * Why the engine left a contact out before sending, in the pipeline's rejection words: deleted since it
 * was resolved, or refused by Dotdigital when staged into a list (its import failure code).
 */
/** Why the engine left a contact out of a call: deleted, refused for its status, not in the staging list, import failed. */
export type DroppedReason = RejectionReason;

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

/** What an engine spent and did, for the summary. */
export interface EngineStats {
  allowanceSpent: number;
  allowanceWaitMs: number;
  processingWaitMs: number;
  batchesByMode: { contacts: number; list: number };
  /** Why the batches went the way they did. */
  modeRule: string;
  contactsDeletedBeforeEnrolment: number;
  /** Staging lists still in Dotdigital (kept for the look-back, or still processing). */
  stagingListsLeft: number;
  /** Most allowance units other integrations or syncs of the account held at once. */
  allowanceHeldByOthers?: number;
}

/**
 * Enrols one program's batches. The pipeline calls, in order: recentlyEnrolled() once before any
 * submit; submit() and confirm() per batch; release() once every state covering a batch's records has
 * been echoed (a staging list may then go); finish() at the end of a successful sync.
 */
export interface EnrolmentEngine {
  /** Contacts that count as enrolled already: recent enrolments, and staging lists of other runs. */
  recentlyEnrolled(): Promise<ReadonlySet<number>>;
  /**
   * Spends one allowance unit; waits for the hourly window within the configured limit and the staging
   * import, both at most until `deadline` (the batch's checkpoint budget, checkpoint-budget.ts, in the
   * engine clock's time); TransientError past either.
   */
  submit(contactIds: number[], deadline?: number): Promise<SubmittedEnrolment>;
  /** Polls until Finished or the deadline, then reads the fault report; a NothingSent is finished at once. */
  confirm(enrolment: SubmittedEnrolment, deadline: number): Promise<EnrolmentConfirmation>;
  /** The batch's states are echoed: what was kept only for crash recovery may go. */
  release(enrolment: SubmittedEnrolment): Promise<void>;
  /** The sync ended successfully: tidies what the engine still holds. */
  finish(): Promise<void>;
  /** What the engine has learnt about the account that the list-or-contacts rule depends on. */
  accountFacts(): AccountFacts;
  stats(): EngineStats;
}

/** Stats of an engine that has done nothing (dry runs, tests' engines). */
export const IDLE_ENGINE_STATS: EngineStats = {
  allowanceSpent: 0,
  allowanceWaitMs: 0,
  processingWaitMs: 0,
  batchesByMode: { contacts: 0, list: 0 },
  modeRule: '',
  contactsDeletedBeforeEnrolment: 0,
  stagingListsLeft: 0,
};
