/**
 * Program enrolment rules as the program builder offers them, the journey length, and contacts whose status
 * keeps them out: all are applied when processing finishes, and every refused contact is in the fault report
 * with a reason rather than failing the call.
 */
import { describe, expect, it } from 'vitest';
import { parseFaultReport, type FaultRow } from './support/csv.js';
import { CONTACT, emailOf, mobileOf, PROGRAM } from './support/fixture.js';
import { finishEnrolment, useEmulator, type TestEmulator } from './support/emulator.js';

const ENROL = '/v2/programs/enrolments';
const DAY = 86_400_000;

const emulator = useEmulator();

interface Outcome {
  faults: FaultRow[];
  /** Times each contact has been enrolled into the program so far. */
  counts: Map<number, number>;
}

/** Enrols, lets processing finish, and returns the fault report and the program's enrolment history. */
async function enrolAndFinish(t: TestEmulator, programId: number, contacts: number[]): Promise<Outcome> {
  await t.control.resetAllowance();
  const created = await t.api.post(ENROL, { programId, contacts });
  expect(created.status, created.text).toBe(201);
  const id = (created.json as { id: string }).id;
  await finishEnrolment(t, id);
  const report = await t.api.get(`${ENROL}/${id}/report-faults`);
  expect(report.status, report.text).toBe(200);
  const state = await t.control.enrolmentState(programId);
  return {
    faults: parseFaultReport(report.text),
    counts: new Map(state.map((entry) => [entry.contactId, entry.count])),
  };
}

function faultFor(outcome: Outcome, contactId: number): FaultRow | undefined {
  return outcome.faults.find((row) => Number(row.Id) === contactId);
}

describe('enrol only the first time', () => {
  it('enrols a contact once and reports every later attempt', async () => {
    const t = emulator();
    const first = await enrolAndFinish(t, PROGRAM.firstTimeOnlyNoJourney, [1, 2]);
    expect(first.faults).toEqual([]);
    expect(first.counts.get(1)).toBe(1);

    // Even a year later the contact is not enrolled again.
    await t.control.advance(365 * DAY);
    const again = await enrolAndFinish(t, PROGRAM.firstTimeOnlyNoJourney, [1, 3]);
    expect(faultFor(again, 1)?.Reason).toMatch(/\S/);
    expect(faultFor(again, 3)).toBeUndefined();
    expect(again.counts.get(1)).toBe(1);
    expect(again.counts.get(3)).toBe(1);
  });

  it('keeps the sample "Welcome journey" rule: first time only', async () => {
    const t = emulator();
    await enrolAndFinish(t, PROGRAM.firstTimeOnly, [4]);
    await t.control.advance(30 * DAY);
    const again = await enrolAndFinish(t, PROGRAM.firstTimeOnly, [4]);
    expect(faultFor(again, 4)).toBeDefined();
    expect(again.counts.get(4)).toBe(1);
  });
});

describe('re-enrol every time', () => {
  it('enrols the same contact on every call', async () => {
    const t = emulator();
    await enrolAndFinish(t, PROGRAM.everyTime, [5]);
    await enrolAndFinish(t, PROGRAM.everyTime, [5]);
    const third = await enrolAndFinish(t, PROGRAM.everyTime, [5]);
    expect(third.faults).toEqual([]);
    expect(third.counts.get(5)).toBe(3);
  });
});

describe('re-enrol unless enrolled in the last N days', () => {
  it('refuses inside the window and enrols again once it has passed', async () => {
    const t = emulator();
    await enrolAndFinish(t, PROGRAM.unlessWithin30Days, [6]);
    await t.control.advance(10 * DAY);
    const inside = await enrolAndFinish(t, PROGRAM.unlessWithin30Days, [6]);
    expect(faultFor(inside, 6)?.Reason).toMatch(/\S/);
    expect(inside.counts.get(6)).toBe(1);

    await t.control.advance(21 * DAY);
    const after = await enrolAndFinish(t, PROGRAM.unlessWithin30Days, [6]);
    expect(faultFor(after, 6)).toBeUndefined();
    expect(after.counts.get(6)).toBe(2);
  });
});

describe('a contact still inside the journey', () => {
  it('is not enrolled again until the journey is over, even when the rule is "every time"', async () => {
    const t = emulator();
    await enrolAndFinish(t, PROGRAM.everyTimeJourney3Days, [7]);
    await t.control.advance(1 * DAY);
    const inside = await enrolAndFinish(t, PROGRAM.everyTimeJourney3Days, [7]);
    expect(faultFor(inside, 7)?.Reason).toBe('AlreadyInProgram');
    expect(inside.counts.get(7)).toBe(1);

    await t.control.advance(3 * DAY);
    const after = await enrolAndFinish(t, PROGRAM.everyTimeJourney3Days, [7]);
    expect(faultFor(after, 7)).toBeUndefined();
    expect(after.counts.get(7)).toBe(2);
  });

  it('follows a rule changed at run time through the control API', async () => {
    const t = emulator();
    await t.control.setProgram(PROGRAM.everyTime, { rule: { kind: 'firstTimeOnly' } });
    await enrolAndFinish(t, PROGRAM.everyTime, [8]);
    const again = await enrolAndFinish(t, PROGRAM.everyTime, [8]);
    expect(faultFor(again, 8)).toBeDefined();
    await t.control.setProgram(PROGRAM.everyTime, { rule: { kind: 'everyTime' } });
    const third = await enrolAndFinish(t, PROGRAM.everyTime, [8]);
    expect(faultFor(third, 8)).toBeUndefined();
  });
});

describe('suppressed and unsubscribed contacts', () => {
  it('are listed in the fault report with a reason, not enrolled, and do not fail the call', async () => {
    const t = emulator();
    const contacts = [9, CONTACT.unsubscribed, CONTACT.hardBounced, CONTACT.suppressed];
    const outcome = await enrolAndFinish(t, PROGRAM.everyTime, contacts);
    expect(outcome.counts.get(9)).toBe(1);
    for (const id of [CONTACT.unsubscribed, CONTACT.hardBounced, CONTACT.suppressed]) {
      expect(outcome.counts.has(id), `contact ${id} must not be enrolled`).toBe(false);
    }
    expect(faultFor(outcome, 9)).toBeUndefined();
    expect(faultFor(outcome, CONTACT.unsubscribed)).toEqual({
      Id: String(CONTACT.unsubscribed),
      Email: emailOf(CONTACT.unsubscribed),
      TelephoneNumber: '',
      Reason: 'Unsubcribed',
    });
    expect(faultFor(outcome, CONTACT.hardBounced)?.Reason).toBe('HardBounced');
    const suppressed = faultFor(outcome, CONTACT.suppressed);
    expect(suppressed?.Reason).toBe('Suppressed');
    expect(suppressed?.Email).toBe(emailOf(CONTACT.suppressed));
    expect(suppressed?.TelephoneNumber.replace(/^\+/, '')).toBe(mobileOf(CONTACT.suppressed));
  });

  it('follows a status changed at run time through the control API', async () => {
    const t = emulator();
    await t.control.setContact(10, { status: 'unsubscribed', emailStatus: 'unsubscribed' });
    const outcome = await enrolAndFinish(t, PROGRAM.everyTime, [10]);
    expect(faultFor(outcome, 10)?.Reason).toBe('Unsubcribed');
    await t.control.setContact(10, { status: 'subscribed', emailStatus: 'subscribed' });
    const later = await enrolAndFinish(t, PROGRAM.everyTime, [10]);
    expect(faultFor(later, 10)).toBeUndefined();
  });
});
