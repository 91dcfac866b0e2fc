/**
 * Why a record was not enrolled (where rejected records go is rejected-records/).
 *
 * Reason vocabulary (stable; the README and the rejected-records file use these words):
 * - `invalid_record`         the record's `data` is not a JSON object
 * - `stream_not_in_catalog`  the record names a stream the configured catalog does not have
 * - `missing_identifier`     no identifier field of the mapping has a value
 * - `invalid_email`          the email that decides is not a plausible address
 * - `invalid_mobile_number`  the mobile number that decides is not a valid international number
 * - `invalid_contact_id`     the contact ID that decides is not a positive 32-bit integer
 * - `contact_not_found`      no contact in the account has that identifier (contacts are never created)
 * - `contact_<status>`       the contact's status says the program cannot reach it, e.g.
 *                            `contact_unsubscribed`, `contact_suppressed`, `contact_pending_opt_in`, or for a
 *                            suppressed contact the email channel's reason (`contact_hard_bounced`,
 *                            `contact_isp_complained`); Dotdigital's word in snake case. Off with
 *                            enrol_unreachable_contacts.
 * - `duplicate_in_sync`      the same contact was already taken from an earlier record of this sync
 * - `enrolment_fault:<Reason>` Dotdigital accepted the enrolment but its fault report lists the contact,
 *                            with Dotdigital's own reason word (e.g. `enrolment_fault:AlreadyInProgram`)
 */
import type { StreamDescriptor } from '../protocol/messages.js';
import type { Contact } from '../dotdigital/types.js';
import type { IdentifierKind } from '../config/types.js';

export const Reason = {
  invalidRecord: 'invalid_record',
  streamNotInCatalog: 'stream_not_in_catalog',
  missingIdentifier: 'missing_identifier',
  invalidEmail: 'invalid_email',
  invalidMobileNumber: 'invalid_mobile_number',
  invalidContactId: 'invalid_contact_id',
  contactNotFound: 'contact_not_found',
  duplicateInSync: 'duplicate_in_sync',
  /** An imported contact the staging list does not hold, for no status Dotdigital shows. */
  stagingListNotAdded: 'staging_list_not_added',
} as const;

/** Every word a rejection may carry; the vocabulary above, as a type. */
export type RejectionReason =
  | (typeof Reason)[keyof typeof Reason]
  | `contact_${string}`
  | `${typeof ENROLMENT_FAULT_PREFIX}${string}`
  | `staging_import_failed_${string}`;

export const INVALID_REASON: Record<IdentifierKind, RejectionReason> = {
  email: Reason.invalidEmail,
  mobileNumber: Reason.invalidMobileNumber,
  contactId: Reason.invalidContactId,
};

const ENROLMENT_FAULT_PREFIX = 'enrolment_fault:' as const;

/** `hardBounced` → `hard_bounced`: Dotdigital's camel-case status words as reason suffixes. */
function snakeCase(word: string): string {
  return word.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`).replace(/[^a-z0-9_]/g, '_');
}

/**
 * Fault-report reasons become `enrolment_fault:<Reason>`; reasons the engine already words in this
 * vocabulary (such as `contact_not_found` for a contact deleted mid-sync) pass through unchanged.
 */
export function enrolmentFaultReason(reason: string): RejectionReason {
  if (/^[a-z][a-z0-9_]*$/.test(reason)) return reason as RejectionReason;
  return `${ENROLMENT_FAULT_PREFIX}${reason.trim() || 'Unknown'}`;
}

/** Statuses under which a program can still reach the contact. */
const REACHABLE_STATUSES = new Set(['subscribed', '']);

/**
 * The rejection reason for a contact the program cannot reach, or null when it can. The contact's
 * overall status decides; Dotdigital reports channel-level problems (a hard-bounced address) there too.
 */
export function unreachableReason(contact: Contact): RejectionReason | null {
  const status = contact.status ?? '';
  if (REACHABLE_STATUSES.has(status)) return null;
  // "suppressed" says little; the email channel usually says why (hardBounced, ispComplained, …).
  const channel = contact.emailStatus ?? '';
  if (status === 'suppressed' && channel !== '' && !GENERIC_CHANNEL_STATUSES.has(channel)) {
    return `contact_${snakeCase(channel)}`;
  }
  return `contact_${snakeCase(status)}`;
}

const GENERIC_CHANNEL_STATUSES = new Set(['subscribed', 'suppressed', 'noSubscription', 'unknown']);

/** A human sentence for the rejected-records file and the logs; never contains the identifier's value. */
export function describeRejection(reason: string, detail?: string): string {
  const suffix = detail ? ` (${detail})` : '';
  switch (reason) {
    case Reason.invalidRecord:
      return `The record's data is not a JSON object${suffix}.`;
    case Reason.streamNotInCatalog:
      return `The record's stream is not in the configured catalog${suffix}.`;
    case Reason.missingIdentifier:
      return `The record has none of the mapped identifier fields${suffix}.`;
    case Reason.invalidEmail:
      return `The email address is not a plausible address${suffix}.`;
    case Reason.invalidMobileNumber:
      return `The mobile number is not a valid international number; set default_country for national numbers${suffix}.`;
    case Reason.invalidContactId:
      return `The contact ID is not a positive 32-bit integer${suffix}.`;
    case Reason.contactNotFound:
      return `No contact in the Dotdigital account has this identifier; the connector never creates contacts${suffix}.`;
    case Reason.duplicateInSync:
      return `An earlier record of this sync already stands for the same contact${suffix}.`;
    default:
      if (reason.startsWith(ENROLMENT_FAULT_PREFIX)) {
        return `Dotdigital did not enrol the contact: ${reason.slice(ENROLMENT_FAULT_PREFIX.length)}${suffix}.`;
      }
      if (reason.startsWith('contact_')) {
        return `The contact's status (${reason.slice('contact_'.length)}) means the program cannot reach it; set enrol_unreachable_contacts to enrol it anyway${suffix}.`;
      }
      return `Rejected: ${reason}${suffix}.`;
  }
}

export interface RejectedRecord {
  record: unknown;
  stream: StreamDescriptor;
  reason: string;
  message: string;
  /** The record's own emitted_at, so it can be found in the source. */
  emittedAt: number;
}

export type { RejectionSink } from './rejected-records/sink.js';
export { createRejectionSink } from './rejected-records/index.js';
