import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  generatedEmail,
  generatedMobile,
  type RunningEmulator,
  startEmulator,
} from '../../../emulator/src/index.js';
import type { DotdigitalClient } from '../../../src/dotdigital/types.js';
import type { IdentifierQuery } from '../../../src/enrolment/engine-types.js';
import { createContactResolver } from '../../../src/enrolment/resolve/index.js';
import { capturingLogger } from '../enrol/support/log-capture.js';
import { baseConfig, clientFor, contactIdOf, subscribedOrdinals } from '../enrol/support/emulator-harness.js';

const LOOKUP = 'GET /contacts/v3/{identifier}/{value}';
const LISTING = 'GET /contacts/v3';

let emulator: RunningEmulator;
let client: DotdigitalClient;

function calls(endpoint: string): number {
  const row = emulator.control.counters().byEndpoint[endpoint] ?? {};
  return Object.values(row).reduce((sum, n) => sum + n, 0);
}

const email = (n: number): IdentifierQuery => ({ kind: 'email', value: generatedEmail(n) });
const mobile = (n: number): IdentifierQuery => ({ kind: 'mobileNumber', value: generatedMobile(n) });
const contactId = (n: number): IdentifierQuery => ({ kind: 'contactId', value: String(contactIdOf(n)) });

/** A batch mixing every kind, unknown identifiers and repeats. */
const mixedBatch: IdentifierQuery[] = [
  email(1),
  mobile(2),
  contactId(3),
  { kind: 'email', value: 'nobody@example.org' },
  email(1),
  { kind: 'mobileNumber', value: '447000000000' },
  { kind: 'contactId', value: '999999999' },
  email(2999),
  contactId(3),
];

/** What the account index keeps of a contact (it drops the identifier strings to stay compact). */
function statuses(resolution: {
  contact: { contactId: number; status: string; emailStatus?: string; smsStatus?: string } | null;
}) {
  const c = resolution.contact;
  return (
    c && { contactId: c.contactId, status: c.status, emailStatus: c.emailStatus, smsStatus: c.smsStatus }
  );
}

beforeAll(async () => {
  emulator = await startEmulator({ settings: { rateLimitMode: 'off' } });
  client = await clientFor(baseConfig(emulator), capturingLogger().logger);
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

beforeEach(() => emulator.control.clearRequests());

function expectMixedAnswers(found: (number | null)[]): void {
  expect(found).toEqual([
    contactIdOf(1),
    contactIdOf(2),
    contactIdOf(3),
    null,
    contactIdOf(1),
    null,
    null,
    contactIdOf(2999),
    contactIdOf(3),
  ]);
}

describe('lookup strategy', () => {
  it('answers in order, with null for unknown identifiers, one call per distinct query', async () => {
    const resolver = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
    const resolutions = await resolver.resolve(mixedBatch);
    expectMixedAnswers(resolutions.map((r) => r.contact?.contactId ?? null));
    expect(calls(LOOKUP)).toBe(7);
    expect(calls(LISTING)).toBe(0);
    expect(resolver.stats()).toMatchObject({
      lookups: 7,
      scanPages: 0,
      batchesByStrategy: { lookup: 1, scan: 0 },
    });
  });

  it('fills the contact status and channel statuses the pipeline needs to reject unreachable contacts', async () => {
    const resolver = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
    // Ordinal 21 is suppressed with a hard-bounced email, 11 unsubscribed (emulator/README.md).
    const [bounced, unsubscribed, fine] = await resolver.resolve([email(21), email(11), email(1)]);
    expect(bounced?.contact).toMatchObject({ status: 'suppressed', emailStatus: 'hardBounced' });
    expect(unsubscribed?.contact).toMatchObject({ status: 'unsubscribed' });
    expect(fine?.contact).toMatchObject({ status: 'subscribed', email: generatedEmail(1) });
  });

  it('treats a contact in the recycle bin as absent', async () => {
    emulator.control.updateContact(contactIdOf(5), { status: 'deleted' });
    try {
      const resolver = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
      const [deleted] = await resolver.resolve([contactId(5)]);
      expect(deleted?.contact).toBeNull();
    } finally {
      emulator.control.updateContact(contactIdOf(5), { status: 'subscribed' });
    }
  });
});

describe('scan strategy', () => {
  it('finds the same contacts as look-ups by walking every page once', async () => {
    const resolver = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger, {
      scanPageSize: 500,
    });
    const resolutions = await resolver.resolve(mixedBatch);
    expectMixedAnswers(resolutions.map((r) => r.contact?.contactId ?? null));
    // 3,000 contacts at 500 a page.
    expect(calls(LISTING)).toBe(6);
    expect(resolver.stats().scanPages).toBe(6);
    expect(calls(LOOKUP)).toBe(0);
  });

  it('matches mobile numbers as the listing stores them', async () => {
    const resolver = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger);
    const [byMobile] = await resolver.resolve([mobile(4)]);
    expect(byMobile?.contact?.contactId).toBe(contactIdOf(4));
  });
  it('gives walked unreachable contacts the channel statuses a look-up gives, looking up only those', async () => {
    const walker = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger);
    const looker = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
    // Ordinals 21, 41: suppressed (hard bounce, ISP complaint); 11 unsubscribed; 1, 2 subscribed.
    const batch = [email(21), email(41), email(11), email(1), email(2)];
    const walked = await walker.resolve(batch);
    const looked = await looker.resolve(batch);
    expect(walked.slice(0, 3).map(statuses)).toEqual(looked.slice(0, 3).map(statuses));
    expect(walked.map((r) => r.contact?.status)).toEqual(looked.map((r) => r.contact?.status));
    expect(walked[0]?.contact?.emailStatus).toBe('hardBounced');
    expect(walker.stats().lookups).toBeLessThanOrEqual(3);
  });

  it('gives walked contacts the same channel statuses as look-ups', async () => {
    const walker = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger);
    const looker = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
    const batch = [email(21), email(41), mobile(51)];
    expect((await walker.resolve(batch)).map(statuses)).toEqual((await looker.resolve(batch)).map(statuses));
  });
});

