import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import {
  audienceInput,
  contactId,
  EMULATOR_OPTIONS,
  enrolmentCounts,
  LiveWrite,
  reachable,
  rec,
  replayAfter,
  runWrite,
  until,
} from './write-harness.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

describe('write survives kill -9 at any point (built CLI against the emulator)', () => {
  const killPoints: [string, (emu: RunningEmulator, live: LiveWrite) => boolean][] = [
    [
      'during contact resolution',
      (e) =>
        Object.keys(e.control.counters().byEndpoint).some((endpoint) => endpoint.includes('/contacts/v3')),
    ],
    ['right after the first enrolment call was accepted', (e) => e.control.enrolmentCalls().length >= 1],
    ['after two states were echoed', (_e, live) => live.states().length >= 2],
    ['after three enrolment calls', (e) => e.control.enrolmentCalls().length >= 3],
  ];

  it.each(killPoints)(
    'kill -9 %s, then re-runs from the last echoed state: every contact enrolled exactly once',
    async (_label, killWhen) => {
      // Slow enough that the kill lands mid-sync: each call takes a few real ms, processing 20 emulated s.
      emu().control.setFaults({ latencyMs: 3 });
      // Answers that name their contacts: contacts mode's guarantee needs them (the crash suite covers
      // the other answer modes and their stated risk).
      emu().control.updateSettings({ enrolmentProcessingMs: 20_000, enrolmentAnswerMembers: 'listed' });
      const audience = reachable(150);
      let input = audienceInput(audience, 10);
      input.splice(7, 0, rec({ contact_id: 'not-a-number' }));

      const live = new LiveWrite(emu(), { config: { resolution: 'lookup' } });
      live.send(input);
      await until(() => killWhen(emu(), live));
      live.kill();
      await live.exited;
      const echoed = live.states();
      // The kill landed mid-sync: not every state (15 of them) was echoed.
      expect(echoed.length).toBeLessThan(15);

      // Re-run (as many times as needed) from the last echoed state.
      let attempts = 0;
      let states = echoed;
      for (;;) {
        input = replayAfter(input, states);
        const run = await runWrite(emu(), input, { config: { resolution: 'lookup' }, timeoutMs: 120_000 });
        attempts++;
        expect(run.errors).toEqual([]);
        states = run.states;
        if (run.code === 0 || attempts >= 3) break;
      }
      // Let enrolments accepted before the kill finish, then ask the emulator what happened.
      emu().control.setClock({ advanceMs: 60_000 });
      await until(() =>
        emu()
          .control.enrolmentCalls()
          .every((c) => c.status === 'Finished'),
      );
      const counts = enrolmentCounts(emu(), 1002);
      const notOnce = audience.filter((n) => counts.get(contactId(n)) !== 1);
      expect(notOnce).toEqual([]);
      expect(counts.size).toBe(audience.length);
    },
    180_000,
  );
});
