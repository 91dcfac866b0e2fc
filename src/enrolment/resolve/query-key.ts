import type { Contact } from '../../dotdigital/types.js';
import type { IdentifierQuery } from '../engine-types.js';

/**
 * One string per distinct query, so equal queries in a batch cost one call and share one answer.
 * The kind is part of the key because a contact ID and a mobile number can be the same digits.
 */
export function queryKey(query: IdentifierQuery): string {
  return `${query.kind}:${query.value}`;
}

/** Distinct queries of a batch, in first-seen order. */
export function distinctQueries(queries: readonly IdentifierQuery[]): Map<string, IdentifierQuery> {
  const distinct = new Map<string, IdentifierQuery>();
  for (const query of queries) {
    const key = queryKey(query);
    if (!distinct.has(key)) distinct.set(key, query);
  }
  return distinct;
}

/**
 * The keys under which a listed contact answers queries. Listings carry identifiers as Dotdigital
 * stores them, so they are brought to the same normal form the pipeline gives queries (email
 * lower-case, mobile digits without '+'); otherwise a scan would miss contacts a look-up finds.
 */
export function contactKeys(contact: Contact): string[] {
  const keys = [`contactId:${contact.contactId}`];
  if (contact.email) keys.push(`email:${listedEmailKey(contact.email)}`);
  if (contact.mobileNumber) keys.push(`mobileNumber:${listedMobileKey(contact.mobileNumber)}`);
  return keys;
}

export function listedEmailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function listedMobileKey(mobile: string): string {
  return mobile.replace(/^\+/, '');
}
