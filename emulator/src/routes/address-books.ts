/** POST/GET /v2/address-books, GET/DELETE /v2/address-books/{id}, GET /v2/address-books/{id}/contacts. */
import { json, v2Error, type Reply } from '../http/reply.js';
import {
  addressBookJson,
  createAddressBook,
  deleteAddressBook,
  sortedMembers,
  updateAddressBook,
} from '../state/address-books.js';
import { v2Contact } from './contact-json.js';
import type { RouteContext } from './context.js';
import { paging } from './programs.js';

function bookId(raw: string): number {
  return /^\d{1,10}$/.test(raw) ? Number(raw) : -1;
}

export function postAddressBook(ctx: RouteContext): Reply {
  return json(200, addressBookJson(createAddressBook(ctx.world, ctx.account, ctx.body)));
}

export function listAddressBooks(ctx: RouteContext): Reply {
  const page = paging(ctx.query);
  if (!page) return v2Error(400, 'ERROR_PARAMETER_INVALID');
  const books = [...ctx.account.addressBooks.values()].sort((a, b) => a.id - b.id);
  return json(200, books.slice(page.skip, page.skip + page.select).map(addressBookJson));
}

export function getAddressBook(ctx: RouteContext): Reply {
  const book = ctx.account.addressBooks.get(bookId(ctx.params[0]!));
  return book ? json(200, addressBookJson(book)) : v2Error(404, 'ERROR_ADDRESSBOOK_NOT_FOUND');
}

export function putAddressBook(ctx: RouteContext): Reply {
  return json(200, addressBookJson(updateAddressBook(ctx.account, bookId(ctx.params[0]!), ctx.body)));
}

export function removeAddressBook(ctx: RouteContext): Reply {
  deleteAddressBook(ctx.account, bookId(ctx.params[0]!));
  return { status: 204 };
}

export function listAddressBookContacts(ctx: RouteContext): Reply {
  const book = ctx.account.addressBooks.get(bookId(ctx.params[0]!));
  if (!book) return v2Error(404, 'ERROR_ADDRESSBOOK_NOT_FOUND');
  const page = paging(ctx.query);
  if (!page) return v2Error(400, 'ERROR_PARAMETER_INVALID');
  const withFullData = (ctx.query.get('withFullData') ?? '').toLowerCase() === 'true';
  const store = ctx.account.contacts;
  const out: Record<string, unknown>[] = [];
  // v2 contacts are email-centric (the schema requires a non-empty email): mobile-only members are
  // left out here and are visible through GET /contacts/v3?~listId=N instead.
  const withEmail = sortedMembers(book).filter((id) => store.hasEmail(store.indexOfId(id)));
  for (const id of withEmail.slice(page.skip, page.skip + page.select)) {
    out.push(v2Contact(ctx.account, store.view(store.indexOfId(id)), withFullData));
  }
  return json(200, out);
}
