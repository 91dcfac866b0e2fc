/**
 * POST /v2/programs/enrolments and everything that hangs off it: request shapes, each documented error,
 * the 20-per-rolling-hour allowance, asynchronous processing, the status listing and the fault report.
 */
import { describe, expect, it } from 'vitest';
import { assertRequestMatches, assertResponseMatches, documentedMediaTypes } from './openapi.js';
import { parseFaultReport } from './support/csv.js';
import { expectV2Error } from './support/errors.js';
import { CONTACT, PROGRAM, SEED_BOOK, SECOND_BOOK, SUBSCRIBED_IDS } from './support/fixture.js';
import { finishEnrolment, users, useEmulator, type TestEmulator } from './support/emulator.js';
import type { ApiResponse } from './support/http.js';

const ENROL = '/v2/programs/enrolments';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface EnrolmentBody {
  id: string;
  programId: number;
  status: string;
  dateCreated: string;
  contacts?: number[] | null;
  addressBooks?: number[] | null;
}

function expectCreated(response: ApiResponse): EnrolmentBody {
  expect(response.status, response.text).toBe(201);
  assertResponseMatches('programs', 'post', ENROL, 201, response.json);
  assertResponseMatches('v2-api', 'post', ENROL, 201, response.json);
  return response.json as EnrolmentBody;
}

function expectRejected(response: ApiResponse, status: 400 | 404 | 422, code?: string): string {
  const actual = expectV2Error(response, status, code);
  assertResponseMatches('programs', 'post', ENROL, status, response.json);
  return actual;
}

describe('request bodies', () => {
  const emulator = useEmulator({ settings: { enrolmentAnswerMembers: 'listed' } });

  it('accepts camelCase and answers 201 Processing in the published shape', async () => {
    const t = emulator();
    const request = { programId: PROGRAM.everyTime, contacts: [1, 2, 3] };
    assertRequestMatches('programs', 'post', ENROL, request);
    const body = expectCreated(await t.api.post(ENROL, request));
    expect(body.programId).toBe(PROGRAM.everyTime);
    expect(body.status).toBe('Processing');
    expect(Date.parse(body.dateCreated.replace(' ', 'T'))).not.toBeNaN();
  });

  it('accepts PascalCase property names, as the .NET service does', async () => {
    const t = emulator();
    const body = expectCreated(await t.api.post(ENROL, { ProgramId: PROGRAM.everyTime, Contacts: [4, 5] }));
    expect(body.programId).toBe(PROGRAM.everyTime);
    const calls = await t.control.enrolmentCalls();
    expect(calls.find((call) => call.id === body.id)?.contacts).toEqual([4, 5]);
  });

  it('accepts address books on their own', async () => {
    const t = emulator();
    expectCreated(await t.api.post(ENROL, { programId: PROGRAM.everyTime, addressBooks: [SEED_BOOK.id] }));
  });

  it('accepts exactly 25 contacts and refuses 26', async () => {
    const t = emulator();
    expectCreated(
      await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: SUBSCRIBED_IDS.slice(0, 25) }),
    );
    const before = (await t.control.enrolmentCalls()).length;
    expectRejected(
      await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: SUBSCRIBED_IDS.slice(0, 26) }),
      400,
    );
    expect((await t.control.enrolmentCalls()).length).toBe(before);
  });

  it('refuses contacts and address books together by default', async () => {
    const t = emulator();
    const body = { programId: PROGRAM.everyTime, contacts: [1], addressBooks: [SEED_BOOK.id] };
    expectRejected(await t.api.post(ENROL, body), 400);
  });

  it.each([
    ['no contacts or address books', { programId: 1002 }],
    ['empty contacts', { programId: 1002, contacts: [] }],
    ['empty contacts and address books', { programId: 1002, contacts: [], addressBooks: [] }],
    ['contacts that are not integers', { programId: 1002, contacts: ['one'] }],
    ['no programId', { contacts: [1] }],
    ['a body that is not an object', [1, 2, 3]],
  ])('answers 400 ERROR_ENROLMENT_INVALID for %s', async (_label, body) => {
    expectRejected(await emulator().api.post(ENROL, body), 400, 'ERROR_ENROLMENT_INVALID');
  });

  it('fails the whole call with ERROR_CONTACT_NOT_FOUND when one contact is unknown', async () => {
    const t = emulator();
    const before = await t.control.enrolmentCalls();
    const response = await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [1, 2, 999_999] });
    expectRejected(response, 400, 'ERROR_CONTACT_NOT_FOUND');
    expect((await t.control.enrolmentCalls()).length).toBe(before.length);
  });

  it('does not see contacts of another account', async () => {
    // Contact 110 exists in the main account only; contact ids are scoped to their account.
    const t = emulator();
    const response = await t
      .as(users.OTHER, 'r1')
      .post(ENROL, { programId: 2001, contacts: [CONTACT.personEmail] });
    expectRejected(response, 400, 'ERROR_CONTACT_NOT_FOUND');
  });

  it('answers ERROR_ADDRESSBOOK_NOT_FOUND for an unknown address book', async () => {
    const response = await emulator().api.post(ENROL, {
      programId: PROGRAM.everyTime,
      addressBooks: [SEED_BOOK.id, 4242],
    });
    expectRejected(response, 400, 'ERROR_ADDRESSBOOK_NOT_FOUND');
  });

  it('answers ERROR_ADDRESSBOOK_TOOMANY for more than 10 address books', async () => {
    const books = Array.from({ length: 11 }, () => SEED_BOOK.id);
    const response = await emulator().api.post(ENROL, { programId: PROGRAM.everyTime, addressBooks: books });
    expectRejected(response, 400, 'ERROR_ADDRESSBOOK_TOOMANY');
  });

  it('answers 404 ERROR_PROGRAM_NOT_FOUND for an unknown program', async () => {
    const response = await emulator().api.post(ENROL, { programId: 777_777, contacts: [1] });
    expectRejected(response, 404, 'ERROR_PROGRAM_NOT_FOUND');
  });

  it.each([
    ['Draft', PROGRAM.draft],
    ['Deactivated', PROGRAM.deactivated],
    ['ReadOnly', PROGRAM.readOnly],
  ])('answers 422 ERROR_PROGRAM_NOT_ACTIVE for a %s program', async (_status, programId) => {
    const response = await emulator().api.post(ENROL, { programId, contacts: [1] });
    expectRejected(response, 422, 'ERROR_PROGRAM_NOT_ACTIVE');
  });

  it('enrols once a program is switched to Active, and refuses again once deactivated', async () => {
    const t = emulator();
    await t.control.setProgram(PROGRAM.draft, { status: 'Active' });
    expectCreated(await t.api.post(ENROL, { programId: PROGRAM.draft, contacts: [1] }));
    await t.control.setProgram(PROGRAM.draft, { status: 'Deactivated' });
    expectRejected(
      await t.api.post(ENROL, { programId: PROGRAM.draft, contacts: [1] }),
      422,
      'ERROR_PROGRAM_NOT_ACTIVE',
    );
    await t.control.setProgram(PROGRAM.draft, { status: 'Draft' });
  });
});

