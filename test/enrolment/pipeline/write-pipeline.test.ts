import { describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../../src/config/types.js';
import type { EnrolmentEngine, SubmittedEnrolment } from '../../../src/enrolment/engine-types.js';
import {
  planStreams,
  WritePipeline,
  type PipelineTuning,
} from '../../../src/enrolment/pipeline/write-pipeline.js';
import type { RejectedRecord, RejectionSink } from '../../../src/enrolment/rejections.js';
import { ConfigError, SystemError, TransientError } from '../../../src/protocol/errors.js';
import { STATE_WAIT_BUDGET_MS } from '../../../src/enrolment/checkpoint-budget.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../../src/protocol/messages.js';
import { type Clock, systemClock } from '../../../src/time/clock.js';
import {
  captureLogger,
  contacts,
  gatedResolver,
  MemoryEngine,
  MemoryOut,
  MemoryResolver,
  messagesOf,
  record,
  streamState,
  testConfig,
} from '../support/in-memory.js';

class MemorySink implements RejectionSink {
  readonly rejected: RejectedRecord[] = [];
  flushes = 0;
  add(r: RejectedRecord): void {
    this.rejected.push(r);
  }
  flushNow(): boolean {
    this.flushes++;
    return true;
  }
  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }
  backpressure(): null {
    return null;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const MINUTE = 60_000;

const FAST: Partial<PipelineTuning> = {
  lateConfirmGraceMs: 50,
  shutdownGraceMs: 50,
  tickMs: 5,
  enrolIdleMs: 20,
  enrolMaxAgeMs: 200,
  resolveMaxAgeMs: 5,
};

interface Harness {
  out: MemoryOut;
  sink: MemorySink;
  engine: MemoryEngine;
  resolver: MemoryResolver;
  log: ReturnType<typeof captureLogger>;
  pipeline: WritePipeline;
}

function harness(
  options: {
    config?: Partial<ConnectorConfig>;
    engine?: MemoryEngine;
    resolver?: MemoryResolver;
    tuning?: Partial<PipelineTuning>;
    signal?: AbortSignal;
    streams?: { name: string; namespace?: string }[];
    out?: MemoryOut;
    /** A test-set time with the system clock's pauses. */
    now?: () => number;
    clock?: Clock;
  } = {},
): Harness {
  const config = testConfig(options.config);
  const out = options.out ?? new MemoryOut();
  const sink = new MemorySink();
  const engine = options.engine ?? new MemoryEngine();
  const resolver = options.resolver ?? new MemoryResolver(contacts(200));
  const log = captureLogger();
  const streams = (options.streams ?? [{ name: 'audience' }]).map((s) => ({
    ...s,
    programId: config.programId!,
    dataActivation: false,
  }));
  const pipeline = new WritePipeline({
    config,
    streams,
    resolver,
    engines: new Map<number, EnrolmentEngine>([[config.programId!, engine]]),
    out,
    logger: log.logger,
    rejections: sink,
    tuning: { ...FAST, ...options.tuning },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.now ? { clock: { now: options.now, sleep: systemClock.sleep } } : {}),
  });
  return { out, sink, engine, resolver, log, pipeline };
}

const cursors = (out: MemoryOut) =>
  out.states.map((s) => (s.stream?.stream_state as { cursor: number }).cursor);
const stats = (out: MemoryOut) => out.states.map((s) => s.destinationStats);

describe('WritePipeline', () => {
  it("gives a batch's waits one deadline, counted from the oldest waiting state, that also ends the state hold", async () => {
    let now = 1_000_000;
    const h = harness({
      now: () => now,
      config: { maxStateHoldSeconds: 10 * 60 },
      tuning: { enrolIdleMs: 5 * MINUTE, enrolMaxAgeMs: 20 * MINUTE },
    });
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
    let stateReadAt = 0;
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      yield* messagesOf(Array.from({ length: 10 }, (_, i) => record({ contact_id: i + 1 })));
      // The records are resolved and wait in a partial batch; then their state comes.
      await pause();
      now += 1000;
      await pause();
      now += 1000;
      stateReadAt = now;
      yield* messagesOf([streamState(10)]);
      // The partial batch waits 9 minutes for more contacts while the state waits.
      await pause();
      now += 9 * MINUTE;
      await pause();
    }
    await h.pipeline.run(source());
    expect(h.engine.deadlines.submit).toEqual([stateReadAt + STATE_WAIT_BUDGET_MS]);
    // 10 minutes of max_state_hold would end 19 minutes after the state; the budget ends the hold at 14.
    expect(h.engine.deadlines.confirm).toEqual([stateReadAt + STATE_WAIT_BUDGET_MS]);
  });

  it("does not count look-ups against a batch's waits: its deadline runs from when the batch began", async () => {
    let now = 1_000_000;
    const { resolver, open } = gatedResolver(contacts(20));
    const h = harness({ resolver, now: () => now, config: { maxStateHoldSeconds: 10 * 60 } });
    const input = [...Array.from({ length: 10 }, (_, i) => record({ contact_id: i + 1 })), streamState(10)];
    const run = h.pipeline.run(messagesOf(input));
    // The state is read at once; its records are resolved 9 minutes later (slow look-ups).
    setTimeout(() => {
      now += 9 * MINUTE;
      open();
    }, 50);
    await run;
    const resolvedAt = now;
    expect(h.engine.deadlines.submit).toEqual([resolvedAt + STATE_WAIT_BUDGET_MS]);
    expect(h.engine.deadlines.confirm).toEqual([resolvedAt + 10 * MINUTE]);
  });

  it('enrols a contact-ID audience in full batches of 25 and echoes every state with its counts', async () => {
    const h = harness();
    const input: AirbyteMessage[] = [];
    for (let i = 1; i <= 60; i++) {
      input.push(record({ contact_id: i }));
      if (i % 20 === 0) input.push(streamState(i, 'audience', { id: i * 10 }));
    }
    const summary = await h.pipeline.run(messagesOf(input));
    expect(h.engine.submitted.map((b) => b.length)).toEqual([25, 25, 10]);
    expect([...h.engine.enrolled.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(cursors(h.out)).toEqual([20, 40, 60]);
    expect(h.out.states.map((s) => s.id)).toEqual([200, 400, 600]);
    expect(stats(h.out)).toEqual([
      { recordCount: 20, rejectedRecordCount: 0 },
      { recordCount: 20, rejectedRecordCount: 0 },
      { recordCount: 20, rejectedRecordCount: 0 },
    ]);
    expect(summary.outcomes.enrolled).toBe(60);
    expect(summary.allowance_spent).toBe(3);
    expect(summary.batches_by_mode).toMatchObject({ contacts: { batches: 3, contacts: 60 } });
    expect(h.log.lines.some((l) => l.msg.startsWith('Sync finished: 60 records read, 60 enrolled'))).toBe(
      true,
    );
  });

  it('gives every record exactly one outcome, with a reason for each rejection', async () => {
    const resolver = new MemoryResolver([
      ...contacts(10),
      { contactId: 50, status: 'unsubscribed', email: 'gone@example.com' },
      { contactId: 51, status: 'hardBounced', email: 'bounce@example.com' },
      { contactId: 52, status: 'subscribed', mobileNumber: '447911123456' },
    ]);
    const h = harness({ resolver });
    const input = [
      record({ contact_id: 1 }), // enrolled
      record({ email: 'C2@Example.com ' }), // enrolled, normalised
      record({ mobile: '07911 123456' }), // enrolled by mobile
      record({ contact_id: 'x1' }), // invalid_contact_id
      record({ email: 'nope' }), // invalid_email
      record({ mobile: '12' }), // invalid_mobile_number
      record({ other: 1 }), // missing_identifier
      record({ contact_id: 999 }), // contact_not_found
      record({ email: 'gone@example.com' }), // contact_unsubscribed
      record({ email: 'bounce@example.com' }), // contact_hard_bounced
      record({ contact_id: 2 }), // duplicate_in_sync (same contact as c2@)
      record({ contact_id: 3 }, 'elsewhere'), // stream_not_in_catalog
      streamState(1),
    ];
    const summary = await h.pipeline.run(messagesOf(input));
    expect(h.sink.rejected.map((r) => r.reason)).toEqual([
      'invalid_contact_id',
      'invalid_email',
      'invalid_mobile_number',
      'missing_identifier',
      'stream_not_in_catalog',
      'contact_not_found',
      'contact_unsubscribed',
      'contact_hard_bounced',
      'duplicate_in_sync',
    ]);
    expect(h.engine.submitted).toEqual([[1, 2, 52]]);
    // The state only counts its own stream; the unknown stream's record has no state of its own.
    expect(stats(h.out)).toMatchObject([{ recordCount: 3, rejectedRecordCount: 8 }]);
    expect(summary.outcomes).toMatchObject({ enrolled: 3, rejected: 9 });
    expect(summary.rejected_by_reason).toMatchObject({ duplicate_in_sync: 1, invalid_email: 1 });
    const rejectedEmail = h.sink.rejected.find((r) => r.reason === 'invalid_email')!;
    expect(rejectedEmail).toMatchObject({ record: { email: 'nope' }, stream: { name: 'audience' } });
    expect(rejectedEmail.message).toContain('field email');
    expect(rejectedEmail.message).not.toContain('nope');
    expect(h.sink.flushes).toBeGreaterThan(0);
  });

  it('lets unreachable contacts through when enrolUnreachableContacts is set', async () => {
    const resolver = new MemoryResolver([
      { contactId: 50, status: 'unsubscribed', email: 'gone@example.com' },
    ]);
    const h = harness({ resolver, config: { enrolUnreachableContacts: true } });
    await h.pipeline.run(messagesOf([record({ email: 'gone@example.com' }), streamState(1)]));
    expect(h.engine.submitted).toEqual([[50]]);
  });

  it('turns fault-report entries into rejections with Dotdigital’s reason', async () => {
    const engine = new MemoryEngine({ faults: new Map([[2, 'AlreadyInProgram']]) });
    const h = harness({ engine });
    await h.pipeline.run(messagesOf([record({ contact_id: 1 }), record({ contact_id: 2 }), streamState(1)]));
    expect(h.sink.rejected).toMatchObject([
      { reason: 'enrolment_fault:AlreadyInProgram', record: { contact_id: 2 } },
    ]);
    expect(stats(h.out)).toEqual([
      {
        recordCount: 1,
        rejectedRecordCount: 1,
        additionalStats: { 'rejected.enrolment_fault:AlreadyInProgram': 1 },
      },
    ]);
  });

  it('counts contacts of recent enrolments as enrolled without submitting them again', async () => {
    const engine = new MemoryEngine({ recent: [1, 2] });
    const h = harness({ engine });
    const summary = await h.pipeline.run(
      messagesOf([
        record({ contact_id: 1 }),
        record({ contact_id: 2 }),
        record({ contact_id: 3 }),
        streamState(1),
      ]),
    );
    expect(engine.submitted).toEqual([[3]]);
    expect(summary.outcomes).toMatchObject({ enrolled: 1, already_enrolled_recently: 2 });
    expect(stats(h.out)).toEqual([{ recordCount: 3, rejectedRecordCount: 0 }]);
  });

  it('follows precedence when identifiers point at different contacts, and logs the count once', async () => {
    const h = harness();
    const summary = await h.pipeline.run(
      messagesOf([
        record({ contact_id: 1, email: 'c2@example.com' }),
        record({ contact_id: 3, email: 'c4@example.com' }),
        streamState(1),
      ]),
    );
    expect(h.engine.submitted).toEqual([[1, 3]]);
    expect(summary.identifier_conflicts).toBe(2);
    expect(
      h.log.lines.filter((l) => l.msg.includes('identifiers that belong to different contacts')),
    ).toHaveLength(1);
  });

  it('when the allowance runs out, echoes the states whose records are done and rethrows', async () => {
    const engine = new MemoryEngine({ allowance: 1 });
    const h = harness({ engine });
    const input: AirbyteMessage[] = [];
    for (let i = 1; i <= 75; i++) {
      input.push(record({ contact_id: i }));
      if (i % 25 === 0) input.push(streamState(i));
    }
    await expect(h.pipeline.run(messagesOf(input))).rejects.toBeInstanceOf(TransientError);
    expect(cursors(h.out)).toEqual([25]);
    expect(engine.submitted).toHaveLength(1);
  });

  it('fails with the engine’s config error after echoing what is true', async () => {
    const engine = new MemoryEngine({ submitError: new ConfigError('Program 1001 is not Active.') });
    const h = harness({ engine });
    await expect(
      h.pipeline.run(
        messagesOf([
          record({ contact_id: 'bad' }),
          streamState(1),
          record({ contact_id: 1 }),
          streamState(2),
        ]),
      ),
    ).rejects.toThrow(/Program 1001 is not Active/);
    expect(cursors(h.out)).toEqual([1]);
  });

  it('releases a state held past maxStateHold, counting its records as enrolled, and warns', async () => {
    const engine = new MemoryEngine({ finishes: false });
    const h = harness({ engine, config: { maxStateHoldSeconds: 0 } });
    const summary = await h.pipeline.run(messagesOf([record({ contact_id: 1 }), streamState(1)]));
    expect(cursors(h.out)).toEqual([1]);
    expect(summary.outcomes).toMatchObject({ enrolled: 0, enrolled_unconfirmed: 1 });
    expect(
      h.log.lines.some((l) => l.level === 40 && l.msg.includes('as enrolled without confirmation')),
    ).toBe(true);
  });

  it('dry run: resolves and reports, submits nothing and echoes no state', async () => {
    const h = harness({ config: { dryRun: true } });
    const summary = await h.pipeline.run(
      messagesOf([record({ contact_id: 1 }), record({ contact_id: 999 }), streamState(1)]),
    );
    expect(h.engine.submitted).toEqual([]);
    expect(h.out.states).toEqual([]);
    expect(summary.outcomes).toMatchObject({ would_enrol: 1, rejected: 1 });
    expect(summary.allowance_spent).toBe(0);
    expect(h.log.lines.some((l) => l.msg.startsWith('Dry run finished'))).toBe(true);
  });

  it('flushes a partial batch when a state waits behind it and the input goes quiet', async () => {
    const h = harness();
    let release!: () => void;
    const quiet = new Promise<void>((resolve) => (release = resolve));
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      yield [{ message: record({ contact_id: 1 }) }];
      yield [{ message: streamState(1) }];
      // The source stays silent until the state has been echoed, which needs the partial batch sent.
      const timer = setInterval(() => {
        if (h.out.states.length > 0) release();
      }, 5);
      await quiet;
      clearInterval(timer);
      yield [{ message: record({ contact_id: 2 }) }];
    }
    await h.pipeline.run(source());
    expect(h.engine.submitted).toEqual([[1], [2]]);
    expect(cursors(h.out)).toEqual([1]);
  });

  it('stops reading while the in-flight window is full', async () => {
    const { resolver: slowResolver, open: resolveGate } = gatedResolver(contacts(500));
    const h = harness({
      resolver: slowResolver,
      tuning: { window: 40, resolveBatchSize: 10 },
    });
    let pulled = 0;
    let maxAhead = 0;
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      for (let i = 1; i <= 300; i++) {
        pulled++;
        if (pulled === 100) resolveGate();
        yield [{ message: record({ contact_id: i }) }];
      }
    }
    // Read ahead is bounded while the resolver is blocked: the gate opens only if reading got to 100,
    // so if the window did not hold, this would deadlock rather than pass; check the ceiling too.
    setTimeout(() => {
      maxAhead = pulled;
      resolveGate();
    }, 100);
    await h.pipeline.run(source());
    expect(maxAhead).toBeLessThanOrEqual(41);
    expect(h.engine.enrolled.size).toBe(300);
  });

  it('on SIGTERM stops reading, echoes what is true and throws a transient error', async () => {
    const controller = new AbortController();
    const h = harness({ signal: controller.signal });
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      for (let i = 1; i <= 25; i++) yield [{ message: record({ contact_id: i }) }];
      yield [{ message: streamState(1) }];
      yield [{ message: record({ contact_id: 26 }) }];
      yield [{ message: streamState(2) }];
      while (h.out.states.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await new Promise(() => undefined); // a source that never ends by itself
    }
    const run = h.pipeline.run(source());
    await expect(run).rejects.toThrow(/interrupted/);
    expect(cursors(h.out)).toEqual([1]);
  }, 10_000);

  it('stops with a transient error, after echoing what is true, when the reader stalls past its cap', async () => {
    // The resolver never answers for contacts after the first 25: the window fills and the reader waits
    // on it for good, as it would behind an allowance wait longer than the platform's limit on stdin.
    const { resolver: stuck } = gatedResolver(contacts(100));
    const fast = new MemoryResolver(contacts(100));
    let calls = 0;
    const resolver = {
      resolve: (queries: Parameters<MemoryResolver['resolve']>[0]) =>
        calls++ === 0 ? fast.resolve(queries) : stuck.resolve(queries),
    } as MemoryResolver;
    const h = harness({ resolver, tuning: { window: 10, resolveBatchSize: 5, readerStallLimitMs: 100 } });
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      for (let i = 1; i <= 5; i++) yield [{ message: record({ contact_id: i }) }];
      yield [{ message: streamState(1) }];
      for (let i = 6; i <= 100; i++) yield [{ message: record({ contact_id: i }) }];
      yield [{ message: streamState(2) }];
    }
    const run = h.pipeline.run(source());
    await expect(run).rejects.toBeInstanceOf(TransientError);
    await expect(run).rejects.toThrow(/stopped reading its input/);
    expect(cursors(h.out)).toEqual([1]);
  }, 10_000);
});

