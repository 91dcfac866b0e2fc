/** Contacts v3: look-ups by each identifier, their errors, channel statuses, and the marker-paged listing. */
import { describe, expect, it } from 'vitest';
import { assertResponseMatches } from './openapi.js';
import { expectV3Error } from './support/errors.js';
import {
  CONTACT,
  emailOf,
  GENERATED_COUNT,
  mobileOf,
  PERSON_EMAIL,
  PERSON_MOBILE,
  SUBSCRIBED_IDS,
} from './support/fixture.js';
import { useEmulator } from './support/emulator.js';
import type { ApiResponse } from './support/http.js';

const LOOKUP = '/contacts/v3/{identifier}/{value}';
const LIST = '/contacts/v3';
/** Every contact of the main test account: 60 subscribed, 6 special ones, and the generated block. */
const TOTAL_CONTACTS = SUBSCRIBED_IDS.length + Object.keys(CONTACT).length + GENERATED_COUNT;

const emulator = useEmulator();

interface V3Contact {
  contactId: number;
  status: string;
  identifiers: { email?: string; mobileNumber?: string };
  channelProperties?: {
    email?: { status: string };
    sms?: { status: string };
  };
}

interface ContactPage {
  _links: { self: { marker: string }; first: { marker: string }; next?: { marker: string; link: string } };
  _items: V3Contact[];
}

function expectContact(response: ApiResponse): V3Contact {
  expect(response.status, response.text).toBe(200);
  assertResponseMatches('contacts-v3', 'get', LOOKUP, 200, response.json);
  return response.json as V3Contact;
}

describe('GET /contacts/v3/{identifier}/{value}', () => {
  it('finds a contact by contactId, email and mobileNumber, in the published shape', async () => {
    const { api } = emulator();
    const byId = expectContact(await api.get('/contacts/v3/contactId/1'));
    expect(byId.contactId).toBe(1);
    expect(byId.identifiers).toEqual({ email: emailOf(1), mobileNumber: mobileOf(1) });
    expect(
      expectContact(await api.get(`/contacts/v3/email/${encodeURIComponent(emailOf(1))}`)).contactId,
    ).toBe(1);
    expect(expectContact(await api.get(`/contacts/v3/mobileNumber/${mobileOf(1)}`)).contactId).toBe(1);
  });

  it('stores mobile numbers as international digits without "+"', async () => {
    const contact = expectContact(await emulator().api.get(`/contacts/v3/contactId/${CONTACT.mobileOnly}`));
    expect(contact.identifiers.mobileNumber).toMatch(/^[1-9]\d{6,14}$/);
    expect(contact.identifiers.email).toBeUndefined();
  });

  it('keeps email and mobile number of one person on two different contacts when that is how they were created', async () => {
    const { api } = emulator();
    const byEmail = expectContact(await api.get(`/contacts/v3/email/${encodeURIComponent(PERSON_EMAIL)}`));
    const byMobile = expectContact(await api.get(`/contacts/v3/mobileNumber/${PERSON_MOBILE}`));
    expect(byEmail.contactId).toBe(CONTACT.personEmail);
    expect(byMobile.contactId).toBe(CONTACT.personMobile);
    expect(byEmail.identifiers.mobileNumber).toBeUndefined();
    expect(byMobile.identifiers.email).toBeUndefined();
  });

  it.each([
    ['contactId', '888888'],
    ['email', 'nobody%40test.example'],
    ['mobileNumber', '447700999999'],
  ])('answers 404 contacts:contactNotFound for an unknown %s', async (identifier, value) => {
    const response = await emulator().api.get(`/contacts/v3/${identifier}/${value}`);
    expectV3Error(response, 404, 'contacts:contactNotFound');
    assertResponseMatches('contacts-v3', 'get', LOOKUP, 404, response.json);
  });

  it.each([
    ['contactId', 'abc'],
    ['contactId', '-4'],
    ['email', 'not-an-email'],
    ['mobileNumber', 'call-me'],
  ])('answers 400 contacts:invalidId for %s=%s', async (identifier, value) => {
    const response = await emulator().api.get(`/contacts/v3/${identifier}/${value}`);
    expectV3Error(response, 400, 'contacts:invalidId');
    assertResponseMatches('contacts-v3', 'get', LOOKUP, 400, response.json);
  });

  it('reports contact status and channel statuses', async () => {
    const { api } = emulator();
    const subscribed = expectContact(await api.get('/contacts/v3/contactId/1'));
    expect(subscribed.status).toBe('subscribed');
    expect(subscribed.channelProperties?.email?.status).toBe('subscribed');
    expect(subscribed.channelProperties?.sms?.status).toBe('subscribed');

    const unsubscribed = expectContact(await api.get(`/contacts/v3/contactId/${CONTACT.unsubscribed}`));
    expect(unsubscribed.status).toBe('unsubscribed');
    expect(unsubscribed.channelProperties?.email?.status).toBe('unsubscribed');

    const bounced = expectContact(await api.get(`/contacts/v3/contactId/${CONTACT.hardBounced}`));
    expect(bounced.status).toBe('suppressed');
    expect(bounced.channelProperties?.email?.status).toBe('hardBounced');

    const suppressed = expectContact(await api.get(`/contacts/v3/contactId/${CONTACT.suppressed}`));
    expect(suppressed.status).toBe('suppressed');
    expect(suppressed.channelProperties?.sms?.status).toBe('suppressed');
  });

  it('reflects a status changed through the control API', async () => {
    const t = emulator();
    await t.control.setContact(20, { status: 'suppressed', emailStatus: 'ispComplained' });
    const changed = expectContact(await t.api.get('/contacts/v3/contactId/20'));
    expect(changed.status).toBe('suppressed');
    expect(changed.channelProperties?.email?.status).toBe('ispComplained');
    await t.control.setContact(20, { status: 'subscribed', emailStatus: 'subscribed' });
  });
});