/** Listing pages in the emulator's request log: a walk that restarted would read more than the account has. */
function listingPages(): number {
  return emulator.control.requests().filter((r) => r.endpoint === LISTING).length;
}

describe('one walk per sync', () => {
  it('walks the account once, however many batches follow (forced scan)', async () => {
    const resolver = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger, {
      scanPageSize: 500,
    });
    for (const start of [1, 1000, 2000, 2990]) {
      const batch = subscribedOrdinals(5, start).map(email);
      const answers = await resolver.resolve(batch);
      expect(answers.map((r) => r.contact?.contactId)).toEqual(subscribedOrdinals(5, start).map(contactIdOf));
    }
    // 3,000 contacts at 500 a page: one walk is six pages, whatever the number of batches.
    expect(listingPages()).toBe(6);
    expect(calls(LOOKUP)).toBe(0);
    expect(resolver.stats()).toMatchObject({ walks: 1, walkComplete: true, scanPages: 6 });
  });

  it('reads the walk in instalments paid for by look-up time, never restarting it', async () => {
    // Same tier for both: each unanswered query buys one page of the walk.
    const resolver = createContactResolver(client, { resolution: 'auto' }, capturingLogger().logger, {
      scanPageSize: 100,
      rates: { lookupsPerMinute: 35, listingPagesPerMinute: 35 },
    });
    // 30 pages in all; batches of 12 distinct contacts near the end of the account.
    for (let batch = 0; batch < 6; batch++) {
      const ordinals = subscribedOrdinals(12, 2800 + batch * 30);
      const answers = await resolver.resolve(ordinals.map(email));
      expect(answers.map((r) => r.contact?.contactId)).toEqual(ordinals.map(contactIdOf));
    }
    expect(listingPages()).toBe(30);
    const stats = resolver.stats();
    expect(stats).toMatchObject({ walks: 1, walkComplete: true, scanPages: 30 });
    // Once the walk is complete the rest is answered from the index.
    const lookupsSoFar = calls(LOOKUP);
    const unknown = await resolver.resolve([
      email(7),
      { kind: 'email', value: 'nobody@example.org' },
      contactId(9),
    ]);
    expect(unknown.map((r) => r.contact?.contactId ?? null)).toEqual([null, null, contactIdOf(9)]);
    expect(calls(LOOKUP)).toBe(lookupsSoFar);
    expect(listingPages()).toBe(30);
  });

  it('looks up a kind the walk did not index instead of calling it absent', async () => {
    const resolver = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger, {
      scanPageSize: 1000,
    });
    await resolver.resolve([email(1)]);
    const [byMobile] = await resolver.resolve([mobile(4)]);
    expect(byMobile?.contact?.contactId).toBe(contactIdOf(4));
    expect(listingPages()).toBe(3);
  });

  it('looks up a small batch when look-ups are faster than a page of the listing', async () => {
    const resolver = createContactResolver(client, { resolution: 'auto' }, capturingLogger().logger, {
      scanPageSize: 100,
      rates: { lookupsPerMinute: 3500, listingPagesPerMinute: 35 },
    });
    await resolver.resolve([email(1), email(2), email(4)]);
    expect(listingPages()).toBe(0);
    expect(calls(LOOKUP)).toBe(3);
  });
});