describe('settings: contacts and address books together, a lower contact limit', () => {
  const emulator = useEmulator({
    settings: {
      allowContactsAndAddressBooks: true,
      maxContactsPerEnrolment: 5,
      enrolmentAnswerMembers: 'listed',
    },
  });

  it('honours a lower per-call contact limit', async () => {
    const t = emulator();
    expectRejected(
      await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [1, 2, 3, 4, 5, 6] }),
      400,
    );
    expectCreated(await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [1, 2, 3, 4, 5] }));
  });

  it('accepts both and enrols the union', async () => {
    const t = emulator();
    const body = expectCreated(
      await t.api.post(ENROL, {
        programId: PROGRAM.everyTime,
        contacts: [40],
        addressBooks: [SECOND_BOOK.id],
      }),
    );
    await finishEnrolment(t, body.id);
    const call = (await t.control.enrolmentCalls()).find((entry) => entry.id === body.id);
    expect([...(call?.enrolled ?? [])].sort((a, b) => a - b)).toEqual([...SECOND_BOOK.members, 40]);
    const enrolled = (await t.control.enrolmentState(PROGRAM.everyTime)).map((entry) => entry.contactId);
    expect(enrolled).toEqual(expect.arrayContaining([...SECOND_BOOK.members, 40]));
  });
});

