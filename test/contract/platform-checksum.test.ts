/**
 * The states a real write echoes (the built CLI against the emulator, with rejections) pass the
 * platform's state checksum. The check below is written from the orchestrator's own rule, in
 * airbyte-platform, airbyte-container-orchestrator/src/main/kotlin/io/airbyte/container/orchestrator/
 * bookkeeping/StateCheckSumCountEventHandler.kt, validateStateChecksum (origin DESTINATION):
 *
 *   stats.recordCount?.let { stateRecordCount ->
 *     if (origin == AirbyteMessageOrigin.DESTINATION) {
 *       val destinationTotalCount = stateRecordCount + (stats.rejectedRecordCount ?: 0.0)
 *       val sourceStats: AirbyteStateStats? = stateMessage.sourceStats
 *       if (sourceStats != null) {
 *         sourceStats.recordCount?.let { sourceRecordCount ->
 *           if ((sourceRecordCount.minus(filteredOutRecords)) != destinationTotalCount ||
 *             (platformRecordCount.minus(filteredOutRecords)) != destinationTotalCount
 *           ) { misMatchWhenAllThreeCountsArePresent(…) } else { checksumIsValid(…) }
 *         }
 *       } else {
 *         if (platformRecordCount != destinationTotalCount) { misMatchBetweenStateCountAndPlatformCount(…) }
 *       }
 *     }
 *   }
 *
 * platformRecordCount is what the platform itself forwarded for the state: per stream since that stream's
 * previous state for STREAM states, across streams for GLOBAL ones. Here no mapper filters records out
 * (filteredOutRecords = 0). A recordCount that also counted the rejected records would count them twice.
 */
import { describe, expect, it } from 'vitest';
import {
  catalog,
  contactId,
  email,
  EMULATOR_OPTIONS,
  reachable,
  rec,
  runWrite,
  type Message,
} from '../cli/write-harness.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

interface Stats {
  recordCount?: number;
  rejectedRecordCount?: number;
  additionalStats?: Record<string, number>;
}

type Verdict =
  | 'checksumIsValid'
  | 'misMatchWhenAllThreeCountsArePresent'
  | 'misMatchBetweenStateCountAndPlatformCount'
  | 'destinationStatsMissing';

/** validateStateChecksum for a state the destination echoed, as the Kotlin reads it. */
function platformChecksum(state: Message, platformRecordCount: number, filteredOutRecords = 0): Verdict {
  const stats = state.destinationStats as Stats | undefined;
  if (stats?.recordCount === undefined) return 'destinationStatsMissing';
  const destinationTotalCount = stats.recordCount + (stats.rejectedRecordCount ?? 0);
  const sourceRecordCount = (state.sourceStats as Stats | undefined)?.recordCount;
  if (sourceRecordCount !== undefined) {
    return sourceRecordCount - filteredOutRecords !== destinationTotalCount ||
      platformRecordCount - filteredOutRecords !== destinationTotalCount
      ? 'misMatchWhenAllThreeCountsArePresent'
      : 'checksumIsValid';
  }
  return platformRecordCount !== destinationTotalCount
    ? 'misMatchBetweenStateCountAndPlatformCount'
    : 'checksumIsValid';
}

const key = (descriptor: { name: string; namespace?: string }) =>
  `${descriptor.namespace ?? ''}\u0000${descriptor.name}`;

/**
 * The input as a source and the platform make it: each STATE carries sourceStats (the records the source
 * emitted for it), and the platform's own count of what it forwarded is kept beside it by state id.
 */
function asTheSourceSendsIt(messages: Message[]): { input: Message[]; platformCounts: Map<unknown, number> } {
  const sinceState = new Map<string, number>();
  let sinceGlobal = 0;
  const platformCounts = new Map<unknown, number>();
  const input = messages.map((message) => {
    if (message.type === 'RECORD') {
      const k = key({ name: message.record.stream, namespace: message.record.namespace });
      sinceState.set(k, (sinceState.get(k) ?? 0) + 1);
      sinceGlobal++;
      return message;
    }
    const state = message.state;
    let count: number;
    if (state.type === 'STREAM') {
      const k = key(state.stream.stream_descriptor);
      count = sinceState.get(k) ?? 0;
      sinceState.delete(k);
    } else {
      count = sinceGlobal;
      sinceState.clear();
    }
    if (state.type !== 'STREAM') sinceGlobal = 0;
    platformCounts.set(state.id, count);
    return { ...message, state: { ...state, sourceStats: { recordCount: count } } };
  });
  return { input, platformCounts };
}

