/**
 * Bad input, generated with fast-check: wrong types, huge strings, deep nesting, unknown streams, missing
 * identifiers, unicode in emails, numbers with letters. Nothing may crash but the documented fatal case
 * (a line that is not an AirbyteMessage); every record is accounted for in destinationStats; the process's
 * memory stays bounded; the password never shows.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { contactIdOf, reachableOrdinals, STREAM } from './support/audience.js';
import { reliabilityEmulator } from './support/emulator.js';
import { startSync, streamCatalog } from './support/sync-process.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await reliabilityEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const POOL = reachableOrdinals(40);

/** A record with what the suite knows about it: `contact` when it names a reachable contact. */
interface Generated {
  stream: string;
  data: Record<string, unknown>;
  contact?: number;
  label: string;
}

/*
 * Deep and huge values stay placeholders while fast-check holds them (it prints and shrinks values, and
 * JSON.stringify itself overflows the stack past a few thousand levels); toJson() expands them in text.
 */
const nested = (depth: number, leaf: 'text' | 'number'): string => `@@deep:${depth}:${leaf}@@`;
const huge = (size: number, char: string): string => `@@huge:${size}:${char}@@`;

function toJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"@@deep:(\d+):(text|number)@@"/g, (_match, n: string, leaf: string) => {
      // Alternating arrays and objects, n levels deep, around a leaf.
      const depth = Number(n);
      let open = '';
      let close = '';
      for (let i = 0; i < depth; i++) {
        open += i % 2 === 0 ? '[' : '{"n":';
        close = (i % 2 === 0 ? ']' : '}') + close;
      }
      return open + (leaf === 'text' ? '"deep"' : '1') + close;
    })
    .replace(/@@huge:(\d+):([a-z])@@/g, (_match, n: string, char: string) => char.repeat(Number(n)));
}

const validRecord: fc.Arbitrary<Generated> = fc
  .record({
    n: fc.constantFrom(...POOL),
    form: fc.constantFrom('id', 'idString', 'email', 'mobile', 'mobileLocal'),
    extra: fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 50, unit: 'binary' }),
      fc.integer({ min: 10_000, max: 300_000 }).map((size) => huge(size, 'x')),
      fc.integer({ min: 1, max: 10_000 }).map((depth) => nested(depth, 'text')),
    ),
  })
  .map(({ n, form, extra }) => {
    const identifier: Record<string, unknown> =
      form === 'id'
        ? { contact_id: contactIdOf(n) }
        : form === 'idString'
          ? { contact_id: ` ${contactIdOf(n)} ` }
          : form === 'email'
            ? { email: `USER${n}@example.com` }
            : form === 'mobile'
              ? { mobile: `+44795${String(n).padStart(7, '0')}` }
              : { mobile: `0795${String(n).padStart(7, '0')}` };
    return {
      stream: STREAM,
      data: { ...identifier, ...(extra === undefined ? {} : { extra }) },
      contact: contactIdOf(n),
      label: `valid ${form}`,
    };
  });

/** Records the connector must reject, whatever the reason word it picks. */
const invalidRecord: fc.Arbitrary<Generated> = fc.oneof(
  fc
    .oneof(
      fc.constant(true),
      fc.constant(null),
      fc.constant(-5),
      fc.constant(0),
      fc.constant(1.5),
      fc.constant(2 ** 40),
      fc.constant([contactIdOf(POOL[0]!)]),
      fc.constant({ id: contactIdOf(POOL[0]!) }),
      fc.stringMatching(/^[0-9]{1,6}[a-z]{1,3}[0-9]{0,3}$/),
    )
    .map((value) => ({ stream: STREAM, data: { contact_id: value }, label: 'bad contact_id' })),
  fc
    .oneof(
      fc.constant(42),
      fc.constant({ address: 'user1@example.com' }),
      fc.constant(''),
      fc.constant('@'),
      fc.constant('a@b'),
      fc.constant('jöhn.dœ@exämple.com'),
      fc.constant('用户@例子.广告'),
      fc.constant('user1@example.com\u0000'),
      fc.integer({ min: 255, max: 2_000_000 }).map((size) => `${huge(size, 'a')}@example.com`),
      fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `${s}@nowhere.invalid`),
    )
    .map((value) => ({ stream: STREAM, data: { email: value }, label: 'bad email' })),
  fc
    .oneof(
      fc.constant('+44 79A0 000001'),
      fc.constant('12345'),
      fc.constant('+999999999999'),
      fc.constant(447950000001n.toString() + 'x'),
      fc.stringMatching(/^\+?[0-9]{2,8}[A-Za-z]{1,4}[0-9]{0,6}$/),
    )
    .map((value) => ({ stream: STREAM, data: { mobile: value }, label: 'bad mobile' })),
  fc
    .oneof(
      fc.constant({}),
      fc.constant({ email: null, mobile: null, contact_id: null }),
      fc.constant({ first_name: 'no identifier' }),
      fc.integer({ min: 1, max: 20_000 }).map((depth) => ({ deep: nested(depth, 'number') })),
      fc.integer({ min: 10_000, max: 1_000_000 }).map((size) => ({ blob: huge(size, 'y') })),
    )
    .map((data) => ({ stream: STREAM, data, label: 'missing identifier' })),
  validRecord.map((r) => ({ ...r, stream: 'not_in_catalog', contact: undefined, label: 'unknown stream' })),
);

type Line = { kind: 'record'; record: Generated } | { kind: 'state' } | { kind: 'blank' };

