/** Address books (lists) in v2: create, list, delete, and read members' contact IDs. */
import { z } from 'zod';
import type { ApiCaller } from '../caller.js';
import { AmbiguousRequestError } from '../errors.js';
import { MAX_V2_PAGE } from '../limits.js';
import type { AddressBook } from '../types.js';
import { DotdigitalApiError } from '../types.js';
import { v2PageQuery } from '../paging.js';
import { parseResponse } from '../validate.js';

const addressBookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  visibility: z.string().nullish(),
  contacts: z.number().int().nullish(),
});

function toAddressBook(raw: z.output<typeof addressBookSchema>): AddressBook {
  return { id: raw.id, name: raw.name, visibility: raw.visibility ?? 'Private', contacts: raw.contacts ?? 0 };
}

export async function listAddressBooks(
  caller: ApiCaller,
  page: { select: number; skip: number },
): Promise<AddressBook[]> {
  const response = await caller.call({
    method: 'GET',
    route: '/v2/address-books',
    query: v2PageQuery(page),
  });
  return parseResponse(z.array(addressBookSchema), response, 'GET /v2/address-books', { v2: true }).map(
    toAddressBook,
  );
}

async function findAddressBookByName(caller: ApiCaller, name: string): Promise<AddressBook | undefined> {
  for (let skip = 0; ; skip += MAX_V2_PAGE) {
    const page = await listAddressBooks(caller, { select: MAX_V2_PAGE, skip });
    const found = page.find((book) => book.name === name);
    if (found) return found;
    if (page.length < MAX_V2_PAGE) return undefined;
  }
}

const CREATE_ROUTE = '/v2/address-books';

/**
 * Safe to repeat by design rather than by luck: address-book names are unique within an account, and the
 * connector's staging-list names are unique per sync and batch. So when a create may or may not have taken
 * effect (dropped connection, timeout, 5xx), the list is looked up by name before asking again, and an
 * ERROR_ADDRESSBOOK_DUPLICATE answer after such an attempt means the earlier one worked. The rounds are
 * bounded by the same time budget as any one call, not by a count that bad luck exhausts.
 */
export async function createAddressBook(
  caller: ApiCaller,
  name: string,
  visibility: 'Private' | 'Public',
): Promise<AddressBook> {
  let uncertain = false;
  const startedAt = caller.now();
  for (let round = 1; ; round += 1) {
    try {
      const response = await caller.call({
        method: 'POST',
        route: CREATE_ROUTE,
        json: { name, visibility },
        idempotent: false,
      });
      return toAddressBook(parseResponse(addressBookSchema, response, `POST ${CREATE_ROUTE}`, { v2: true }));
    } catch (error) {
      if (uncertain && error instanceof DotdigitalApiError && error.code === 'ERROR_ADDRESSBOOK_DUPLICATE') {
        const existing = await findAddressBookByName(caller, name);
        if (existing) return existing;
      }
      if (!(error instanceof AmbiguousRequestError)) throw error;
      uncertain = true;
      const existing = await findAddressBookByName(caller, name);
      if (existing) return existing;
      if (!(await caller.pauseBeforeRound(round, startedAt))) throw error;
    }
  }
}

/** PUT /v2/address-books/{id}: renames a list; repeating it sets the same name, so it is retried freely. */
export async function renameAddressBook(caller: ApiCaller, id: number, name: string): Promise<AddressBook> {
  const response = await caller.call({
    method: 'PUT',
    route: '/v2/address-books/{id}',
    pathParams: { id },
    json: { name, visibility: 'Private' },
  });
  return toAddressBook(
    parseResponse(addressBookSchema, response, 'PUT /v2/address-books/{id}', { v2: true }),
  );
}

/** Already gone counts as deleted when an earlier attempt may have removed it. */
export async function deleteAddressBook(caller: ApiCaller, id: number): Promise<void> {
  await caller.call({
    method: 'DELETE',
    route: '/v2/address-books/{id}',
    pathParams: { id },
    acceptAfterUncertainAttempt: [404],
  });
}

const memberSchema = z.object({ id: z.number().int() });

export async function listAddressBookContactIds(
  caller: ApiCaller,
  id: number,
  page: { select: number; skip: number },
): Promise<number[]> {
  const response = await caller.call({
    method: 'GET',
    route: '/v2/address-books/{id}/contacts',
    pathParams: { id },
    query: v2PageQuery(page),
  });
  return parseResponse(z.array(memberSchema), response, 'GET /v2/address-books/{id}/contacts', {
    v2: true,
  }).map((member) => member.id);
}
