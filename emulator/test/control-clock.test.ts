/**
 * The emulator's own surface: the time scale, the /_emulator control and inspection API (and its in-process
 * twin), fixture seeding from an object or a file, the fixture-less sample account, and the generator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { assertResponseMatches } from './openapi.js';
import { client } from './support/http.js';
import { controlClient, finishEnrolment, useEmulator } from './support/emulator.js';
import { PROGRAM, testFixture } from './support/fixture.js';

const MINUTE = 60_000;

describe('the emulated clock', () => {
  const emulator = useEmulator({ timeScale: 1000 });

  it('runs the time scale given at start-up and moves forward by hand', async () => {
    const t = emulator();
    const before = await t.control.clock();
    expect(before.timeScale).toBe(1000);
    await t.control.advance(5 * MINUTE);
    const after = await t.control.clock();
    expect(after.nowMs - before.nowMs).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(Date.parse(after.now)).toBe(after.nowMs);
  });

  it('finishes processing by itself when time runs fast, without the clock being pushed', async () => {
    const t = emulator();
    const created = await t.api.post('/v2/programs/enrolments', {
      programId: PROGRAM.everyTime,
      contacts: [1],
    });
    expect(created.status, created.text).toBe(201);
    const id = (created.json as { id: string }).id;
    let status = 'Processing';
    for (let attempt = 0; attempt < 500 && status === 'Processing'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      status = ((await t.api.get(`/v2/programs/enrolments/${id}`)).json as { status: string }).status;
    }
    expect(status).toBe('Finished');
  });

  it('scales X-RateLimit-Reset to real seconds and accepts a new scale at run time', async () => {
    const t = emulator();
    await t.control.setClock({ timeScale: 60 });
    // A one-minute window lasts one real second at 60×.
    const reset = Number((await t.api.get('/v2/programs')).headers['x-ratelimit-reset']);
    expect(reset).toBeLessThanOrEqual(1);
    expect((await t.control.clock()).timeScale).toBe(60);
    await t.control.setClock({ timeScale: 1 });
    // A fresh window, so what is left of it is a whole emulated minute whatever time the machine took
    // between the calls (the first window's last emulated second would read as 1 real second here too).
    await t.control.advance(MINUTE + 1000);
    const slow = Number((await t.api.get('/v2/programs')).headers['x-ratelimit-reset']);
    expect(slow).toBeGreaterThan(1);
  });

  it("dates every API answer on the emulated clock, as a server's Date is its own clock", async () => {
    const t = emulator();
    await t.control.setClock({ timeScale: 1 });
    await t.control.advance(3 * 60 * MINUTE);
    const date = Date.parse(String((await t.api.get('/v2/programs')).headers['date']));
    const { nowMs } = await t.control.clock();
    // The header has whole seconds; the emulated clock is three hours ahead of the real one.
    expect(Math.abs(date - nowMs)).toBeLessThan(2000);
    expect(date - Date.now()).toBeGreaterThan(2 * 60 * MINUTE);
  });

  it('refuses a nonsensical clock change', async () => {
    const t = emulator();
    expect((await t.control.raw('PUT', '/clock', { timeScale: 0 })).status).toBe(400);
    expect((await t.control.raw('PUT', '/clock', { advanceMs: -1 })).status).toBe(400);
  });
});

describe('the hourly allowance under a fast clock', () => {
  const emulator = useEmulator({ timeScale: 720 });

  it('frees the allowance after an emulated hour without the clock being pushed', async () => {
    // At 720× an emulated hour is five real seconds: long enough that the first 21 calls all fall inside one
    // window even on a busy machine, short enough to poll until the allowance frees up.
    const t = emulator();
    await t.control.resetAllowance();
    const enrol = () =>
      t.api.post('/v2/programs/enrolments', { programId: PROGRAM.everyTime, contacts: [1] });
    let accepted = 0;
    let refused: string | undefined;
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const response = await enrol();
      if (response.status === 201) accepted += 1;
      else refused = (response.json as { message?: string }).message;
    }
    expect(refused).toBe('Error: ERROR_ENROLMENT_ALLOWANCE_EXCEEDED');
    expect(accepted).toBeGreaterThanOrEqual(20);
    let status = 400;
    for (let attempt = 0; attempt < 600 && status !== 201; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await enrol()).status;
    }
    expect(status).toBe(201);
  });
});

describe('a configured processing delay', () => {
  const emulator = useEmulator({ settings: { enrolmentProcessingMs: 10 * MINUTE } });

  it('keeps an enrolment Processing for exactly that much emulated time', async () => {
    const t = emulator();
    const created = await t.api.post('/v2/programs/enrolments', {
      programId: PROGRAM.everyTime,
      contacts: [1],
    });
    const id = (created.json as { id: string }).id;
    const status = async () =>
      ((await t.api.get(`/v2/programs/enrolments/${id}`)).json as { status: string }).status;
    await t.control.advance(9 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await status()).toBe('Processing');
    await t.control.advance(2 * MINUTE);
    let current = await status();
    for (let attempt = 0; attempt < 100 && current === 'Processing'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      current = await status();
    }
    expect(current).toBe('Finished');
  });
});

describe('the control and inspection API', () => {
  const emulator = useEmulator();

  it('logs every API call with its status, and counts calls per endpoint and status', async () => {
    const t = emulator();
    await t.control.clearRequests();
    await t.api.get('/contacts/v3/contactId/1');
    await t.api.get('/contacts/v3/contactId/999999');
    await t.as(null).get('/v2/programs');
    const log = await t.control.requests();
    expect(log.map((entry) => [entry.method, entry.endpoint, entry.status])).toEqual([
      ['GET', 'GET /contacts/v3/{identifier}/{value}', 200],
      ['GET', 'GET /contacts/v3/{identifier}/{value}', 404],
      ['GET', 'GET /v2/programs', 401],
    ]);
    expect(log[0]).toMatchObject({ region: 'r2', path: '/r2/contacts/v3/contactId/1' });
    const counters = await t.control.counters();
    expect(counters.byEndpoint['GET /contacts/v3/{identifier}/{value}']).toEqual({ '200': 1, '404': 1 });
    expect(counters.total).toBe(3);
  });

  it('shows which contacts are enrolled in which program, how often and when', async () => {
    const t = emulator();
    const created = await t.api.post('/v2/programs/enrolments', {
      programId: PROGRAM.everyTime,
      contacts: [2, 3],
    });
    const id = (created.json as { id: string }).id;
    await finishEnrolment(t, id);
    const state = await t.control.enrolmentState(PROGRAM.everyTime);
    expect(state.map((entry) => entry.contactId)).toEqual([2, 3]);
    expect(state[0]!.count).toBe(1);
    expect(Date.parse(state[0]!.enrolledAt[0]!)).not.toBeNaN();
    const calls = await t.control.enrolmentCalls();
    expect(calls.find((entry) => entry.id === id)).toMatchObject({
      programId: PROGRAM.everyTime,
      enrolled: [2, 3],
    });
  });

  it('shows address books with their members and the allowance in use', async () => {
    const t = emulator();
    const books = await t.control.addressBooks();
    expect(books.find((book) => book.id === 7001)?.contacts).toEqual([1, 2, 3, 4, 5]);
    const allowance = await t.control.allowance();
    expect(allowance.limit).toBe(20);
    expect(allowance.used).toBeGreaterThanOrEqual(0);
  });

  it('answers 404 for an unknown control endpoint and 400 for a bad setting', async () => {
    const t = emulator();
    expect((await t.control.raw('GET', '/no-such-thing')).status).toBe(404);
    expect((await t.control.raw('PUT', '/faults', { errorRate: 'lots' })).status).toBe(400);
    expect((await t.control.raw('PUT', '/programs/1001', { status: 'Paused' })).status).toBe(400);
    expect((await t.control.raw('PUT', '/contacts/1', { status: 'hardBounced' })).status).toBe(400);
  });

  it('offers the same operations in process through RunningEmulator.control', async () => {
    const t = emulator();
    t.emu.control.setFaults({ latencyMs: 3 });
    expect((await t.control.faults()).latencyMs).toBe(3);
    await t.control.setFaults({ latencyMs: 0 });
    expect(t.emu.control.faults().latencyMs).toBe(0);
    expect(t.emu.control.clock().timeScale).toBe((await t.control.clock()).timeScale);
  });
});

describe('fixture seeding', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'emu-fixture-'));
  let running: RunningEmulator | undefined;
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a fixture from a JSON file', async () => {
    const file = path.join(dir, 'fixture.json');
    writeFileSync(file, JSON.stringify(testFixture()));
    running = await startEmulator({ port: 0, fixture: file });
    const api = client(running.regionUrl('r2'), {
      apiUser: 'main-user@test.example',
      password: 'main-Pass-1',
    });
    const programs = (await api.get('/v2/programs')).json as { id: number }[];
    expect(programs.map((program) => program.id)).toEqual(Object.values(PROGRAM).sort());
    expect((await api.get('/contacts/v3/email/pat.person%40test.example')).status).toBe(200);
  });

  it('refuses a fixture that contradicts itself', async () => {
    const broken = testFixture();
    broken.accounts[0]!.contacts!.push({ contactId: 1, email: 'duplicate-id@test.example' });
    await expect(startEmulator({ port: 0, fixture: broken })).rejects.toThrow();
  });
});

describe('the sample account (no fixture)', () => {
  let running: RunningEmulator | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  it('serves the documented defaults: region r2, programs 1001–1005, a few thousand mixed contacts', async () => {
    running = await startEmulator({ port: 0 });
    const sample = running.sample;
    expect(sample.region).toBe('r2');
    const info = await client(running.url, sample).get('/v2/account-info');
    assertResponseMatches('accounts-and-utilities', 'get', '/v2/account-info', 200, info.json);
    const endpoint = (info.json as { properties: { name: string; value: string }[] }).properties.find(
      (property) => property.name === 'ApiEndpoint',
    )?.value;
    expect(endpoint?.replace(/\/$/, '')).toBe(running.regionUrl('r2'));

    const api = client(running.regionUrl(sample.region), sample);
    const programs = (await api.get('/v2/programs')).json as { id: number; name: string; status: string }[];
    assertResponseMatches('programs', 'get', '/v2/programs', 200, programs);
    const byId = new Map(programs.map((program) => [program.id, program]));
    expect(byId.get(1001)).toMatchObject({ name: 'Welcome journey', status: 'Active' });
    expect(byId.get(1002)?.status).toBe('Active');
    expect(byId.get(1003)?.status).toBe('Draft');
    expect(byId.get(1004)?.status).toBe('Deactivated');
    expect(byId.get(1005)?.status).toBe('ReadOnly');

    const page = await api.get('/contacts/v3?limit=5000&include=channelProperties');
    assertResponseMatches('contacts-v3', 'get', '/contacts/v3', 200, page.json);
    const contacts = (
      page.json as {
        _items: {
          status: string;
          identifiers: { email?: string; mobileNumber?: string };
          channelProperties?: { email?: { status: string } };
        }[];
      }
    )._items;
    expect(contacts.length).toBeGreaterThanOrEqual(1000);
    const statuses = new Set(contacts.map((contact) => contact.status));
    for (const status of ['subscribed', 'unsubscribed', 'suppressed']) expect(statuses).toContain(status);
    expect(contacts.some((contact) => contact.channelProperties?.email?.status === 'hardBounced')).toBe(true);
    expect(contacts.some((contact) => contact.identifiers.email && !contact.identifiers.mobileNumber)).toBe(
      true,
    );
    expect(contacts.some((contact) => contact.identifiers.mobileNumber && !contact.identifiers.email)).toBe(
      true,
    );
  });

  it('holds a person whose email and mobile number are two different contacts (README: n = 13 and n + 4)', async () => {
    const emu = running!;
    const api = client(emu.regionUrl(emu.sample.region), emu.sample);
    const byEmail = await api.get('/contacts/v3/email/user13%40example.com');
    const byMobile = await api.get('/contacts/v3/mobileNumber/447950000017');
    expect(byEmail.status, byEmail.text).toBe(200);
    expect(byMobile.status, byMobile.text).toBe(200);
    const email = byEmail.json as { contactId: number; identifiers: { mobileNumber?: string } };
    const mobile = byMobile.json as { contactId: number; identifiers: { email?: string } };
    expect(email.contactId).not.toBe(mobile.contactId);
    expect(email.identifiers.mobileNumber).toBeUndefined();
    expect(mobile.identifiers.email).toBeUndefined();
  });

  it('enrols the sample Welcome journey only the first time and 1002 every time', async () => {
    const emu = running!;
    const control = controlClient(emu.url);
    const api = client(emu.regionUrl(emu.sample.region), emu.sample);
    const first = ((await api.get('/contacts/v3?limit=1')).json as { _items: { contactId: number }[] })
      ._items[0]!;
    for (let round = 0; round < 2; round++) {
      for (const programId of [1001, 1002]) {
        const created = await api.post('/v2/programs/enrolments', { programId, contacts: [first.contactId] });
        expect(created.status, created.text).toBe(201);
      }
      // Past the sample's seven-day journey, so only the program rule decides.
      await control.advance(30 * 86_400_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const welcome = await control.enrolmentState(1001);
    const everyTime = await control.enrolmentState(1002);
    expect(welcome.find((entry) => entry.contactId === first.contactId)?.count).toBe(1);
    expect(everyTime.find((entry) => entry.contactId === first.contactId)?.count).toBe(2);
  });
});

describe('the generator', () => {
  let running: RunningEmulator | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  it('starts with 1,000,000 generated contacts that can be looked up and paged', async () => {
    running = await startEmulator({ port: 0, contacts: 1_000_000, seed: 7 });
    const api = client(running.regionUrl(running.sample.region), running.sample);
    const first = (await api.get('/contacts/v3?limit=2')).json as { _items: { contactId: number }[] };
    assertResponseMatches('contacts-v3', 'get', '/contacts/v3', 200, first);
    const firstId = first._items[0]!.contactId;
    const lastId = firstId + 999_999;
    const last = await api.get(`/contacts/v3/contactId/${lastId}`);
    expect(last.status, last.text).toBe(200);
    assertResponseMatches('contacts-v3', 'get', '/contacts/v3/{identifier}/{value}', 200, last.json);
    expect((await api.get(`/contacts/v3/contactId/${lastId + 1}`)).status).toBe(404);
    const email = (last.json as { identifiers: { email?: string; mobileNumber?: string } }).identifiers;
    const key = email.email
      ? `email/${encodeURIComponent(email.email)}`
      : `mobileNumber/${email.mobileNumber ?? ''}`;
    expect(((await api.get(`/contacts/v3/${key}`)).json as { contactId: number }).contactId).toBe(lastId);
  });

  it('generates the same contacts for the same seed', async () => {
    const again = await startEmulator({ port: 0, contacts: 50, seed: 7 });
    try {
      const fromMillion = client(running!.regionUrl(running!.sample.region), running!.sample);
      const fromSmall = client(again.regionUrl(again.sample.region), again.sample);
      const a = (await fromMillion.get('/contacts/v3?limit=50')).json as { _items: unknown[] };
      const b = (await fromSmall.get('/contacts/v3?limit=50')).json as { _items: unknown[] };
      expect(b._items.length).toBe(50);
      expect(b._items).toEqual(a._items);
    } finally {
      await again.stop();
    }
  });
});