const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 5, arbitrary: validRecord.map((record) => ({ kind: 'record' as const, record })) },
  { weight: 5, arbitrary: invalidRecord.map((record) => ({ kind: 'record' as const, record })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'state' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
);

interface Built {
  text: string;
  /** Per state id: records since the previous state, and how many of them must be rejected. */
  expected: Map<number, { records: number; rejected: number }>;
  stateIds: number[];
}

/** GLOBAL states, so every record (unknown streams too) counts toward the next state's stats. */
function build(lines: Line[]): Built {
  const parts: string[] = [];
  const expected = new Map<number, { records: number; rejected: number }>();
  const stateIds: number[] = [];
  const taken = new Set<number>();
  let records = 0;
  let rejected = 0;
  const closeSegment = () => {
    const id = stateIds.length + 1;
    stateIds.push(id);
    expected.set(id, { records, rejected });
    parts.push(
      JSON.stringify({ type: 'STATE', state: { type: 'GLOBAL', global: { shared_state: { id } }, id } }),
    );
    records = 0;
    rejected = 0;
  };
  for (const item of [...lines, { kind: 'state' } as Line]) {
    if (item.kind === 'blank') parts.push(' ');
    else if (item.kind === 'state') closeSegment();
    else {
      const { record } = item;
      records++;
      // A contact taken earlier in the same sync is rejected as a duplicate; everything else is invalid.
      if (record.contact === undefined || taken.has(record.contact)) rejected++;
      else taken.add(record.contact);
      parts.push(
        JSON.stringify({
          type: 'RECORD',
          record: { stream: record.stream, data: record.data, emitted_at: 1 },
        }),
      );
    }
  }
  return { text: parts.join('\n') + '\n', expected, stateIds };
}

/** Peak resident memory allowed: the connector's own footprint plus a few of the largest lines. */
const MEMORY_BOUND_BYTES = 400 * 1024 * 1024;

describe('bad input (fast-check, built CLI against the emulator)', () => {
  it('never crashes on records it can reject, and accounts for every record in destinationStats', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 60 }), async (lines) => {
        const built = build(lines);
        emu.control.resetAllowance();
        const sync = startSync(emu, { max_allowance_wait_minutes: 0 }, streamCatalog([STREAM]));
        await sync.send(built.text);
        sync.end();
        const ended = await sync.ended;
        expect(sync.leakedSecrets()).toEqual([]);
        expect(sync.errors(), sync.stderr.slice(-2000)).toEqual([]);
        expect(ended.code).toBe(0);
        const states = sync.states();
        expect(states.map((s) => s.id)).toEqual(built.stateIds);
        for (const state of states) {
          const want = built.expected.get(state.id as number)!;
          expect([state.id, state.destinationStats]).toMatchObject([
            state.id,
            { recordCount: want.records - want.rejected, rejectedRecordCount: want.rejected },
          ]);
        }
        expect(sync.peakRssBytes).toBeLessThan(MEMORY_BOUND_BYTES);
      }),
      { numRuns: 12, seed: 1207, endOnFailure: true },
    );
  }, 240_000);

  const notAMessage = fc.constantFrom(
    'this is not JSON',
    '{"type":"RECORD","record":',
    '[1,2,3]',
    '"RECORD"',
    '{"type":"RECORD"}',
    '{"type":"NOT_A_TYPE","record":{}}',
    '{"record":{"stream":"audience","data":{},"emitted_at":1}}',
    // A RECORD whose data is not an object is a rejected record, not a broken line (input-output-edges.test.ts).
  );

  it('stops on a line that is not an AirbyteMessage, naming the line, after echoing only true states', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        notAMessage,
        fc.array(line, { maxLength: 10 }),
        async (before, bad, after) => {
          const head = build(before);
          const badLineNumber = head.text.split('\n').length;
          const tail = build(after).text;
          emu.control.resetAllowance();
          const sync = startSync(emu, { max_allowance_wait_minutes: 0 });
          await sync.send(head.text + bad + '\n' + tail);
          sync.end();
          const ended = await sync.ended;
          expect(sync.leakedSecrets()).toEqual([]);
          expect(ended.code).not.toBe(0);
          const errors = sync.errors();
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatchObject({ failure_type: 'system_error' });
          expect(String(errors[0]!.message)).toContain(String(badLineNumber));
          // Only states before the bad line may be echoed, in order, each with exact stats.
          const states = sync.states();
          expect(states.map((s) => s.id)).toEqual(head.stateIds.slice(0, states.length));
          for (const state of states) {
            const want = head.expected.get(state.id as number)!;
            expect(state.destinationStats).toMatchObject({
              recordCount: want.records - want.rejected,
              rejectedRecordCount: want.rejected,
            });
          }
        },
      ),
      { numRuns: 8, seed: 4711, endOnFailure: true },
    );
  }, 240_000);

  it('reports a record nested 20,000 levels deep (rejected and enrolled alike) without failing', async () => {
    const deep = nested(20_000, 'number');
    const lines = [
      toJson({ type: 'RECORD', record: { stream: STREAM, data: { deep }, emitted_at: 1 } }),
      toJson({
        type: 'RECORD',
        record: { stream: STREAM, data: { contact_id: contactIdOf(POOL[5]!), deep }, emitted_at: 1 },
      }),
      toJson({ type: 'STATE', state: { type: 'LEGACY', data: { done: true } } }),
    ];
    emu.control.resetAllowance();
    const sync = startSync(emu, { max_allowance_wait_minutes: 0 });
    await sync.send(lines.join('\n') + '\n');
    sync.end();
    const ended = await sync.ended;
    expect(sync.errors(), sync.stderr.slice(-2000)).toEqual([]);
    expect(ended.code).toBe(0);
    expect(sync.states().map((s) => s.destinationStats)).toEqual([
      { recordCount: 1, rejectedRecordCount: 1, additionalStats: { 'rejected.missing_identifier': 1 } },
    ]);
    expect(sync.rejectedRecords().map((r) => r.reason)).toEqual(['missing_identifier']);
  }, 60_000);
});
