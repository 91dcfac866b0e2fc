/**
 * The edges of a sync's input and output, with the built CLI against the emulator: a broken input line,
 * records whose data is not an object, and a stdout whose reader goes away mid-sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import {
  contactIdOf,
  reachableOrdinals,
  record,
  streamState,
  toLines,
  type Message,
} from './support/audience.js';
import { enrolmentCounts, reliabilityEmulator, settleEnrolments } from './support/emulator.js';
import { startSync, until } from './support/sync-process.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const PROGRAM = 1002;

/** Records of reachable contacts by contact ID, a state after every `stateEvery` of them. */
function audience(ordinals: number[], stateEvery: number, firstCursor = 0): Message[] {
  const messages: Message[] = [];
  ordinals.forEach((n, i) => {
    messages.push(record({ contact_id: contactIdOf(n) }));
    if ((i + 1) % stateEvery === 0) messages.push(streamState(firstCursor + i + 1));
  });
  return messages;
}

const enrolledIds = (): number[] => [...enrolmentCounts(emu!, PROGRAM).keys()].sort((a, b) => a - b);

describe('input and output edges (built CLI against the emulator)', () => {
  it('a broken line fails the sync naming it, after echoing the states before it once their records are done', async () => {
    emu = await reliabilityEmulator();
    const ordinals = reachableOrdinals(33);
    // Three states cover 30 records; three more records follow the last state, then the broken line.
    const head = toLines(audience(ordinals, 10));
    const brokenLine = head.split('\n').length;
    const sync = startSync(emu, { enrolment_mode: 'contacts', recent_enrolment_lookback_hours: 0 });
    await sync.send(head + '{"type":"RECORD","record":\n');
    sync.end();
    const ended = await sync.ended;
    expect(sync.leakedSecrets()).toEqual([]);
    expect(ended.code).not.toBe(0);
    const errors = sync.errors();
    expect(errors).toMatchObject([{ failure_type: 'system_error' }]);
    expect(String(errors[0]!.message)).toContain(`line ${brokenLine}`);
    expect(sync.states().map((s) => s.id)).toEqual([10, 20, 30]);
    expect(sync.states().map((s) => s.destinationStats)).toEqual(
      Array(3).fill({ recordCount: 10, rejectedRecordCount: 0 }),
    );
    // The three records after the last state wait for the retry: no echoed state covers them.
    await settleEnrolments(emu);
    expect(enrolledIds()).toEqual(ordinals.slice(0, 30).map(contactIdOf));
  }, 60_000);

  it('rejects records whose data is not an object as invalid_record, counts them and carries on', async () => {
    emu = await reliabilityEmulator();
    const lines = ['"a string"', '42', 'null', '[1,2]', 'true'].map(
      (data) => `{"type":"RECORD","record":{"stream":"audience","data":${data},"emitted_at":1}}`,
    );
    const good = reachableOrdinals(2).map((n) => JSON.stringify(record({ contact_id: contactIdOf(n) })));
    const sync = startSync(emu, { enrolment_mode: 'contacts' });
    await sync.send([...lines, ...good, JSON.stringify(streamState(7))].join('\n') + '\n');
    sync.end();
    const ended = await sync.ended;
    expect(sync.errors(), sync.stderr.slice(-2000)).toEqual([]);
    expect(ended.code).toBe(0);
    expect(sync.states().map((s) => s.destinationStats)).toEqual([
      { recordCount: 2, rejectedRecordCount: 5, additionalStats: { 'rejected.invalid_record': 5 } },
    ]);
    expect(sync.rejectedRecords().map((r) => [r.record, r.reason])).toEqual([
      ['a string', 'invalid_record'],
      [42, 'invalid_record'],
      [null, 'invalid_record'],
      [[1, 2], 'invalid_record'],
      [true, 'invalid_record'],
    ]);
  }, 60_000);

  it('a sync that ends without reading its input: writing to it returns instead of waiting for room', async () => {
    emu = await reliabilityEmulator();
    // A Draft program is refused before any record is read; the writer then holds megabytes nobody reads.
    const sync = startSync(emu, { program_id: 1003 });
    const notes = 'n'.repeat(100_000);
    const input = reachableOrdinals(80).map((n) => record({ contact_id: contactIdOf(n), notes }));
    await sync.send(input);
    const ended = await sync.ended;
    expect(ended.code).toBe(1);
    expect(sync.errors()).toMatchObject([{ failure_type: 'config_error' }]);
  }, 60_000);

  it('stdout closed mid-sync: the sync stops and enrols nobody whose state nobody could hear', async () => {
    emu = await reliabilityEmulator();
    const ordinals = reachableOrdinals(20);
    const sync = startSync(emu, { enrolment_mode: 'contacts', recent_enrolment_lookback_hours: 0 });
    await sync.send(audience(ordinals.slice(0, 10), 10));
    await until(() => sync.states().length === 1, 30_000, 'the first state');
    // The orchestrator goes away: nobody reads the connector's output any more.
    sync.child.stdout.destroy();
    await sync.send(audience(ordinals.slice(10), 10, 10));
    sync.end();
    const ended = await sync.ended;
    expect(ended.code).not.toBe(0);
    await settleEnrolments(emu);
    expect(enrolledIds()).toEqual(ordinals.slice(0, 10).map(contactIdOf));
    expect(emu.control.enrolmentCalls()).toHaveLength(1);
  }, 60_000);
});
