/**
 * Memory under huge records: 400 records of a megabyte each through the built CLI. It has an emulator of
 * its own because it needs 16 of the account's 20 hourly enrolment calls: after bad-input.test.ts's syncs
 * into the same account, 9 calls of the last emulated hour were theirs (the connector counts them from the
 * enrolment listings; resetAllowance() resets only the emulator's own counter), so the sync stopped at 19
 * with a transient error, as it should under max_allowance_wait_minutes 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { contactIdOf, reachableOrdinals, STREAM, type Message } from './support/audience.js';
import { reliabilityEmulator } from './support/emulator.js';
import { startSync } from './support/sync-process.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await reliabilityEmulator();
});
afterAll(async () => {
  await emu.stop();
});

describe('records of a megabyte each', () => {
  it('keeps memory bounded when every record carries a megabyte', async () => {
    const megabyte = 'z'.repeat(1024 * 1024);
    const messages: Message[] = [];
    // 400 records of 1 MB: 16 enrolment calls, within the hourly allowance.
    const audience = reachableOrdinals(400);
    audience.forEach((n, i) => {
      messages.push({
        type: 'RECORD',
        record: { stream: STREAM, data: { contact_id: contactIdOf(n), notes: megabyte }, emitted_at: 1 },
      });
      if ((i + 1) % 10 === 0) messages.push({ type: 'STATE', state: { type: 'LEGACY', data: { i } } });
    });
    // This is about memory, not Dotdigital's minutes of processing: the window drains as batches finish.
    emu.control.updateSettings({ enrolmentProcessingMs: 2_000 });
    // Run as in a memory-limited container: Node sizes its heap from the container's limit, and on this
    // 24 GB machine V8 would otherwise defer collecting dead 1 MB strings, so peak RSS would measure the
    // garbage collector's patience rather than what the connector holds. Under a 160 MB heap, a connector
    // that held the records (400 MB went through) runs out of memory; one whose window bounds the bytes in
    // flight completes.
    const sync = startSync(
      emu,
      { max_allowance_wait_minutes: 0, recent_enrolment_lookback_hours: 0 },
      undefined,
      { ...process.env, NODE_OPTIONS: '--max-old-space-size=160' },
    );
    // Written in slices, as a source produces them; the child's stdin backpressure paces the writer.
    for (let i = 0; i < messages.length; i += 10) await sync.send(messages.slice(i, i + 10));
    sync.end();
    const ended = await sync.ended;
    expect(sync.errors()).toEqual([]);
    expect(ended.code).toBe(0);
    expect(sync.states()).toHaveLength(audience.length / 10);
    expect(sync.peakRssBytes).toBeLessThan(300 * 1024 * 1024);
  }, 120_000);
});
