import type { DotdigitalClient } from '../../dotdigital/types.js';
import { Reason, unreachableReason, type RejectionReason } from '../rejections.js';
import { mapBounded } from '../resolve/bounded-map.js';
import { DEFAULT_LOOKUP_CONCURRENCY } from '../resolve/lookup.js';

/**
 * Contact IDs of the batch that no longer exist. Used when Dotdigital refuses a whole enrolment
 * because one contact is unknown: look-ups are ordinary API calls, whereas finding the culprit by
 * splitting the batch would spend scarce enrolment allowance on every half.
 */
export async function findMissingContacts(
  client: DotdigitalClient,
  contactIds: readonly number[],
  concurrency: number = DEFAULT_LOOKUP_CONCURRENCY,
): Promise<number[]> {
  const contacts = await mapBounded(contactIds, concurrency, (id) =>
    client.getContact('contactId', String(id)),
  );
  return contactIds.filter((_, index) => {
    const contact = contacts[index];
    return contact === null || contact === undefined || contact.status === 'deleted';
  });
}

/**
 * Contacts of the batch whose status now makes Dotdigital refuse an enrolment call naming them
 * (ERROR_CONTACT_SUPPRESSED), each with the rejection reason its record gets.
 */
export async function findRefusedContacts(
  client: DotdigitalClient,
  contactIds: readonly number[],
  concurrency: number = DEFAULT_LOOKUP_CONCURRENCY,
): Promise<{ contactId: number; reason: RejectionReason }[]> {
  const contacts = await mapBounded(contactIds, concurrency, (id) =>
    client.getContact('contactId', String(id)),
  );
  const refused: { contactId: number; reason: RejectionReason }[] = [];
  contactIds.forEach((contactId, index) => {
    const contact = contacts[index];
    if (!contact || contact.status === 'deleted' || contact.status === 'binned') {
      refused.push({ contactId, reason: Reason.contactNotFound });
      return;
    }
    const reason = unreachableReason(contact);
    if (reason !== null) refused.push({ contactId, reason });
  });
  return refused;
}
