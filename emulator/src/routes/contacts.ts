/** GET /contacts/v3/{identifier}/{value} and GET /contacts/v3 (marker paging, ascending contactId). */
import { json, v3Error, type Reply } from '../http/reply.js';
import { normaliseMobile } from '../state/contacts.js';
import { firstAfter, sortedMembers } from '../state/address-books.js';
import type { RouteContext } from './context.js';
import { v3Contact, type V3Parts } from './contact-json.js';

const FULL: V3Parts = { dataFields: true, channelProperties: true, lists: true };
const IDENTIFIERS = new Map([
  ['contactid', 'contactId'],
  ['email', 'email'],
  ['mobilenumber', 'mobileNumber'],
]);

export function getContact(ctx: RouteContext): Reply {
  const identifier = IDENTIFIERS.get(ctx.params[0]!.toLowerCase());
  let value: string;
  try {
    value = decodeURIComponent(ctx.params[1]!);
  } catch {
    value = ctx.params[1]!;
  }
  if (!identifier) {
    return v3Error(
      400,
      'contacts:invalidIdentifier',
      `The identifier '${ctx.params[0]}' is not a known identifier`,
    );
  }
  const { settings } = ctx.world;
  if (settings.faults.invalidLookupValues.some((v) => v.toLowerCase() === value.toLowerCase())) {
    return invalidId(value, identifier);
  }
  if (
    settings.strictIdentifierValidation &&
    identifier !== 'contactId' &&
    !strictlyValid(identifier, value)
  ) {
    return invalidId(value, identifier);
  }
  const store = ctx.account.contacts;
  let index: number;
  if (identifier === 'contactId') {
    if (!/^\d{1,10}$/.test(value) || Number(value) === 0) return invalidId(value, identifier);
    index = store.indexOfId(Number(value));
  } else if (identifier === 'email') {
    const at = value.indexOf('@');
    if (at <= 0 || at === value.length - 1 || value.length > 254) return invalidId(value, identifier);
    index = store.indexOfEmail(value);
  } else {
    if (!normaliseMobile(value)) return invalidId(value, identifier);
    index = store.indexOfMobile(value);
  }
  if (index < 0) {
    return v3Error(404, 'contacts:contactNotFound', 'The following contacts could not be found', [
      { item: value, description: `Not found using the identifier '${identifier}'` },
    ]);
  }
  return json(200, v3Contact(ctx.account, store.view(index), FULL));
}

/**
 * What the real service may refuse although the connector's own checks pass: addresses outside plain ASCII
 * (unicode local parts, IDN domains), dots that start, end or repeat in the local part, and numbers that are
 * not mobile numbers (here: UK numbers outside 447…, or fewer than 10 digits).
 */
function strictlyValid(identifier: string, value: string): boolean {
  if (identifier === 'email') {
    if (!/^[\x21-\x7e]+$/.test(value)) return false;
    const local = value.slice(0, value.lastIndexOf('@'));
    const domain = value.slice(value.lastIndexOf('@') + 1).toLowerCase();
    if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
    return !domain.split('.').some((label) => label.startsWith('xn--'));
  }
  const digits = value.replace(/^\+/, '');
  if (!/^\d{10,15}$/.test(digits)) return false;
  return !digits.startsWith('44') || digits.startsWith('447');
}

function invalidId(value: string, identifier: string): Reply {
  return v3Error(
    400,
    'contacts:invalidId',
    `The id value '${value}' is invalid for the identifier '${identifier}'`,
  );
}

const MARKER_PREFIX = 'after:';

function encodeMarker(lastId: number): string {
  return Buffer.from(`${MARKER_PREFIX}${lastId}`).toString('base64url');
}

function decodeMarker(marker: string): number | undefined {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith(MARKER_PREFIX)) return undefined;
  const id = Number(text.slice(MARKER_PREFIX.length));
  return Number.isInteger(id) && id >= 0 ? id : undefined;
}

export function listContacts(ctx: RouteContext): Reply {
  const { query, world } = ctx;
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? world.settings.defaultContactsPageLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
    return v3Error(400, 'contacts:invalidLimit', `The limit '${rawLimit}' must be between 1 and 5000`);
  }
  const marker = query.get('marker') ?? '';
  const after = marker === '' ? 0 : decodeMarker(marker);
  if (after === undefined) return v3Error(400, 'contacts:invalidMarker', `The marker '${marker}' is invalid`);
  const include = (query.get('include') ?? '').split('|');
  const dataFieldsParam = query.get('data-fields');
  const parts: V3Parts = {
    dataFields: dataFieldsParam !== null && dataFieldsParam !== '',
    channelProperties: include.includes('channelProperties'),
    lists: include.includes('lists'),
  };
  const store = ctx.account.contacts;
  const items: Record<string, unknown>[] = [];
  let hasMore: boolean;
  const listParam = query.get('~listId');
  if (listParam !== null) {
    const book = ctx.account.addressBooks.get(Number(listParam));
    if (!book) return v3Error(400, 'contacts:invalidFilter', `The filter value '${listParam}' is invalid`);
    const ids = sortedMembers(book);
    const start = firstAfter(ids, after);
    for (const id of ids.slice(start, start + limit)) {
      const index = store.indexOfId(id);
      if (index >= 0) items.push(v3Contact(ctx.account, store.view(index), parts));
    }
    hasMore = start + limit < ids.length;
  } else {
    const start = store.indexAfterId(after);
    const end = Math.min(store.size, start + limit);
    for (let i = start; i < end; i++) items.push(v3Contact(ctx.account, store.view(i), parts));
    hasMore = end < store.size;
  }
  const link = (m: string) => {
    const q = new URLSearchParams(query);
    q.set('limit', String(limit));
    if (m) q.set('marker', m);
    else q.delete('marker');
    return `${ctx.origin}${ctx.prefix}/contacts/v3?${q.toString()}`;
  };
  const links: Record<string, { marker: string; link: string }> = {
    self: { marker, link: link(marker) },
    first: { marker: '', link: link('') },
  };
  if (hasMore && items.length > 0) {
    const next = encodeMarker(items[items.length - 1]!.contactId as number);
    links.next = { marker: next, link: link(next) };
  }
  return json(200, { _links: links, _items: items });
}
