import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import { mapBounded } from './bounded-map.js';

/**
 * Whether a contact from the listing lacks what the pipeline needs to word an unreachable contact's
 * rejection: the listing carries channel statuses only when asked for them, and a look-up always
 * does. Subscribed contacts are reachable whatever their channels say, so only the others matter.
 */
export function needsChannelStatuses(contact: Contact): boolean {
  return (
    contact.status !== 'subscribed' && contact.emailStatus === undefined && contact.smsStatus === undefined
  );
}

/**
 * Replaces walked contacts that lack channel statuses with their look-up. Costs one call per such
 * contact, and none once the listing carries the statuses.
 */
export async function withChannelStatuses(
  client: DotdigitalClient,
  contacts: Map<string, Contact>,
  concurrency: number,
): Promise<number> {
  const byId = new Map<number, Contact>();
  for (const contact of contacts.values()) {
    if (needsChannelStatuses(contact)) byId.set(contact.contactId, contact);
  }
  if (byId.size === 0) return 0;
  const ids = [...byId.keys()];
  const looked = await mapBounded(ids, concurrency, (id) => client.getContact('contactId', String(id)));
  const fresh = new Map<number, Contact | null>();
  ids.forEach((id, index) => fresh.set(id, looked[index] ?? null));
  for (const [key, contact] of contacts) {
    const replacement = fresh.get(contact.contactId);
    if (replacement) contacts.set(key, replacement);
  }
  return ids.length;
}