describe('GET /contacts/v3 (listing)', () => {
  async function page(query: string): Promise<ContactPage> {
    const response = await emulator().api.get(`${LIST}?${query}`);
    expect(response.status, response.text).toBe(200);
    assertResponseMatches('contacts-v3', 'get', LIST, 200, response.json);
    return response.json as ContactPage;
  }

  it('pages through every contact once, in ascending contactId, following the marker', async () => {
    const ids: number[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const query = `limit=400${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`;
      const current = await page(query);
      expect(current._items.length).toBeLessThanOrEqual(400);
      ids.push(...current._items.map((contact) => contact.contactId));
      marker = current._links.next?.marker;
      if (!marker) break;
    }
    expect(ids.length).toBe(TOTAL_CONTACTS);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('returns up to 5000 contacts in one page, each with its identifiers', async () => {
    const all = await page('limit=5000');
    expect(all._items.length).toBe(TOTAL_CONTACTS);
    expect(all._links.next).toBeUndefined();
    for (const contact of all._items) {
      expect(Object.keys(contact.identifiers).length, `contact ${contact.contactId}`).toBeGreaterThan(0);
    }
  });

  it('gives a next link that fetches the same page as the marker', async () => {
    const t = emulator();
    const first = await page('limit=3');
    const link = first._links.next?.link;
    expect(link).toBeDefined();
    const viaLink = await t.api.get(new URL(link!).pathname.replace(/^\/r[123]/, '') + new URL(link!).search);
    const viaMarker = await page(`limit=3&marker=${encodeURIComponent(first._links.next!.marker)}`);
    expect((viaLink.json as ContactPage)._items).toEqual(viaMarker._items);
    expect(viaMarker._items[0]!.contactId).toBeGreaterThan(first._items[2]!.contactId);
  });

  it('includes channel properties when asked', async () => {
    const withChannels = await page('limit=5&include=channelProperties');
    expect(withChannels._items[0]!.channelProperties?.email?.status).toBe('subscribed');
  });

  it.each(['limit=0', 'limit=5001', 'limit=-1', 'limit=ten'])('answers 400 for %s', async (query) => {
    const response = await emulator().api.get(`${LIST}?${query}`);
    expectV3Error(response, 400);
    assertResponseMatches('contacts-v3', 'get', LIST, 400, response.json);
  });
});
