/** Address books (lists): create, delete, list, and page through members in ascending contact id. */
import { V2Failure } from '../http/errors.js';
import type { Account, AddressBook } from './account.js';
import type { World } from './world.js';

const RESERVED_NAMES = new Set(['test', 'all contacts']);

/**
 * The name and visibility a create or update body asks for, under Dotdigital's rules: a name of 1–128
 * characters, not reserved and not another list's (case-insensitively), and Private or Public.
 */
function validListFields(
  account: Account,
  body: unknown,
  defaultVisibility: string,
  ownId?: number,
): { name: string; visibility: 'Private' | 'Public' } {
  const lower = new Map(
    Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const name = lower.get('name');
  const visibility = lower.get('visibility') ?? defaultVisibility;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 128) {
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_INVALID');
  }
  if (visibility !== 'Private' && visibility !== 'Public')
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_INVALID');
  const wanted = name.trim().toLowerCase();
  if (
    RESERVED_NAMES.has(wanted) ||
    [...account.addressBooks.values()].some((a) => a.id !== ownId && a.name.toLowerCase() === wanted)
  ) {
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_DUPLICATE');
  }
  return { name: name.trim(), visibility };
}

export function createAddressBook(world: World, account: Account, body: unknown): AddressBook {
  const { name, visibility } = validListFields(account, body, 'Private');
  if (account.addressBooks.size >= world.settings.maxAddressBooks) {
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_LIMITEXCEEDED');
  }
  const book: AddressBook = { id: account.nextAddressBookId++, name, visibility, members: new Set() };
  account.addressBooks.set(book.id, book);
  return book;
}

/** PUT /v2/address-books/{id}: a new name (and visibility), under the same rules as creation. */
export function updateAddressBook(account: Account, id: number, body: unknown): AddressBook {
  const book = account.addressBooks.get(id);
  if (!book) throw new V2Failure(404, 'ERROR_ADDRESSBOOK_NOT_FOUND');
  const { name, visibility } = validListFields(account, body, book.visibility, id);
  book.name = name;
  book.visibility = visibility;
  return book;
}

export function deleteAddressBook(account: Account, id: number): void {
  if (!account.addressBooks.delete(id)) throw new V2Failure(404, 'ERROR_ADDRESSBOOK_NOT_FOUND');
}

export function addressBookJson(book: AddressBook): {
  id: number;
  name: string;
  visibility: string;
  contacts: number;
} {
  return { id: book.id, name: book.name, visibility: book.visibility, contacts: book.members.size };
}

export function sortedMembers(book: AddressBook): number[] {
  if (!book.sorted) book.sorted = [...book.members].sort((a, b) => a - b);
  return book.sorted;
}

export function addMember(book: AddressBook, contactId: number): void {
  if (book.members.has(contactId)) return;
  book.members.add(contactId);
  book.sorted = undefined;
}

/** Index in an ascending array of the first value greater than `after`. */
export function firstAfter(sorted: number[], after: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
