import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import type { IdentifierQuery } from '../engine-types.js';
import { mapBounded } from './bounded-map.js';

/** Parallel look-ups per identifier: enough to keep a connection pool busy, few enough for rate tiers. */
export const DEFAULT_LOOKUP_CONCURRENCY = 8;

/**
 * Answers each distinct query with one `GET /contacts/v3/{identifier}/{value}`; the client turns
 * 404 into null. Keys of the result are those of `queries`.
 */
export async function lookUpContacts(
  client: DotdigitalClient,
  queries: ReadonlyMap<string, IdentifierQuery>,
  concurrency: number = DEFAULT_LOOKUP_CONCURRENCY,
): Promise<Map<string, Contact | null>> {
  const entries = [...queries];
  const contacts = await mapBounded(entries, concurrency, ([, query]) =>
    client.getContact(query.kind, query.value),
  );
  const found = new Map<string, Contact | null>();
  entries.forEach(([key], index) => found.set(key, contacts[index] ?? null));
  return found;
}
