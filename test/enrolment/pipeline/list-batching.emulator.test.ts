/**
 * Issue 14: staging lists go full. Each list costs one of the 20 hourly allowance units whatever its size,
 * so a list that goes out half full wastes a unit. The whole write pipeline with the real engine against
 * the emulator, on its clock: while one list is at Dotdigital (import, then enrolment processing), the next
 * one fills from the input instead of going out as whatever had arrived when the reader blocked.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { WritePipeline } from '../../../src/enrolment/pipeline/write-pipeline.js';
import type { PipelineTuning } from '../../../src/enrolment/pipeline/tuning.js';
import { createRejectionSink } from '../../../src/enrolment/rejected-records/index.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import type { SettingsPatch } from '../../../emulator/src/index.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from '../enrol/support/emulator-harness.js';
import { MemoryOut, MemoryResolver, record, streamState } from '../support/in-memory.js';
import { enrolmentCounts } from '../../cli/write-harness.js';

const bed = engineTestBed();
const MINUTE = 60_000;
const PROGRAM = 1002;
const emailOf = (n: number): string => `user${n}@example.com`;

/** Lists of 40; asked for a window of 50, which holds one list and a fraction of the next. */
const TUNING: Partial<PipelineTuning> = { listBatchSize: 40, resolveBatchSize: 10, window: 50 };

interface SyncOptions {
  settings: SettingsPatch;
  tuning: Partial<PipelineTuning>;
  /** Characters each input line counts for against the window's byte budget (0: not counted). */
  lineSize?: number;
}

/** One list-mode sync of an email audience, a state after every `stateEvery` records (and at the end). */
async function listModeSync(audience: number[], stateEvery: number, options: SyncOptions) {
  const env = await bed.start({ settings: options.settings });
  const config: ConnectorConfig = {
    ...env.config,
    enrolmentMode: 'list',
    maxAllowanceWaitSeconds: 10 * 60,
    maxStateHoldSeconds: 10 * 60,
  };
  const engine = createEnrolmentEngine(env.client, config, PROGRAM, env.logger, { clock: env.clock });
  const out = new MemoryOut();
  const input: AirbyteMessage[] = [];
  audience.forEach((n, i) => {
    input.push(record({ email: emailOf(n) }));
    if ((i + 1) % stateEvery === 0 || i + 1 === audience.length) input.push(streamState(i + 1));
  });
  const pipeline = new WritePipeline({
    config,
    streams: [{ name: 'audience', programId: PROGRAM, dataActivation: false }],
    resolver: new MemoryResolver(
      audience.map((n) => ({ contactId: contactIdOf(n), status: 'subscribed', email: emailOf(n) })),
    ),
    engines: new Map([[PROGRAM, engine]]),
    out,
    logger: env.logger,
    rejections: createRejectionSink(config),
    clock: env.clock,
    tuning: options.tuning,
  });
  async function* lines() {
    for (let i = 0; i < input.length; i += 10) {
      yield input.slice(i, i + 10).map((message) => ({ message, size: options.lineSize ?? 0 }));
    }
  }
  const summary = await pipeline.run(lines());
  await engine.finish();
  return { env, out, summary };
}

describe('list batches', () => {
  it('while one staging list is at Dotdigital the next fills: 200 contacts go as 5 full lists of 40, one unit each', async () => {
    const audience = subscribedOrdinals(200);
    const { env, out, summary } = await listModeSync(audience, 10, {
      settings: { importProcessingMs: MINUTE, enrolmentProcessingMs: 2 * MINUTE },
      tuning: TUNING,
    });

    const calls = env.emulator.control.enrolmentCalls();
    expect(calls).toHaveLength(5);
    const counts = enrolmentCounts(env.emulator, PROGRAM);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(audience.map(contactIdOf));
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(summary.outcomes.enrolled).toBe(200);
    expect(out.messages.filter((m) => m.type === 'STATE')).toHaveLength(20);
  }, 60_000);

  it('a partial list behind two at Dotdigital waits for their room instead of going out part full', async () => {
    const audience = subscribedOrdinals(200);
    // Room for two lists and 10 records more: those 10 start the third list while the reader is blocked.
    const { env, summary } = await listModeSync(audience, 10, {
      settings: { importProcessingMs: MINUTE, enrolmentProcessingMs: 2 * MINUTE },
      tuning: { ...TUNING, window: 90 },
    });
    expect(env.emulator.control.enrolmentCalls()).toHaveLength(5);
    expect(enrolmentCounts(env.emulator, PROGRAM).size).toBe(200);
    expect(summary.outcomes.enrolled).toBe(200);
  }, 60_000);

  it('a window too small for one list still ends: the starved reader sends the partial list', async () => {
    const audience = subscribedOrdinals(30);
    // The window the tuning asks for cannot be smaller than two lists, so the byte budget is what
    // starves the reader here: every record counts as larger than a third of it.
    const { env, out, summary } = await listModeSync(audience, 30, {
      settings: { importProcessingMs: MINUTE, enrolmentProcessingMs: MINUTE },
      tuning: { ...TUNING, windowBytes: 3_000 },
      lineSize: 1_000,
    });
    expect(summary.outcomes.enrolled).toBe(30);
    expect(out.messages.filter((m) => m.type === 'STATE')).toHaveLength(1);
    expect(enrolmentCounts(env.emulator, PROGRAM).size).toBe(30);
  }, 60_000);
});