describe('enrolment allowance: 20 calls per rolling hour per account, across programs', () => {
  const emulator = useEmulator({ settings: { enrolmentAnswerMembers: 'listed' } });

  async function enrol(t: TestEmulator, index: number): Promise<ApiResponse> {
    // Alternate programs: the allowance is per account, not per program.
    const programId = index % 2 === 0 ? PROGRAM.everyTime : PROGRAM.unlessWithin30Days;
    return t.api.post(ENROL, { programId, contacts: [SUBSCRIBED_IDS[index % SUBSCRIBED_IDS.length]!] });
  }

  it('accepts 20 calls, refuses the 21st with ERROR_ENROLMENT_ALLOWANCE_EXCEEDED, and frees slots as they age', async () => {
    const t = emulator();
    await t.control.resetAllowance();
    for (let i = 0; i < 10; i++) expectCreated(await enrol(t, i));
    await t.control.advance(30 * MINUTE);
    for (let i = 10; i < 20; i++) expectCreated(await enrol(t, i));

    const refused = await enrol(t, 20);
    expectRejected(refused, 400, 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED');

    // Another account has its own allowance.
    expectCreated(await t.as(users.OTHER, 'r1').post(ENROL, { programId: 2001, contacts: [1] }));

    // 31 minutes on, the first ten calls are more than an hour old: exactly ten slots are free again. A fixed
    // hourly window would free all twenty (or none), so this separates "rolling" from "calendar hour".
    await t.control.advance(31 * MINUTE);
    for (let i = 21; i < 31; i++) expectCreated(await enrol(t, i));
    expectRejected(await enrol(t, 31), 400, 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED');

    await t.control.advance(HOUR);
    expectCreated(await enrol(t, 32));
  });

  it('does not spend the allowance on refused calls', async () => {
    const t = emulator();
    await t.control.resetAllowance();
    for (let i = 0; i < 5; i++) {
      expectRejected(await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [999_999] }), 400);
      expectRejected(await t.api.post(ENROL, { programId: PROGRAM.draft, contacts: [1] }), 422);
    }
    for (let i = 0; i < 20; i++) expectCreated(await enrol(t, i));
    expectRejected(await enrol(t, 20), 400, 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED');
  });
});

describe('asynchronous processing, status listing and the fault report', () => {
  const emulator = useEmulator({ settings: { enrolmentAnswerMembers: 'listed' } });

  it('stays Processing until emulated time passes, then is Finished', async () => {
    const t = emulator();
    const created = expectCreated(
      await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [1, 2] }),
    );
    const pending = await t.api.get(`${ENROL}/${created.id}`);
    expect(pending.status).toBe(200);
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{enrolmentId}', 200, pending.json);
    assertResponseMatches('v2-api', 'get', '/v2/programs/enrolments/{enrolmentId}', 200, pending.json);
    expect((pending.json as EnrolmentBody).status).toBe('Processing');
    expect(await t.control.enrolmentState(PROGRAM.everyTime)).toEqual([]);

    const finished = (await finishEnrolment(t, created.id)) as EnrolmentBody;
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{enrolmentId}', 200, finished);
    expect(finished).toMatchObject({ id: created.id, programId: PROGRAM.everyTime, status: 'Finished' });
    const state = await t.control.enrolmentState(PROGRAM.everyTime);
    expect(state.map((entry) => [entry.contactId, entry.count])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('answers 404 ERROR_ENROLMENT_NOT_FOUND for an unknown enrolment id', async () => {
    const t = emulator();
    const response = await t.api.get(`${ENROL}/0b0b0b0b-1111-4222-8333-444455556666`);
    expectV2Error(response, 404, 'ERROR_ENROLMENT_NOT_FOUND');
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{enrolmentId}', 404, response.json);
  });

  it('lists enrolments by status with select/skip paging, in the published shape', async () => {
    const t = emulator();
    await t.control.resetAllowance();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        expectCreated(await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [10 + i] })).id,
      );
    }
    const processing = await t.api.get(`${ENROL}/Processing`);
    expect(processing.status, processing.text).toBe(200);
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{status}', 200, processing.json);
    assertResponseMatches('v2-api', 'get', '/v2/programs/enrolments/{status}', 200, processing.json);
    const listed = processing.json as EnrolmentBody[];
    expect(listed.map((e) => e.id)).toEqual(expect.arrayContaining(ids));
    expect(listed.every((e) => e.status === 'Processing')).toBe(true);
    // The listing names each enrolment's contacts by default (a setting; see the next describe block).
    expect(listed.find((e) => e.id === ids[0])?.contacts).toEqual([10]);

    const paged: string[] = [];
    for (let skip = 0; skip < listed.length; skip += 2) {
      const page = await t.api.get(`${ENROL}/Processing?select=2&skip=${skip}`);
      assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{status}', 200, page.json);
      paged.push(...(page.json as EnrolmentBody[]).map((e) => e.id));
    }
    expect(paged).toEqual(listed.map((e) => e.id));

    for (const id of ids) await finishEnrolment(t, id);
    const finished = (await t.api.get(`${ENROL}/Finished`)).json as EnrolmentBody[];
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{status}', 200, finished);
    expect(finished.map((e) => e.id)).toEqual(expect.arrayContaining(ids));
    const stillProcessing = (await t.api.get(`${ENROL}/Processing`)).json as EnrolmentBody[];
    expect(stillProcessing.filter((e) => ids.includes(e.id))).toEqual([]);
  });

  it.each(['select=0', 'select=1001', 'skip=-1'])(
    'answers 400 ERROR_PARAMETER_INVALID on the listing for %s',
    async (q) => {
      const response = await emulator().api.get(`${ENROL}/Finished?${q}`);
      expectV2Error(response, 400, 'ERROR_PARAMETER_INVALID');
      assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{status}', 400, response.json);
    },
  );

  it('answers ERROR_ENROLMENT_IS_PROCESSING for the fault report while processing, then a CSV', async () => {
    const t = emulator();
    await t.control.resetAllowance();
    const contacts = [20, CONTACT.unsubscribed, CONTACT.hardBounced];
    const created = expectCreated(await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts }));
    const early = await t.api.get(`${ENROL}/${created.id}/report-faults`);
    expectV2Error(early, 400, 'ERROR_ENROLMENT_IS_PROCESSING');
    assertResponseMatches('programs', 'get', '/v2/programs/enrolments/{id}/report-faults', 400, early.json);

    await finishEnrolment(t, created.id);
    const report = await t.api.get(`${ENROL}/${created.id}/report-faults`);
    expect(report.status, report.text).toBe(200);
    const documented = documentedMediaTypes(
      'programs',
      'get',
      '/v2/programs/enrolments/{id}/report-faults',
      200,
    );
    expect(documented).toContain(String(report.headers['content-type']).split(';')[0]);
    const rows = parseFaultReport(report.text);
    expect(rows.map((row) => Number(row.Id)).sort((a, b) => a - b)).toEqual([
      CONTACT.unsubscribed,
      CONTACT.hardBounced,
    ]);
  });

  it('answers 404 ERROR_ENROLMENT_NOT_FOUND for the fault report of an unknown enrolment', async () => {
    const response = await emulator().api.get(`${ENROL}/0b0b0b0b-1111-4222-8333-444455556666/report-faults`);
    expectV2Error(response, 404, 'ERROR_ENROLMENT_NOT_FOUND');
    assertResponseMatches(
      'programs',
      'get',
      '/v2/programs/enrolments/{id}/report-faults',
      404,
      response.json,
    );
  });

  it('does not show one account the enrolments of another', async () => {
    const t = emulator();
    await t.control.resetAllowance();
    const created = expectCreated(await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [30] }));
    const other = t.as(users.OTHER, 'r1');
    expectV2Error(await other.get(`${ENROL}/${created.id}`), 404, 'ERROR_ENROLMENT_NOT_FOUND');
    const listed = (await other.get(`${ENROL}/Processing`)).json as EnrolmentBody[];
    expect(listed.map((e) => e.id)).not.toContain(created.id);
  });
});

