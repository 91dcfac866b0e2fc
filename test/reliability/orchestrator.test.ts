/**
 * How the platform treats the connector: it may close stdin early, read stdout slowly, or send SIGTERM
 * mid-sync. The connector must stay correct (echo only true states), keep its memory bounded while
 * nobody reads its output, and end an interrupted sync with a clear transient error that a re-run
 * recovers from.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { mixedAudience, replayAfter, toLines, type Message } from './support/audience.js';
import { enrolmentCounts, reliabilityEmulator, settleEnrolments } from './support/emulator.js';
import { expectEnrolledExactlyOnce, expectRejectionsReported, expectStatesTrue } from './support/outcomes.js';
import { startSync, until } from './support/sync-process.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

/** The input cut after `states` states plus `extra` records (whole lines). */
function cutAfterStates(input: Message[], states: number, extra: number): Message[] {
  let seen = 0;
  const index = input.findIndex((m) => m.type === 'STATE' && ++seen === states);
  return input.slice(0, index + 1 + extra);
}

describe('orchestrator behaviour (built CLI against the emulator)', () => {
  it('stdin closed early at a line boundary: the states read are echoed, exactly, and nothing is enrolled twice', async () => {
    emu = await reliabilityEmulator();
    const audience = mixedAudience({ valid: 60, invalid: 15, stateEvery: 10, seed: 3 });
    const sync = startSync(emu, { enrolment_mode: 'contacts' });
    await sync.send(cutAfterStates(audience.input, 3, 4));
    sync.end();
    const ended = await sync.ended;
    expect(sync.leakedSecrets()).toEqual([]);
    expect(sync.errors()).toEqual([]);
    expect(ended.code).toBe(0);
    expect(sync.states().map((s) => s.id)).toEqual([1, 2, 3]);
    const all = sync.states();
    expectStatesTrue({ ...audience, stateCount: 3 }, all);
    await settleEnrolments(emu);
    expect([...enrolmentCounts(emu, 1002).values()].filter((n) => n !== 1)).toEqual([]);
  }, 60_000);

  it('stdin closed in the middle of a line: stops as documented (that line is not a message), echoing only true states', async () => {
    emu = await reliabilityEmulator();
    const audience = mixedAudience({ valid: 60, invalid: 15, stateEvery: 10, seed: 4 });
    const head = cutAfterStates(audience.input, 2, 3);
    const cut = JSON.stringify(audience.input[head.length]).slice(0, 25);
    const sync = startSync(emu, { enrolment_mode: 'contacts' });
    await sync.send(toLines(head) + cut);
    sync.end();
    const ended = await sync.ended;
    expect(sync.leakedSecrets()).toEqual([]);
    const errors = sync.errors();
    if (ended.code === 0) expect(errors).toEqual([]);
    else expect(errors).toMatchObject([{ failure_type: 'system_error' }]);
    const states = sync.states();
    expect(states.map((s) => s.id)).toEqual([1, 2].slice(0, states.length));
    expectStatesTrue({ ...audience, stateCount: states.length }, states);
  }, 60_000);

  it('stdout read slowly: reading stops while nobody reads, memory stays flat, and every state comes out in order', async () => {
    emu = await reliabilityEmulator();
    // Records rejected without a network call, each followed by a state: as much output as input.
    const records = 120_000;
    const chunks: string[] = [];
    for (let start = 0; start < records; start += 1_000) {
      const messages: Message[] = [];
      for (let i = start; i < start + 1_000; i++) {
        messages.push({ type: 'RECORD', record: { stream: 'audience', data: { key: i }, emitted_at: 1 } });
        messages.push({ type: 'STATE', state: { type: 'LEGACY', data: { i } } });
      }
      chunks.push(toLines(messages));
    }
    const total = chunks.reduce((sum, c) => sum + c.length, 0);
    const sync = startSync(emu, { rejected_records: { destination: 'none' } });
    sync.child.stdout.pause();
    let taken = 0;
    const feeding = (async () => {
      for (const chunk of chunks) {
        await sync.send(chunk);
        taken += chunk.length;
      }
      sync.end();
    })();
    // Nobody reads stdout for a while: the connector must stop taking input rather than buffer output.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const takenWhilePaused = taken;
    expect(takenWhilePaused).toBeLessThan(5 * 1024 * 1024);
    expect(takenWhilePaused).toBeLessThan(total / 2);
    sync.child.stdout.resume();
    await feeding;
    const ended = await sync.ended;
    expect(sync.errors()).toEqual([]);
    expect(ended.code).toBe(0);
    const states = sync.states();
    expect(states).toHaveLength(records);
    expect(states.every((s, i) => s.data.i === i)).toBe(true);
    expect(
      states.every(
        (s) => s.destinationStats.recordCount === 0 && s.destinationStats.rejectedRecordCount === 1,
      ),
    ).toBe(true);
    expect(sync.peakRssBytes).toBeLessThan(200 * 1024 * 1024);
    expect(sync.leakedSecrets()).toEqual([]);
  }, 120_000);

  it('SIGTERM mid-sync: echoes what is true, exits with a transient error, and a re-run completes exactly once', async () => {
    // Answers that name their contacts: a batch accepted but not yet echoed at SIGTERM is known to the
    // re-run only from them in contacts mode (README "Enrolled once"; the crash suite covers the others).
    emu = await reliabilityEmulator({
      settings: { enrolmentProcessingMs: 100_000, enrolmentAnswerMembers: 'listed' },
    });
    emu.control.setFaults({ latencyMs: 3 });
    const audience = mixedAudience({ valid: 100, invalid: 20, stateEvery: 10, seed: 5 });
    const sync = startSync(emu, { enrolment_mode: 'contacts', resolution: 'lookup' });
    // stdin stays open: the platform is still sending when it decides to stop the sync.
    await sync.send(audience.input.slice(0, Math.floor(audience.input.length * 0.8)));
    await until(() => emu!.control.enrolmentCalls().length >= 2, 30_000, 'two enrolment calls');
    sync.kill('SIGTERM');
    const ended = await sync.ended;
    expect(sync.leakedSecrets()).toEqual([]);
    expect(ended.code).not.toBe(0);
    const errors = sync.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ failure_type: 'transient_error' });
    expect(String(errors[0]!.message)).toMatch(/interrupted/i);
    const first = sync.states();
    expectStatesTrue({ ...audience, stateCount: first.length }, first);
    // What the echoed states cover is true: their valid contacts were accepted by Dotdigital.
    await settleEnrolments(emu);
    const counts = enrolmentCounts(emu, 1002);
    const lastId = first.at(-1)?.id;
    const covered =
      lastId === undefined
        ? []
        : audience.input.slice(
            0,
            audience.input.findIndex((m) => m.type === 'STATE' && m.state.id === lastId),
          );
    const coveredContacts = covered
      .filter((m) => m.type === 'RECORD')
      .map((m) => audience.expected.get(m.record.data.key))
      .filter((e): e is { enrol: number } => e !== undefined && 'enrol' in e)
      .map((e) => e.enrol);
    expect(coveredContacts.filter((id) => counts.get(id) !== 1)).toEqual([]);

    const rerun = startSync(emu, { enrolment_mode: 'contacts', resolution: 'lookup' });
    await rerun.send(replayAfter(audience.input, lastId));
    rerun.end();
    const rerunEnded = await rerun.ended;
    expect(rerun.errors()).toEqual([]);
    expect(rerunEnded.code).toBe(0);
    expect(rerun.leakedSecrets()).toEqual([]);
    expectStatesTrue(audience, [...first, ...rerun.states()]);
    await expectEnrolledExactlyOnce(emu, audience);
    expectRejectionsReported(audience, [...sync.rejectedRecords(), ...rerun.rejectedRecords()]);
  }, 120_000);
});
