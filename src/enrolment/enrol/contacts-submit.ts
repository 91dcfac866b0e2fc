import { MAX_CONTACTS_PER_ENROLMENT } from '../../dotdigital/limits.js';
import type { Enrolment } from '../../dotdigital/types.js';
import type { DroppedReason } from '../engine-types.js';
import { SystemError } from '../../protocol/errors.js';
import { CONTACT_NOT_FOUND, CONTACT_SUPPRESSED, hasCode } from './api-errors.js';
import { callEnrolment, type EnrolmentCallContext } from './enrolment-call.js';
import { findMissingContacts, findRefusedContacts } from './reverify.js';

export interface ContactsSubmission {
  /** Undefined when no contact of the batch exists any more, so nothing was sent. */
  enrolment?: Enrolment;
  /** The contacts the enrolment names. */
  enrolled: number[];
  /** Contacts deleted since they were resolved. */
  missing: number[];
  /** Sent again after an unanswered call (see AcceptedCall). */
  resent: boolean;
  /** Contacts whose status made Dotdigital refuse the call (ERROR_CONTACT_SUPPRESSED), with their reason. */
  refused: { contactId: number; reason: DroppedReason }[];
}

/**
 * Enrols a batch by contact IDs. One unknown contact makes Dotdigital refuse the whole call; the
 * batch's contacts are then looked up again and the call is resent without the missing ones.
 */
export async function submitContacts(
  ctx: EnrolmentCallContext,
  contactIds: readonly number[],
): Promise<ContactsSubmission> {
  if (contactIds.length > MAX_CONTACTS_PER_ENROLMENT) {
    throw new SystemError(
      'The connector tried to enrol more contacts in one call than Dotdigital allows.',
      `submit() got ${contactIds.length} contact IDs; at most ${MAX_CONTACTS_PER_ENROLMENT} per call`,
    );
  }
  let remaining = [...new Set(contactIds)];
  const missing: number[] = [];
  const refused: ContactsSubmission['refused'] = [];
  let refusedWithNothingMissing = false;
  let suppressedWithNothingFound = false;
  while (remaining.length > 0) {
    try {
      const { enrolment, resent } = await callEnrolment(ctx, { contacts: remaining });
      return { enrolment, enrolled: remaining, missing, resent, refused };
    } catch (error) {
      if (hasCode(error, CONTACT_SUPPRESSED)) {
        // Which contacts is not said: their statuses are looked up again and the refused ones dropped.
        const found = await findRefusedContacts(ctx.client, remaining);
        if (found.length === 0) {
          if (suppressedWithNothingFound) {
            throw new SystemError(
              'Dotdigital refused an enrolment because of a contact status, although every contact in it is subscribed.',
              `${error.message}; contacts ${remaining.join(',')} all look enrollable`,
              { cause: error },
            );
          }
          suppressedWithNothingFound = true;
          continue;
        }
        ctx.logger.info(
          { refused: found.length, batch: remaining.length },
          'Dotdigital refused contacts whose status changed after they were looked up; enrolling the rest of the batch without them',
        );
        refused.push(...found);
        const drop = new Set(found.map((f) => f.contactId));
        remaining = remaining.filter((id) => !drop.has(id));
        continue;
      }
      if (!hasCode(error, CONTACT_NOT_FOUND)) throw error;
      const gone = new Set(await findMissingContacts(ctx.client, remaining));
      if (gone.size === 0) {
        // A look-up can lag behind a deletion for a moment; once more, then it is a real inconsistency.
        if (refusedWithNothingMissing) {
          throw new SystemError(
            'Dotdigital refused an enrolment saying a contact does not exist, although every contact in it can be looked up.',
            `${error.message}; contacts ${remaining.join(',')} all answer GET /contacts/v3/contactId/{id}`,
            { cause: error },
          );
        }
        refusedWithNothingMissing = true;
        continue;
      }
      ctx.logger.info(
        { missing: gone.size, batch: remaining.length },
        'Some contacts were deleted in Dotdigital after they were looked up; enrolling the rest of the batch without them',
      );
      missing.push(...gone);
      remaining = remaining.filter((id) => !gone.has(id));
    }
  }
  return { enrolled: [], missing, resent: false, refused };
}
