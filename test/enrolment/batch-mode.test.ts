/** The list-or-contacts rule (src/enrolment/batch-mode.ts) and what the engine learns for it. */
import { describe, expect, it } from 'vitest';
import { batchMode, goesThroughList } from '../../src/enrolment/batch-mode.js';
import { answersNameMembers } from '../../src/enrolment/enrol/recent.js';

const auto = { enrolmentMode: 'auto', listModeThreshold: 1000 } as const;

describe('list or contacts', () => {
  it('in auto mode sends small batches by contact IDs while the answers name members or nothing says', () => {
    for (const facts of [{}, { answersNameMembers: true }]) {
      expect(goesThroughList(auto, 40, facts)).toBe(false);
      expect(batchMode(auto, 25, facts)).toBe('contacts');
      expect(goesThroughList(auto, 1000, facts)).toBe(true);
    }
  });

  it('in auto mode sends every batch through a staging list once the answers are seen to name nobody', () => {
    const facts = { answersNameMembers: false };
    expect(goesThroughList(auto, 1, facts)).toBe(true);
    expect(batchMode(auto, 25, facts)).toBe('list');
  });

  it('leaves contacts and list mode as configured', () => {
    const facts = { answersNameMembers: false };
    expect(batchMode({ enrolmentMode: 'contacts', listModeThreshold: 1000 }, 25, facts)).toBe('contacts');
    expect(batchMode({ enrolmentMode: 'list', listModeThreshold: 1000 }, 1, {})).toBe('list');
  });

  it('learns from answers: one naming nobody settles it, answers naming members or lists say they do', () => {
    const named = { contacts: [1], addressBooks: null };
    const list = { contacts: null, addressBooks: [7] };
    const nobody = { contacts: null, addressBooks: null };
    const empty = { contacts: [], addressBooks: [] };
    expect(answersNameMembers(undefined, [])).toBeUndefined();
    expect(answersNameMembers(undefined, [named, list])).toBe(true);
    expect(answersNameMembers(undefined, [named, empty])).toBe(false);
    expect(answersNameMembers(true, [nobody])).toBe(false);
    expect(answersNameMembers(false, [named])).toBe(false);
  });
});
