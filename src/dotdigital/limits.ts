/**
 * Dotdigital's fixed limits, defined once. Everything that sizes a call, a batch or a wait from one of
 * Dotdigital's rules imports it from here.
 */

/** Contact IDs one `POST /v2/programs/enrolments` may name (the Programs API's documented maximum). */
export const MAX_CONTACTS_PER_ENROLMENT = 25;
/** Accepted enrolment calls per account per rolling hour, across every program and API user. */
export const ENROLMENT_CALLS_PER_HOUR = 20;
/** The rolling window of that allowance. */
export const ENROLMENT_ALLOWANCE_WINDOW_MS = 60 * 60 * 1000;
/**
 * Contacts per v3 import. Each item is about 90 bytes of JSON, so 100,000 stay near 9 MB, far below
 * the 50 MB body limit of `PUT /contacts/v3/import`.
 */
export const IMPORT_CHUNK_SIZE = 100_000;
/** Unfinished v3 imports Dotdigital accepts per account (429 contacts:tooManyActiveImports past it). */
export const MAX_ACTIVE_IMPORTS = 25;
/** The largest page (`select`) of every v2 listing: programs, address books, enrolments by status. */
export const MAX_V2_PAGE = 1000;
/**
 * The largest page `GET /contacts/v3` serves (its `limit`, 1 to 5000, Contacts v3 OpenAPI), with or
 * without `~listId`: the account walk and a staging list's member check both read pages this size,
 * as every page is a Low-tier call.
 */
export const MAX_CONTACTS_PAGE = 5000;
/** A list-mode batch's upper bound: one staging list, imported in chunks of IMPORT_CHUNK_SIZE. */
export const MAX_LIST_BATCH = 1_000_000;
