import type { DotdigitalClient } from '../../dotdigital/types.js';
import { mapBounded } from '../resolve/bounded-map.js';
import { DEFAULT_LOOKUP_CONCURRENCY } from '../resolve/lookup.js';
import { Reason, unreachableReason } from '../rejections.js';
import type { ImportOutcome } from './staging-import.js';
import type { StagingLists } from './staging-lists.js';

/** A contact the import counted in but the list does not hold, for no reason a look-up shows. */
export const NOT_ADDED_TO_LIST = Reason.stagingListNotAdded;

/**
 * The list as it really is, checked against what the import reported: only members are enrolled,
 * so a contact the import counted in but Dotdigital left out (suppressed across the account, a
 * duplicate, deleted meanwhile) is rejected with its reason instead of being reported enrolled.
 */
export async function checkMembership(
  client: DotdigitalClient,
  lists: StagingLists,
  listId: number,
  imported: ImportOutcome,
): Promise<ImportOutcome> {
  const members = new Set(await lists.members(listId));
  const added: number[] = [];
  const absent: number[] = [];
  for (const id of imported.added) (members.has(id) ? added : absent).push(id);
  if (absent.length === 0) return imported;
  const contacts = await mapBounded(absent, DEFAULT_LOOKUP_CONCURRENCY, (id) =>
    client.getContact('contactId', String(id)),
  );
  const failures = [...imported.failures];
  absent.forEach((contactId, index) => {
    const contact = contacts[index];
    const reason =
      contact === null || contact === undefined || contact.status === 'deleted'
        ? Reason.contactNotFound
        : (unreachableReason(contact) ?? NOT_ADDED_TO_LIST);
    failures.push({ contactId, reason });
  });
  return { ...imported, added, failures };
}