const streamState = (id: number, name: string) => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: { cursor: id } }, id },
});
const globalState = (id: number) => ({
  type: 'STATE',
  state: { type: 'GLOBAL', global: { shared_state: { cursor: id }, stream_states: [] }, id },
});

function expectChecksumsValid(states: Message[], platformCounts: Map<unknown, number>): void {
  const verdicts = states.map((state) => [state.id, platformChecksum(state, platformCounts.get(state.id)!)]);
  expect(verdicts).toEqual(states.map((state) => [state.id, 'checksumIsValid']));
  // The per-reason counts add up to rejectedRecordCount: the platform sums them into the attempt's stats.
  for (const state of states) {
    const stats = state.destinationStats as Stats;
    const perReason = Object.values(stats.additionalStats ?? {}).reduce((a, b) => a + b, 0);
    expect(perReason, `state ${state.id}`).toBe(stats.rejectedRecordCount);
  }
}

describe("echoed states against the platform's checksum (StateCheckSumCountEventHandler.kt)", () => {
  it('STREAM states of two streams, with rejections of several reasons, all pass', async () => {
    const [a1, a2, a3, b1, b2] = reachable(5);
    const { input, platformCounts } = asTheSourceSendsIt([
      rec({ contact_id: contactId(a1!) }, 'a'),
      rec({ email: 'not an email' }, 'a'), // invalid_email
      rec({ contact_id: contactId(b1!) }, 'b'),
      rec({ name: 'no identifier' }, 'b'), // missing_identifier
      streamState(1, 'a'),
      rec({ email: 'nobody@example.com' }, 'a'), // contact_not_found
      rec({ contact_id: contactId(a2!) }, 'a'),
      rec({ contact_id: contactId(a1!) }, 'a'), // duplicate_in_sync
      streamState(2, 'b'),
      rec({ email: email(11) }, 'b'), // unsubscribed
      rec({ contact_id: contactId(b2!) }, 'b'),
      streamState(3, 'a'),
      rec({ contact_id: contactId(a3!) }, 'a'),
      streamState(4, 'b'),
      streamState(5, 'a'),
    ]);
    const run = await runWrite(emu(), input, {
      catalog: catalog([{ name: 'a' }, { name: 'b' }]),
      config: { resolution: 'lookup' },
    });
    expect(run.errors).toEqual([]);
    expect(run.states.map((s) => s.id)).toEqual([1, 2, 3, 4, 5]);
    const rejected = run.states.reduce((n, s) => n + (s.destinationStats.rejectedRecordCount as number), 0);
    expect(rejected).toBe(5);
    expectChecksumsValid(run.states, platformCounts);
  });

  it('GLOBAL states, and a state whose every record was rejected, pass too', async () => {
    const [c1, c2] = reachable(2);
    const { input, platformCounts } = asTheSourceSendsIt([
      rec({ contact_id: contactId(c1!) }),
      rec({ contact_id: 'abc' }), // invalid_contact_id
      globalState(1),
      rec({ email: 'x' }), // invalid_email
      rec({ email: 'y' }), // invalid_email
      globalState(2),
      globalState(3),
      rec({ contact_id: contactId(c2!) }),
      globalState(4),
    ]);
    const run = await runWrite(emu(), input);
    expect(run.errors).toEqual([]);
    expect(run.states.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    expect(run.states[1]!.destinationStats).toEqual({
      recordCount: 0,
      rejectedRecordCount: 2,
      additionalStats: { 'rejected.invalid_email': 2 },
    });
    expectChecksumsValid(run.states, platformCounts);
  });

  it('the check can fail: a recordCount that counted the rejected records too is a mismatch', () => {
    const state = {
      id: 1,
      sourceStats: { recordCount: 3 },
      destinationStats: { recordCount: 3, rejectedRecordCount: 1 },
    };
    expect(platformChecksum(state, 3)).toBe('misMatchWhenAllThreeCountsArePresent');
    expect(platformChecksum({ ...state, sourceStats: undefined }, 3)).toBe(
      'misMatchBetweenStateCountAndPlatformCount',
    );
    expect(
      platformChecksum({ ...state, destinationStats: { recordCount: 2, rejectedRecordCount: 1 } }, 3),
    ).toBe('checksumIsValid');
  });
});
