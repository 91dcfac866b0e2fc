import fc from 'fast-check';
import { DiscardingSink } from '../../../src/enrolment/rejected-records/sink.js';
import { describe, expect, it } from 'vitest';
import type { EnrolmentEngine } from '../../../src/enrolment/engine-types.js';
import { WritePipeline } from '../../../src/enrolment/pipeline/write-pipeline.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import {
  captureLogger,
  contacts,
  MemoryEngine,
  MemoryOut,
  MemoryResolver,
  messagesOf,
  testConfig,
} from '../support/in-memory.js';

const identifierValue = fc.oneof(
  fc.integer({ min: -5, max: 60 }),
  fc.constantFrom(
    'c1@example.com',
    'C2@EXAMPLE.COM',
    ' c3@example.com',
    'bad@',
    '',
    '  ',
    '12a',
    '7',
    '+447911123456',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 300, maxLength: 2000 }),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.nat(), { maxKeys: 2 }),
);

const recordMessage = fc
  .record({
    stream: fc.constantFrom('audience', 'audience', 'other'),
    data: fc.record(
      { contact_id: identifierValue, email: identifierValue, mobile: identifierValue, extra: fc.anything() },
      { requiredKeys: [] },
    ),
  })
  .map(({ stream, data }): AirbyteMessage => ({
    type: 'RECORD',
    record: { stream, data: data as Record<string, unknown>, emitted_at: 1 },
  }));

const stateMessage = fc.nat().map((n): AirbyteMessage => ({
  type: 'STATE',
  state: { type: 'GLOBAL', global: { stream_states: [] }, id: n },
}));

describe('WritePipeline under arbitrary input', () => {
  it('never crashes, echoes states in order, and accounts for every record in destinationStats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 5, arbitrary: recordMessage }, { weight: 1, arbitrary: stateMessage }), {
          maxLength: 120,
        }),
        fc.boolean(),
        async (messages, fallThrough) => {
          const config = testConfig({
            mapping: { ...testConfig().mapping, fallThroughOnInvalid: fallThrough },
          });
          const out = new MemoryOut();
          const engine = new MemoryEngine({ faults: new Map([[5, 'AlreadyInProgram']]) });
          const pipeline = new WritePipeline({
            config,
            streams: [{ name: 'audience', programId: 1001, dataActivation: false }],
            resolver: new MemoryResolver(contacts(40)),
            engines: new Map<number, EnrolmentEngine>([[1001, engine]]),
            out,
            logger: captureLogger().logger,
            rejections: new DiscardingSink(),
            tuning: { tickMs: 5, enrolIdleMs: 5, resolveMaxAgeMs: 2 },
          });
          const summary = await pipeline.run(messagesOf(messages, 3));
          const records = messages.filter((m) => m.type === 'RECORD').length;
          const states = messages.filter((m) => m.type === 'STATE');
          expect(out.states.map((s) => s.id)).toEqual(
            states.map((m) => (m.type === 'STATE' ? m.state.id : 0)),
          );
          const lastState = messages.map((m) => m.type).lastIndexOf('STATE');
          const covered = messages.slice(0, lastState + 1).filter((m) => m.type === 'RECORD').length;
          // The platform's rule: a state covers recordCount + rejectedRecordCount records.
          const counted = (s: (typeof out.states)[number]) =>
            (s.destinationStats?.recordCount ?? 0) + (s.destinationStats?.rejectedRecordCount ?? 0);
          expect(out.states.reduce((sum, s) => sum + counted(s), 0)).toBe(covered);
          // Every record has exactly one outcome.
          const o = summary.outcomes;
          expect(
            o.enrolled + o.enrolled_unconfirmed + o.already_enrolled_recently + o.would_enrol + o.rejected,
          ).toBe(records);
          // No contact is submitted twice.
          const submitted = engine.submitted.flat();
          expect(new Set(submitted).size).toBe(submitted.length);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
