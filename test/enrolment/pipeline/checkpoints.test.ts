import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointLedger, type Tally } from '../../../src/enrolment/pipeline/checkpoints.js';
import type { AirbyteStateMessage } from '../../../src/protocol/messages.js';

function ledger(): { ledger: CheckpointLedger; echoed: AirbyteStateMessage[] } {
  const echoed: AirbyteStateMessage[] = [];
  return { ledger: new CheckpointLedger((state) => echoed.push(state)), echoed };
}

const streamState = (name: string, cursor: number, namespace?: string): AirbyteStateMessage => ({
  type: 'STREAM',
  stream: {
    stream_descriptor: namespace === undefined ? { name } : { name, namespace },
    stream_state: { cursor },
  },
});

describe('CheckpointLedger', () => {
  it('holds a state until every earlier record has an outcome, whatever the order of outcomes', () => {
    const { ledger: l, echoed } = ledger();
    const a = l.addRecord('s', undefined);
    const b = l.addRecord('s', undefined);
    l.addState(streamState('s', 1));
    const c = l.addRecord('s', undefined);
    l.addState(streamState('s', 2));
    l.settle(c);
    expect(echoed).toHaveLength(0);
    l.settle(b, 'contact_not_found');
    expect(echoed).toHaveLength(0);
    l.settle(a);
    expect(echoed.map((s) => (s.stream?.stream_state as { cursor: number }).cursor)).toEqual([1, 2]);
    // recordCount leaves the rejected record out: the platform adds rejectedRecordCount back.
    expect(echoed[0]!.destinationStats).toEqual({
      recordCount: 1,
      rejectedRecordCount: 1,
      additionalStats: { 'rejected.contact_not_found': 1 },
    });
    expect(echoed[1]!.destinationStats).toEqual({ recordCount: 1, rejectedRecordCount: 0 });
  });

  it('echoes a state with no records before it at once, with zero counts', () => {
    const { ledger: l, echoed } = ledger();
    l.addState({ type: 'GLOBAL', global: { stream_states: [] } });
    expect(echoed[0]!.destinationStats).toEqual({ recordCount: 0, rejectedRecordCount: 0 });
  });

  it('keeps every field of the incoming state, replacing only destinationStats', () => {
    const { ledger: l, echoed } = ledger();
    const state: AirbyteStateMessage = {
      type: 'STREAM',
      id: 42,
      stream: { stream_descriptor: { name: 's', namespace: 'ns' }, stream_state: { deep: [1, { x: 2 }] } },
      sourceStats: { recordCount: 9 },
      destinationStats: { recordCount: 999 },
      platformExtra: 'keep me',
    };
    const r = l.addRecord('s', 'ns');
    l.addState(state);
    l.settle(r);
    expect(echoed[0]).toEqual({ ...state, destinationStats: { recordCount: 1, rejectedRecordCount: 0 } });
  });

  it('counts STREAM states per stream descriptor since that stream’s previous state', () => {
    const { ledger: l, echoed } = ledger();
    const settleAll: [Tally, string | undefined][] = [];
    settleAll.push([l.addRecord('a', undefined), undefined]);
    settleAll.push([l.addRecord('b', undefined), 'invalid_email']);
    settleAll.push([l.addRecord('a', 'other'), 'missing_identifier']);
    l.addState(streamState('a', 1)); // a: 1 record
    settleAll.push([l.addRecord('b', undefined), undefined]);
    l.addState(streamState('b', 1)); // b: 2 records, 1 rejected
    settleAll.push([l.addRecord('a', undefined), 'contact_not_found']);
    l.addState(streamState('a', 2)); // a: 1 record, rejected
    l.addState(streamState('a', 3, 'other')); // other.a: 1 record, rejected
    for (const [tally, reason] of settleAll.reverse()) l.settle(tally, reason);
    expect(echoed.map((s) => s.destinationStats)).toEqual([
      { recordCount: 1, rejectedRecordCount: 0 },
      { recordCount: 1, rejectedRecordCount: 1, additionalStats: { 'rejected.invalid_email': 1 } },
      { recordCount: 0, rejectedRecordCount: 1, additionalStats: { 'rejected.contact_not_found': 1 } },
      { recordCount: 0, rejectedRecordCount: 1, additionalStats: { 'rejected.missing_identifier': 1 } },
    ]);
  });

  it('counts GLOBAL and LEGACY states across all streams since the previous state', () => {
    const { ledger: l, echoed } = ledger();
    const t1 = l.addRecord('a', undefined);
    const t2 = l.addRecord('b', undefined);
    l.addState({ type: 'GLOBAL', global: { shared_state: { lsn: 1 }, stream_states: [] } });
    const t3 = l.addRecord('a', undefined);
    l.addState({ type: 'LEGACY', data: { cursor: 'x' } });
    l.addState({ data: { cursor: 'y' } });
    l.settle(t3, 'duplicate_in_sync');
    l.settle(t1);
    l.settle(t2, 'enrolment_fault:AlreadyInProgram');
    expect(echoed.map((s) => s.destinationStats)).toEqual([
      {
        recordCount: 1,
        rejectedRecordCount: 1,
        additionalStats: { 'rejected.enrolment_fault:AlreadyInProgram': 1 },
      },
      { recordCount: 0, rejectedRecordCount: 1, additionalStats: { 'rejected.duplicate_in_sync': 1 } },
      { recordCount: 0, rejectedRecordCount: 0 },
    ]);
    expect(echoed[2]).toMatchObject({ data: { cursor: 'y' } });
  });

  it('refuses to settle a record twice', () => {
    const { ledger: l } = ledger();
    const t = l.addRecord('a', undefined);
    l.settle(t);
    expect(() => l.settle(t)).toThrow(/twice/);
  });

  it('runs release callbacks only after the covering state is echoed', () => {
    const { ledger: l, echoed } = ledger();
    const t1 = l.addRecord('a', undefined);
    const t2 = l.addRecord('a', undefined);
    l.addState(streamState('a', 1));
    const calls: number[] = [];
    l.settle(t1);
    l.whenReleased([t1], () => calls.push(echoed.length));
    expect(calls).toEqual([]);
    l.settle(t2);
    expect(calls).toEqual([1]);
    l.whenReleased([t1], () => calls.push(99));
    expect(calls).toEqual([1, 99]);
    const t3 = l.addRecord('a', undefined);
    l.settle(t3);
    l.whenReleased([t3], () => calls.push(3));
    expect(calls).toEqual([1, 99]);
    l.releaseRemaining();
    expect(calls).toEqual([1, 99, 3]);
  });

  it('property: states come out in input order, each exactly once, with counts that add up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('state'), fc.constantFrom('a', 'b')), { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        fc.array(fc.constantFrom(undefined, 'contact_not_found', 'invalid_email'), { maxLength: 200 }),
        (script, order, rejections) => {
          const { ledger: l, echoed } = ledger();
          const pending: Tally[] = [];
          let states = 0;
          let records = 0;
          for (const step of script) {
            if (step === 'state') l.addState({ type: 'GLOBAL', global: { stream_states: [] }, n: states++ });
            else {
              pending.push(l.addRecord(step, undefined));
              records++;
            }
          }
          let rejected = 0;
          // Settle in a scrambled order.
          let i = 0;
          while (pending.length > 0) {
            const index = (order[i] ?? 0) % pending.length;
            const [tally] = pending.splice(index, 1);
            const reason = rejections[i];
            if (reason !== undefined) rejected++;
            l.settle(tally!, reason);
            i++;
            // Never ahead of the records: every echoed state's records are settled.
            expect(echoed.map((s) => s.n)).toEqual([...Array(echoed.length).keys()]);
          }
          expect(echoed).toHaveLength(states);
          const totalRejected = echoed.reduce(
            (sum, s) => sum + (s.destinationStats?.rejectedRecordCount ?? 0),
            0,
          );
          // The platform's rule: a state covers recordCount + rejectedRecordCount records.
          const total =
            echoed.reduce((sum, s) => sum + (s.destinationStats?.recordCount ?? 0), 0) + totalRejected;
          // Per reason, additionalStats add up to rejectedRecordCount.
          for (const s of echoed) {
            const perReason = Object.values(s.destinationStats?.additionalStats ?? {});
            expect(perReason.reduce((a, b) => a + b, 0)).toBe(s.destinationStats?.rejectedRecordCount);
          }
          // Records after the last state are in no state.
          const lastState = script.lastIndexOf('state');
          const covered = script.slice(0, lastState + 1).filter((s) => s !== 'state').length;
          expect(total).toBe(covered);
          expect(totalRejected).toBeLessThanOrEqual(rejected);
          expect(records).toBeGreaterThanOrEqual(total);
        },
      ),
    );
  });
});
