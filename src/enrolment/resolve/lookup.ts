import { isIdentifierRefused } from '../../dotdigital/error-translation.js';
import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import type { IdentifierQuery } from '../engine-types.js';
import { mapBounded } from './bounded-map.js';

/** Parallel look-ups per identifier: enough to keep a connection pool busy, few enough for rate tiers. */
export const DEFAULT_LOOKUP_CONCURRENCY = 8;

/**
 * Dotdigital refused the identifier's value itself (400 contacts:invalidId / invalidIdentifier): the record
 * is rejected as invalid, and the sync goes on (asking again would meet the same refusal).
 */
export const IDENTIFIER_REFUSED = 'identifier_refused' as const;
export type LookupAnswer = Contact | null | typeof IDENTIFIER_REFUSED;

/**
 * Answers each distinct query with one `GET /contacts/v3/{identifier}/{value}`; the client turns
 * 404 into null. Keys of the result are those of `queries`.
 */
export async function lookUpContacts(
  client: DotdigitalClient,
  queries: ReadonlyMap<string, IdentifierQuery>,
  concurrency: number = DEFAULT_LOOKUP_CONCURRENCY,
): Promise<Map<string, LookupAnswer>> {
  const entries = [...queries];
  const contacts = await mapBounded(entries, concurrency, async ([, query]): Promise<LookupAnswer> => {
    try {
      return await client.getContact(query.kind, query.value);
    } catch (error) {
      if (isIdentifierRefused(error)) return IDENTIFIER_REFUSED;
      throw error;
    }
  });
  const found = new Map<string, LookupAnswer>();
  entries.forEach(([key], index) => found.set(key, contacts[index] ?? null));
  return found;
}
