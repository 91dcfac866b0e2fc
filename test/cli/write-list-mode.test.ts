/**
 * Issue 5's acceptance: large audiences go through a staging list, so 100,000 contacts cost one
 * enrolment allowance unit; staging lists outlive a sync only as long as the look-back needs them; a
 * kill -9 at any stage of list staging followed by a re-run enrols every valid contact exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';
import { parseStagingListName } from '../../src/enrolment/enrol/staging-list-name.js';
import {
  audienceInput,
  contactId,
  enrolmentCounts,
  LiveWrite,
  reachable,
  replayAfter,
  runWrite,
  until,
} from './write-harness.js';

// 150,000 generated contacts hold 100,000 reachable ones; processing delays pass 100× faster.
const emu = emulatorForEachTest({ timeScale: 100, contacts: 150_000 });

const listConfig = (programId: number) => ({
  program_id: programId,
  enrolment_mode: 'auto',
  list_mode_threshold: 1000,
  resolution: 'auto',
});

describe('write in list mode (built CLI against the emulator)', () => {
  it('enrols 100,000 contacts with one enrolment call and leaves no staging list', async () => {
    const audience = reachable(100_000);
    // Contacts already in program 1001 ("enrol only the first time") come back in the fault report.
    const already = audience.slice(0, 40);
    const first = await runWrite(emu(), audienceInput(already, 40, true), {
      config: { ...listConfig(1001), enrolment_mode: 'contacts' },
    });
    expect(first.errors).toEqual([]);
    const callsBefore = emu().control.enrolmentCalls().length;

    // With the recent-enrolment check off, Dotdigital's own rule is what refuses the 40.
    const run = await runWrite(emu(), audienceInput(audience, 10_000, true), {
      config: { ...listConfig(1001), recent_enrolment_lookback_hours: 0 },
      timeoutMs: 240_000,
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const calls = emu().control.enrolmentCalls().slice(callsBefore);
    expect(calls.length).toBe(1);
    expect(calls[0]?.addressBooks?.length).toBe(1);
    expect(emu().control.addressBooks()).toEqual([]);

    const counts = enrolmentCounts(emu(), 1001);
    expect(counts.size).toBe(audience.length);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    // Every record is accounted for; the 40 already enrolled are the fault-report rejections.
    const records = run.states.reduce((n, s) => n + (s.destinationStats?.recordCount ?? 0), 0);
    const rejected = run.states.reduce((n, s) => n + (s.destinationStats?.rejectedRecordCount ?? 0), 0);
    expect(records + rejected).toBe(audience.length);
    expect(rejected).toBe(already.length);
    expect(run.logs.join('\n')).toMatch(/enrolment_fault:\w+/);
  }, 300_000);

  const killPoints: [string, (e: RunningEmulator, live: LiveWrite) => boolean][] = [
    ['during the import into the staging list', (e) => e.control.imports().length >= 1],
    ['right after the list enrolment call was accepted', (e) => e.control.enrolmentCalls().length >= 1],
    [
      'after the enrolment finished, before the state echo',
      (e, live) =>
        e.control.enrolmentCalls().some((c) => c.status === 'Finished') && live.states().length === 0,
    ],
  ];

  it.each(killPoints)(
    'kill -9 %s, then a re-run enrols every contact exactly once and leaves only the enrolled list',
    async (label, killWhen) => {
      // Slow imports and processing so each kill lands at its stage. A kill the moment Dotdigital accepted
      // the list is known to a re-run only from answers that name the list (README: residual risk).
      emu().control.updateSettings({
        importProcessingMs: 60_000,
        enrolmentProcessingMs: 60_000,
        enrolmentAnswerMembers: label.startsWith('right after') ? 'listed' : 'null',
      });
      const audience = reachable(3_000);
      let input = audienceInput(audience, 3_000, true);
      const live = new LiveWrite(emu(), { config: listConfig(1002) });
      live.send(input);
      live.end();
      await until(() => killWhen(emu(), live), 60_000);
      live.kill();
      await live.exited;

      let states = live.states();
      for (let attempt = 0; attempt < 3; attempt++) {
        input = replayAfter(input, states);
        if (input.length === 0) break;
        const run = await runWrite(emu(), input, { config: listConfig(1002), timeoutMs: 120_000 });
        expect(run.errors).toEqual([]);
        states = run.states;
        if (run.code === 0) break;
      }
      // Let anything accepted before the kill finish processing, then ask the emulator.
      emu().control.setClock({ advanceMs: 600_000 });
      await until(() =>
        emu()
          .control.enrolmentCalls()
          .every((c) => c.status === 'Finished'),
      );
      const counts = enrolmentCounts(emu(), 1002);
      const histogram = new Map<number, number>();
      for (const n of audience)
        histogram.set(counts.get(contactId(n)) ?? 0, (histogram.get(counts.get(contactId(n)) ?? 0) ?? 0) + 1);
      expect(
        Object.fromEntries(histogram),
        JSON.stringify(
          emu()
            .control.enrolmentCalls()
            .map((c) => ({ ...c, contacts: c.contacts?.length })),
        ),
      ).toEqual({ 1: audience.length });
      expect(audience.filter((n) => counts.get(contactId(n)) !== 1)).toEqual([]);
      expect(counts.size).toBe(audience.length);
      // Left: the enrolled list, kept for the look-back (still staged when the kill came right after its
      // acceptance: its lease has not passed), and at most the killed attempt's list never enrolled.
      const phases = emu()
        .control.addressBooks()
        .map((book) => parseStagingListName(book.name)?.phase);
      expect(phases.length).toBeGreaterThanOrEqual(1);
      expect(phases.length).toBeLessThanOrEqual(2);
      expect(phases.every((phase) => phase !== undefined)).toBe(true);
    },
    180_000,
  );
});