describe('WritePipeline time', () => {
  it('ticks on the clock it is given, so a benchmark clock sees the ticker as a wait', async () => {
    const ticks: number[] = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      sleep: (ms, signal) => {
        ticks.push(ms);
        return systemClock.sleep(ms, signal);
      },
    };
    // Resolution waits for its batch to age (resolveMaxAgeMs), which only a tick notices.
    const h = harness({ clock, tuning: { resolveBatchSize: 1000 } });
    await h.pipeline.run(messagesOf([record({ contact_id: 1 }), streamState(1)]));
    expect(ticks.length).toBeGreaterThan(0);
    expect(new Set(ticks)).toEqual(new Set([FAST.tickMs]));
  });
});

describe('WritePipeline batching and reporting', () => {
  it('auto mode: batches under the threshold go by contacts in 25s, larger ones as one list', async () => {
    const small = harness({ config: { enrolmentMode: 'auto', listModeThreshold: 40 } });
    const input = (count: number) => [
      ...Array.from({ length: count }, (_, i) => record({ contact_id: i + 1 })),
      streamState(1),
    ];
    await small.pipeline.run(messagesOf(input(30)));
    expect(small.engine.submitted.map((b) => b.length)).toEqual([25, 5]);
    const large = harness({ config: { enrolmentMode: 'auto', listModeThreshold: 40 } });
    const summary = await large.pipeline.run(messagesOf(input(45)));
    expect(large.engine.submitted.map((b) => b.length)).toEqual([45]);
    expect(summary.batches_by_mode).toMatchObject({ list: { batches: 1, contacts: 45 } });
  });

  it('list mode does not spend an allowance unit on each lull between resolve batches', async () => {
    // Each resolve batch takes longer than enrolIdleMs (as a walk of a large account does) while states
    // wait behind the batch: a partial list still waits for more, up to listMaxAgeMs.
    class SlowResolver extends MemoryResolver {
      override async resolve(queries: Parameters<MemoryResolver['resolve']>[0]) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        return super.resolve(queries);
      }
    }
    const input = [];
    for (let i = 1; i <= 100; i++) {
      input.push(record({ contact_id: i }));
      if (i % 10 === 0) input.push(streamState(i));
    }
    const h = harness({
      config: { enrolmentMode: 'list' },
      resolver: new SlowResolver(contacts(200)),
      tuning: { resolveBatchSize: 10, resolveConcurrency: 1 },
    });
    await h.pipeline.run(messagesOf(input));
    expect(h.engine.submitted.map((b) => b.length)).toEqual([100]);
    expect(cursors(h.out)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('list mode still sends a partial list once a state has waited listMaxAgeMs', async () => {
    const h = harness({ config: { enrolmentMode: 'list' }, tuning: { listMaxAgeMs: 100 } });
    let submittedBeforeEnd = -1;
    async function* source() {
      yield { message: record({ contact_id: 1 }) };
      yield { message: record({ contact_id: 2 }) };
      yield { message: streamState(1) };
      await new Promise((resolve) => setTimeout(resolve, 400));
      submittedBeforeEnd = h.engine.submitted.length;
    }
    await h.pipeline.run(source());
    expect(submittedBeforeEnd).toBe(1);
    expect(cursors(h.out)).toEqual([1]);
  });

  it('releases a list-mode enrolment only after the state covering its records is echoed', async () => {
    const events: string[] = [];
    class ReleasingEngine extends MemoryEngine {
      override async release(enrolment: SubmittedEnrolment): Promise<void> {
        events.push(`release ${enrolment.enrolmentId}`);
      }
    }
    const h = harness({ engine: new ReleasingEngine(), config: { enrolmentMode: 'list' } });
    const out = h.out;
    const write = out.write.bind(out);
    out.write = (message) => {
      if (message.type === 'STATE') events.push('state');
      return write(message);
    };
    await h.pipeline.run(messagesOf([record({ contact_id: 1 }), record({ contact_id: 2 }), streamState(1)]));
    expect(events).toEqual(['state', 'release e1']);
  });

  it('rejects contacts the engine left out of the accepted enrolment as contact_not_found', async () => {
    class ForgetfulEngine extends MemoryEngine {
      override async submit(contactIds: number[]) {
        const submitted = await super.submit(contactIds);
        return { ...submitted, contactIds: submitted.contactIds.filter((id) => id !== 2) };
      }
    }
    const h = harness({ engine: new ForgetfulEngine() });
    await h.pipeline.run(messagesOf([record({ contact_id: 1 }), record({ contact_id: 2 }), streamState(1)]));
    expect(h.sink.rejected).toMatchObject([{ reason: 'contact_not_found', record: { contact_id: 2 } }]);
  });

  it('logs progress on long work: counts, what it waits on, rate and time left', async () => {
    const { resolver: slow, open: release } = gatedResolver(contacts(10));
    const h = harness({ resolver: slow, tuning: { progressIntervalMs: 20 } });
    const run = h.pipeline.run(
      messagesOf([record({ contact_id: 1 }), record({ contact_id: 'x' }), streamState(1)]),
    );
    const deadline = Date.now() + 5000;
    while (!h.log.lines.some((l) => l.msg.startsWith('Progress:')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    release();
    await run;
    const progress = h.log.lines.find((l) => l.msg.startsWith('Progress:'))!.msg;
    expect(progress).toContain('2 records read');
    expect(progress).toContain('1 rejected');
    expect(progress).toContain('1 in flight');
    expect(progress).toContain('1 states waiting');
    expect(progress).toMatch(/waiting on Dotdigital contact look-ups/);
    expect(progress).toMatch(/records\/s/);
    expect(progress).toMatch(/done in about/);
  });
});

describe('WritePipeline at the edges of its input and output', () => {
  it('on a broken input line, finishes the records states before it cover, echoes them, then fails', async () => {
    const h = harness();
    const broken = new SystemError('Input line 24 is not a valid Airbyte message: it is not valid JSON.');
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      const messages: AirbyteMessage[] = [];
      for (let i = 1; i <= 23; i++) {
        messages.push(record({ contact_id: i }));
        if (i % 10 === 0) messages.push(streamState(i));
      }
      yield messages.map((message) => ({ message }));
      throw broken;
    }
    await expect(h.pipeline.run(source())).rejects.toBe(broken);
    expect(cursors(h.out)).toEqual([10, 20]);
    expect(stats(h.out)).toEqual([
      { recordCount: 10, rejectedRecordCount: 0 },
      { recordCount: 10, rejectedRecordCount: 0 },
    ]);
    // Records 21-23 follow the last state: no echoed state covers them, so they wait for the retry.
    expect(h.engine.submitted.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(h.log.lines.some((l) => l.msg.startsWith('3 records after the last state'))).toBe(true);
  });

  it('rejects a record whose data is not an object as invalid_record, and counts it', async () => {
    const h = harness();
    const bad = (data: unknown): AirbyteMessage => ({
      type: 'RECORD',
      record: { stream: 'audience', data, emitted_at: 1 },
    });
    const summary = await h.pipeline.run(
      messagesOf([bad('a string'), bad(42), bad(null), bad([1]), record({ contact_id: 1 }), streamState(1)]),
    );
    expect(h.sink.rejected.map((r) => r.reason)).toEqual(Array(4).fill('invalid_record'));
    expect(stats(h.out)).toEqual([
      { recordCount: 1, rejectedRecordCount: 4, additionalStats: { 'rejected.invalid_record': 4 } },
    ]);
    expect(summary.outcomes).toMatchObject({ enrolled: 1, rejected: 4 });
  });

  it('once stdout is closed, enrols nobody more and deletes no staging list', async () => {
    const events: string[] = [];
    class ReleasingEngine extends MemoryEngine {
      override async release(enrolment: SubmittedEnrolment): Promise<void> {
        events.push(`release ${enrolment.enrolmentId}`);
      }
    }
    const engine = new ReleasingEngine();
    // A stdout whose reader goes away: every write after that fails, as a pipe nobody reads does.
    let closed = false;
    const out = Object.assign(new MemoryOut(), {
      delivered: async () => {
        if (closed) throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
    });
    const h = harness({ engine, out, config: { enrolmentMode: 'list' }, tuning: { listMaxAgeMs: 20 } });
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      yield [{ message: record({ contact_id: 1 }) }, { message: streamState(1) }];
      while (!events.includes('release e1')) await new Promise((resolve) => setTimeout(resolve, 5));
      closed = true;
      yield [{ message: record({ contact_id: 2 }) }, { message: streamState(2) }];
    }
    await expect(h.pipeline.run(source())).rejects.toThrow(/stdout was closed/);
    expect(engine.submitted).toEqual([[1]]);
    expect(events).toEqual(['release e1']);
    expect(cursors(h.out)).toEqual([1]);
  });

  it('stops at once when stdout reports that its reader went away', async () => {
    let fail!: (error: Error) => void;
    const out = Object.assign(new MemoryOut(), {
      onFailure: (listener: (error: Error) => void) => (fail = listener),
    });
    const h = harness({ out });
    async function* source(): AsyncIterable<{ message: AirbyteMessage }[]> {
      yield [{ message: record({ contact_id: 1 }) }];
      fail(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      yield [{ message: record({ contact_id: 2 }) }, { message: streamState(1) }];
    }
    await expect(h.pipeline.run(source())).rejects.toBeInstanceOf(TransientError);
    expect(h.engine.submitted).toEqual([]);
  });
});

describe('planStreams', () => {
  const catalog = (
    streams: Partial<ConfiguredAirbyteCatalog['streams'][number]>[],
  ): ConfiguredAirbyteCatalog => ({
    streams: streams.map((s) => ({
      stream: { name: 'audience', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
      ...s,
    })),
  });

  it('takes the program from destination_object_name, else program_id', () => {
    expect(planStreams(catalog([{ destination_object_name: 'program_1002' }, {}]), testConfig())).toEqual([
      { name: 'audience', programId: 1002, dataActivation: true },
      { name: 'audience', programId: 1001, dataActivation: false },
    ]);
  });

  it('refuses sync modes other than append, explaining why', () => {
    expect(() => planStreams(catalog([{ destination_sync_mode: 'overwrite' }]), testConfig())).toThrow(
      /only supports "append".*un-enrolled/s,
    );
  });

  it('refuses streams without a program and unknown object names', () => {
    expect(() => planStreams(catalog([{}]), testConfig({ programId: undefined }))).toThrow(ConfigError);
    expect(() => planStreams(catalog([{ destination_object_name: 'contacts' }]), testConfig())).toThrow(
      /"<program name> \(program <id>\)"/,
    );
  });

  it('reads the program id from the readable object names discover prints, whatever the program is now called', () => {
    expect(
      planStreams(
        catalog([
          { destination_object_name: 'Welcome journey (program 1001)' },
          { destination_object_name: 'A name since changed (program 1002)' },
        ]),
        testConfig({ programId: undefined }),
      ).map((plan) => plan.programId),
    ).toEqual([1001, 1002]);
  });

  it("lets a data-activation stream's matching key (its primary_key) decide the identifier", () => {
    const plans = planStreams(
      catalog([
        { destination_object_name: 'Welcome journey (program 1001)', primary_key: [['email']] },
        { destination_object_name: 'Welcome journey (program 1001)', primary_key: [['mobile_number']] },
        { destination_object_name: 'Welcome journey (program 1001)', primary_key: [] },
        // Outside data activation primary_key is the source's own key, not a choice of identifier.
        { primary_key: [['email']] },
      ]),
      testConfig(),
    );
    expect(plans.map((plan) => plan.decidingIdentifier)).toEqual([
      'email',
      'mobileNumber',
      undefined,
      undefined,
    ]);
  });

  it('refuses a matching key that is not one of the identifiers, naming the stream and the keys', () => {
    for (const primary_key of [[['customer_ref']], [['email', 'domain']], [['email'], ['contact_id']]]) {
      expect(() =>
        planStreams(
          catalog([{ destination_object_name: 'Welcome journey (program 1001)', primary_key }]),
          testConfig(),
        ),
      ).toThrow(/Stream "audience" is matched on .*Pick one of contact_id, email, mobile_number/);
    }
  });
});
