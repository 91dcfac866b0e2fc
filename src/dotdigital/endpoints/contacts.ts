/** Contacts v3: look one up by identifier, or walk every contact page by page. */
import { z } from 'zod';
import type { ApiCaller } from '../caller.js';
import type { Contact, ContactIdentifierKind, ContactPage } from '../types.js';
import { DotdigitalApiError } from '../types.js';
import { parseResponse } from '../validate.js';

/** The API's largest page. */
export const CONTACTS_PAGE_LIMIT = 5000;

const channelSchema = z.object({ status: z.string().nullish() }).nullish();

export const contactSchema = z.object({
  contactId: z.number().int(),
  status: z.string(),
  identifiers: z
    .object({
      email: z.string().nullish(),
      mobileNumber: z.string().nullish(),
    })
    .nullish(),
  channelProperties: z.object({ email: channelSchema, sms: channelSchema }).nullish(),
});

const contactListSchema = z.object({
  _items: z.array(contactSchema),
  _links: z
    .object({
      next: z.object({ marker: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

export function toContact(raw: z.output<typeof contactSchema>): Contact {
  const contact: Contact = { contactId: raw.contactId, status: raw.status };
  if (raw.identifiers?.email) contact.email = raw.identifiers.email;
  if (raw.identifiers?.mobileNumber) contact.mobileNumber = raw.identifiers.mobileNumber;
  const emailStatus = raw.channelProperties?.email?.status;
  const smsStatus = raw.channelProperties?.sms?.status;
  if (emailStatus) contact.emailStatus = emailStatus;
  if (smsStatus) contact.smsStatus = smsStatus;
  return contact;
}

const GET_ROUTE = '/contacts/v3/{identifier}/{value}';

/** Null when the account has no such contact. */
export async function getContact(
  caller: ApiCaller,
  identifier: ContactIdentifierKind,
  value: string,
): Promise<Contact | null> {
  try {
    const response = await caller.call({
      method: 'GET',
      route: GET_ROUTE,
      pathParams: { identifier, value },
    });
    return toContact(parseResponse(contactSchema, response, `GET ${GET_ROUTE}`));
  } catch (error) {
    if (
      error instanceof DotdigitalApiError &&
      error.status === 404 &&
      (error.code === undefined || error.code === 'contacts:contactNotFound')
    ) {
      return null;
    }
    throw error;
  }
}

export async function listContacts(
  caller: ApiCaller,
  page: { limit: number; marker?: string; listId?: number },
): Promise<ContactPage> {
  const response = await caller.call({
    method: 'GET',
    route: '/contacts/v3',
    query: {
      limit: Math.min(Math.max(1, Math.floor(page.limit)), CONTACTS_PAGE_LIMIT),
      marker: page.marker,
      // Members of one list, mobile-only ones included (v2's list members leave those out).
      '~listId': page.listId,
      // Channel statuses say why a suppressed contact cannot be reached (hard bounce, complaint…);
      // without them a walk would word rejections less precisely than a look-up.
      include: 'channelProperties',
    },
  });
  const body = parseResponse(contactListSchema, response, 'GET /contacts/v3');
  const result: ContactPage = { contacts: body._items.map(toContact) };
  const next = body._links?.next?.marker;
  if (next) result.nextMarker = next;
  return result;
}
