/**
 * `auto` mode on an account whose enrolment answers name nobody (Dotdigital's published example, and the
 * emulator's default): once that is known, small batches go through a staging list too, which a re-run
 * recognises, so records sent again after a lost state enrol nobody twice (README "Enrolled once").
 */
import { expect, it } from 'vitest';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';
import {
  audienceInput,
  contactId,
  EMULATOR_OPTIONS,
  enrolmentCounts,
  reachable,
  runWrite,
} from './write-harness.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

it('sends small batches as staging lists once the answers are seen to name nobody, so records sent again are not enrolled twice', async () => {
  expect(emu().control.settings().enrolmentAnswerMembers).toBe('null');
  // Another integration's enrolment into the program: the look-back's listing shows an answer naming nobody.
  const other = await runWrite(emu(), audienceInput(reachable(3, 900), 3, true), {
    config: { enrolment_mode: 'contacts' },
  });
  expect(other.errors).toEqual([]);

  // 40 contacts, far under list_mode_threshold (1000): before, two contacts calls (25 + 15).
  const audience = reachable(40);
  const input = audienceInput(audience, 10, true);
  const config = { enrolment_mode: 'auto' };
  const before = emu().control.enrolmentCalls().length;
  const first = await runWrite(emu(), input, { config });
  expect(first.errors).toEqual([]);
  const calls = emu().control.enrolmentCalls().slice(before);
  expect(calls.map((c) => ({ contacts: c.contacts.length, lists: c.addressBooks.length }))).toEqual([
    { contacts: 0, lists: 1 },
  ]);
  expect(first.logs.join('\n')).toContain(
    'so a staging list (which a re-run can recognise) carries small batches too',
  );

  // The platform lost the states: the same records come again, and the kept list says who is in.
  const again = await runWrite(emu(), input, { config });
  expect(again.errors).toEqual([]);
  expect(emu().control.enrolmentCalls().length).toBe(before + 1);
  const counts = enrolmentCounts(emu(), 1002);
  expect(audience.map((n) => counts.get(contactId(n)) ?? 0)).toEqual(audience.map(() => 1));
}, 120_000);
