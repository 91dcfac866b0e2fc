import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import type { IdentifierQuery } from '../engine-types.js';
import { contactKeys } from './query-key.js';

/** The largest page `GET /contacts/v3` serves. */
export const SCAN_PAGE_SIZE = 5000;

export interface ScanOutcome {
  /** Contacts found, by query key. */
  found: Map<string, Contact>;
  /** True when the walk reached the last page, so a query not in `found` has no contact. */
  complete: boolean;
  pagesRead: number;
}

export interface ScanOptions {
  pageSize?: number;
  /**
   * Asked after every page that has a successor; returning true ends the walk early (the caller
   * then looks the remaining queries up one by one).
   */
  giveUp?: (pagesRead: number, unresolved: number) => boolean;
}

/**
 * Walks the account's contacts page by page and keeps only those the batch asked for. Only the
 * batch's queries are held in memory, never the account, so memory stays proportional to the batch
 * whatever the account's size.
 */
export async function scanContacts(
  client: DotdigitalClient,
  queries: ReadonlyMap<string, IdentifierQuery>,
  options: ScanOptions = {},
): Promise<ScanOutcome> {
  const pageSize = options.pageSize ?? SCAN_PAGE_SIZE;
  const found = new Map<string, Contact>();
  let marker: string | undefined;
  let pagesRead = 0;
  for (;;) {
    const page = await client.listContacts(
      marker === undefined ? { limit: pageSize } : { limit: pageSize, marker },
    );
    pagesRead++;
    for (const contact of page.contacts) {
      for (const key of contactKeys(contact)) {
        if (queries.has(key)) found.set(key, contact);
      }
    }
    const unresolved = queries.size - found.size;
    if (page.nextMarker === undefined || page.contacts.length === 0) {
      return { found, complete: true, pagesRead };
    }
    if (unresolved === 0 || options.giveUp?.(pagesRead, unresolved)) {
      return { found, complete: false, pagesRead };
    }
    marker = page.nextMarker;
  }
}