describe('suppressed contacts failing the whole call (setting)', () => {
  const emulator = useEmulator({
    settings: { unreachableContactsFailCall: true, enrolmentAnswerMembers: 'listed' },
  });

  it('refuses the call with a registered v2 code and enrols nobody', async () => {
    const t = emulator();
    const response = await t.api.post(ENROL, {
      programId: PROGRAM.everyTime,
      contacts: [1, CONTACT.hardBounced],
    });
    expectRejected(response, 400);
    expect(await t.control.enrolmentCalls()).toEqual([]);
  });
});

describe('what enrolment answers say of their members (enrolmentAnswerMembers)', () => {
  const emulator = useEmulator();
  const answers = async (t: ReturnType<typeof emulator>) => {
    const created = (await t.api.post(ENROL, { programId: PROGRAM.everyTime, contacts: [1] }))
      .json as EnrolmentBody;
    const byId = (await t.api.get(`${ENROL}/${created.id}`)).json as EnrolmentBody;
    const listed = ((await t.api.get(`${ENROL}/Processing`)).json as EnrolmentBody[]).find(
      (e) => e.id === created.id,
    );
    return [created, byId, listed].map((e) => ({ contacts: e?.contacts, addressBooks: e?.addressBooks }));
  };

  it('defaults to null, as the published 201 example has it, in the POST answer, GET by id and the listings', async () => {
    const t = emulator();
    expect(await answers(t)).toEqual(Array(3).fill({ contacts: null, addressBooks: null }));
  });

  it('answers empty arrays or the listed ids when set so', async () => {
    const t = emulator();
    await t.control.setSettings({ enrolmentAnswerMembers: 'empty' });
    expect(await answers(t)).toEqual(Array(3).fill({ contacts: [], addressBooks: [] }));
    await t.control.setSettings({ enrolmentAnswerMembers: 'listed' });
    expect(await answers(t)).toEqual(Array(3).fill({ contacts: [1], addressBooks: [] }));
  });

  it('refuses any other value', async () => {
    const t = emulator();
    await expect(t.control.setSettings({ enrolmentAnswerMembers: 'some' as 'null' })).rejects.toThrow(
      /one of null, empty, listed/,
    );
    await t.control.setSettings({ enrolmentAnswerMembers: 'null' });
  });
});
