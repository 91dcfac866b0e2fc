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
    expect(walked.slice(0, 3)).toEqual(looked.slice(0, 3));
    expect(walked.map((r) => r.contact?.status)).toEqual(looked.map((r) => r.contact?.status));
    expect(walked[0]?.contact?.emailStatus).toBe('hardBounced');
    expect(walker.stats().lookups).toBeLessThanOrEqual(3);
  });

  it('gives walked contacts the same channel statuses as look-ups', async () => {
    const walker = createContactResolver(client, { resolution: 'scan' }, capturingLogger().logger);
    const looker = createContactResolver(client, { resolution: 'lookup' }, capturingLogger().logger);
    const batch = [email(21), email(41), mobile(51)];
    expect(await walker.resolve(batch)).toEqual(await looker.resolve(batch));
  });
});

describe('auto strategy', () => {
  it('walks a small account for a batch, learns its size, then keeps walking only when that is cheaper', async () => {
    const resolver = createContactResolver(client, { resolution: 'auto' }, capturingLogger().logger, {
      scanPageSize: 1000,
    });
    // Spread over the three pages, so the walk has to reach the end.
    const batch = [
      ...subscribedOrdinals(4, 100),
      ...subscribedOrdinals(3, 1500),
      ...subscribedOrdinals(3, 2900),
    ].map(email);

    const first = await resolver.resolve(batch);
    expect(first.every((r) => r.contact !== null)).toBe(true);
    // 3,000 contacts at 1,000 a page: three pages cost less than ten look-ups.
    expect(resolver.stats()).toMatchObject({ scanPages: 3, lookups: 0 });

    await resolver.resolve([email(5), email(6)]);
    expect(resolver.stats()).toMatchObject({ scanPages: 3, lookups: 2 });

    await resolver.resolve(subscribedOrdinals(4, 2950).map(email));
    expect(resolver.stats()).toMatchObject({ scanPages: 6, lookups: 2 });
  });

  it('stops a walk that costs more than the look-ups left, and finishes by look-ups', async () => {
    const resolver = createContactResolver(client, { resolution: 'auto' }, capturingLogger().logger, {
      scanPageSize: 100,
    });
    // Contacts near the end of a 30-page account: the walk gives up after a few pages.
    const batch = [email(2990), email(2991), email(2992), email(2993)];
    const resolutions = await resolver.resolve(batch);
    expect(resolutions.map((r) => r.contact?.contactId)).toEqual([2990, 2991, 2992, 2993].map(contactIdOf));
    const stats = resolver.stats();
    expect(stats.scanPages).toBe(4);
    expect(stats.lookups).toBe(4);
    expect(stats.scanPages + stats.lookups).toBeLessThanOrEqual(2 * Math.min(30, batch.length));

    // It now knows the account has more than four pages: a batch of four goes straight to look-ups.
    await resolver.resolve([email(1), email(2), email(3), email(4)]);
    expect(resolver.stats()).toMatchObject({ scanPages: 4, lookups: 8 });
  });
});
