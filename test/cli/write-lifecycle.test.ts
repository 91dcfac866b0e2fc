import { describe, expect, it } from 'vitest';
import { parseLines } from '../support/cli.js';
import {
  contactId,
  EMULATOR_OPTIONS,
  enrolmentCounts,
  LiveWrite,
  reachable,
  rec,
  runWrite,
  streamState,
  until,
  type Message,
} from './write-harness.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

const batch = (audience: number[], cursor: number): Message[] => [
  ...audience.map((n) => rec({ contact_id: contactId(n) })),
  streamState(cursor),
];

describe('write lifecycle (built CLI against the emulator)', () => {
  it('on SIGTERM echoes the states that are true, then fails with a transient error', async () => {
    const audience = reachable(60);
    const live = new LiveWrite(emu());
    live.send(batch(audience.slice(0, 25), 1));
    await until(() => live.states().length === 1);
    // More records whose partial batch waits for more input, then the platform stops the sync.
    live.send(batch(audience.slice(25, 30), 2));
    live.child.kill('SIGTERM');
    const code = await live.exited;
    expect(code).not.toBe(0);
    const messages = parseLines(live.stdout) as Message[];
    const errors = messages.filter((m) => m.type === 'TRACE').map((m) => m.trace.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ failure_type: 'transient_error' });
    expect(errors[0].message).toMatch(/interrupted/);
    expect(live.states().map((s) => s.stream.stream_state.cursor)).toEqual([1]);
  });

  it('SIGTERM while waiting for the enrolment allowance stops at once with a transient error', async () => {
    // A 10-minute window in real time: it stays shut for the whole test, yet frees up within the longest
    // wait the spec allows (14 minutes), so the connector waits instead of giving up at once.
    emu().control.updateSettings({ enrolmentAllowancePerHour: 1, enrolmentAllowanceWindowMs: 10 * 60_000 });
    emu().control.setClock({ timeScale: 1 });
    const audience = reachable(50);
    const live = new LiveWrite(emu(), { config: { max_allowance_wait_minutes: 14 } });
    live.send([...batch(audience.slice(0, 25), 1), ...batch(audience.slice(25, 50), 2)]);
    // The first batch is enrolled; the second waits for the allowance window.
    await until(() => live.stdout.includes('allowance'), 60_000);
    live.child.kill('SIGTERM');
    expect(await live.exited).not.toBe(0);
    const messages = parseLines(live.stdout) as Message[];
    const errors = messages.filter((m) => m.type === 'TRACE').map((m) => m.trace.error);
    expect(errors).toMatchObject([{ failure_type: 'transient_error' }]);
    expect(emu().control.enrolmentCalls()).toHaveLength(1);
    expect(live.states().length).toBeLessThanOrEqual(1);
    const logs = messages.filter((m) => m.type === 'LOG').map((m) => String(m.log.message));
    expect(logs.some((l) => l.includes('allowance') && l.includes('used up'))).toBe(true);
  }, 90_000);

  it('a program deactivated mid-sync ends it with a config error naming the program, after the true states', async () => {
    const audience = reachable(50);
    const live = new LiveWrite(emu());
    live.send(batch(audience.slice(0, 25), 1));
    await until(() => live.states().length === 1);
    emu().control.updateProgram(1002, { status: 'Deactivated' });
    live.send(batch(audience.slice(25, 50), 2));
    live.end();
    expect(await live.exited).not.toBe(0);
    const messages = parseLines(live.stdout) as Message[];
    const errors = messages.filter((m) => m.type === 'TRACE').map((m) => m.trace.error);
    expect(errors).toMatchObject([{ failure_type: 'config_error' }]);
    expect(errors[0].message).toContain('1002');
    expect(live.states().map((s) => s.stream.stream_state.cursor)).toEqual([1]);
    expect(enrolmentCounts(emu(), 1002).size).toBe(25);
  });

  it('releases a state held past max_state_hold, counting its records as enrolled, and warns', async () => {
    emu().control.setFaults({ processingNeverFinishes: true });
    const audience = reachable(10);
    const run = await runWrite(emu(), batch(audience, 1), { config: { max_state_hold_minutes: 0 } });
    expect(run.errors).toEqual([]);
    expect(run.states.map((s) => s.destinationStats)).toEqual([{ recordCount: 10, rejectedRecordCount: 0 }]);
    expect(run.logs.some((l) => l.includes('as enrolled without confirmation'))).toBe(true);
    expect(run.logs.find((l) => l.startsWith('Sync finished'))).toContain(
      '10 enrolled but not yet confirmed',
    );
  });
});
