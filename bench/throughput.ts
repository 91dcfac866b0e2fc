/**
 * Pipeline throughput without network: the real WritePipeline in dry_run, fed from the real protocol
 * reader (readMessageBatches, as the write command feeds it), with an in-memory resolver (bench/in-memory-account.ts), against a bare JSON.parse loop over
 * the same bytes in the same process. The ratio is what the goal is stated in (≥ 50% for email
 * and contact-ID audiences), and it cancels out most of the machine's speed.
 */
import { Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pino } from 'pino';

import { parseConfig } from '../src/config/parse.js';
import { WritePipeline } from '../src/enrolment/pipeline/write-pipeline.js';
import type { RejectionSink } from '../src/enrolment/rejections.js';
import { DiscardingSink } from '../src/enrolment/rejected-records/sink.js';
import { readMessageBatches } from '../src/protocol/reader.js';
import { AUDIENCE_KINDS, audienceBuffer, chunked, STREAM, type AudienceKind } from './audience.js';
import { dryRunEngine, patternResolver } from './in-memory-account.js';
import { table } from './report.js';

export interface ThroughputRow {
  audience: AudienceKind;
  records: number;
  inputMb: number;
  /** Records per second of the bare parse loop (best of the runs around the pipeline's). */
  bareRecordsPerSecond: number;
  pipelineRecordsPerSecond: number;
  /** pipeline / bare */
  ratio: number;
  goal: string;
  met: boolean | null;
  /** Records the pipeline said it would enrol: proves it did the whole job, not a short cut. */
  wouldEnrol: number;
}

const PROGRAM_ID = 1002;

const config = parseConfig({
  api_user: 'bench@apiconnector.com',
  api_password: 'not-used-by-this-benchmark',
  region: 'r1',
  program_id: PROGRAM_ID,
  identifier_mapping: { contact_id_field: 'contact_id', email_field: 'email', mobile_number_field: 'mobile' },
  default_country: 'GB',
  dry_run: true,
});

const discardRejections: RejectionSink = new DiscardingSink();

/** What a destination must do at the very least: split the input into lines and parse each. */
function bareParse(input: Buffer): { ms: number; lines: number } {
  const started = performance.now();
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lines = 0;
  for (let i = 0; i < input.length; i += 65_536) {
    const text = partial + decoder.write(input.subarray(i, i + 65_536));
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (newline > start) {
        JSON.parse(text.slice(start, newline));
        lines++;
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    partial = text.slice(start);
  }
  return { ms: performance.now() - started, lines };
}

/** The real pipeline in dry_run over an audience (any of the generators' streams), timed. */
export async function dryRunPipeline(source: Readable): Promise<{ ms: number; wouldEnrol: number }> {
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    }),
  );
  const run = new WritePipeline({
    config,
    streams: [{ name: STREAM, programId: PROGRAM_ID, dataActivation: false }],
    resolver: patternResolver(),
    engines: new Map([[PROGRAM_ID, dryRunEngine()]]),
    out: { write: () => true, waitForDrain: () => Promise.resolve() },
    logger,
    rejections: discardRejections,
  });
  const started = performance.now();
  const summary = await run.run(readMessageBatches(source));
  const ms = performance.now() - started;
  return { ms, wouldEnrol: summary.outcomes.would_enrol };
}

export async function throughput(options: { quick: boolean }): Promise<ThroughputRow[]> {
  const records = options.quick ? 100_000 : 1_000_000;
  const rows: ThroughputRow[] = [];
  for (const kind of AUDIENCE_KINDS) {
    const input = audienceBuffer(kind, records, 10_000);
    // A short warm-up so neither contender pays for JIT compilation in its measured run.
    const warm = audienceBuffer(kind, 20_000, 10_000);
    bareParse(warm);
    await dryRunPipeline(chunked(warm));
    const before = bareParse(input);
    const measured = await dryRunPipeline(chunked(input));
    const after = bareParse(input);
    const bareMs = Math.min(before.ms, after.ms);
    // Both rates count records only; the state lines are parsed by both and cost both the same.
    const bareRate = records / (bareMs / 1000);
    const pipelineRate = records / (measured.ms / 1000);
    const ratio = pipelineRate / bareRate;
    const hasGoal = kind !== 'mobile';
    rows.push({
      audience: kind,
      records,
      inputMb: Math.round((input.length / 1024 / 1024) * 10) / 10,
      bareRecordsPerSecond: Math.round(bareRate),
      pipelineRecordsPerSecond: Math.round(pipelineRate),
      ratio: Math.round(ratio * 1000) / 1000,
      goal: hasGoal ? '≥ 50%' : 'none stated',
      met: hasGoal ? ratio >= 0.5 : null,
      wouldEnrol: measured.wouldEnrol,
    });
  }
  return rows;
}

export function throughputTable(rows: ThroughputRow[]): string {
  return table(
    [
      'audience',
      'records',
      'input MB',
      'bare JSON.parse rec/s',
      'pipeline rec/s',
      'ratio',
      'goal',
      'would enrol',
    ],
    rows.map((r) => [
      r.audience,
      r.records,
      r.inputMb,
      r.bareRecordsPerSecond,
      r.pipelineRecordsPerSecond,
      `${(r.ratio * 100).toFixed(1)}%`,
      r.met === null ? r.goal : `${r.goal} ${r.met ? 'met' : 'NOT met'}`,
      r.wouldEnrol,
    ]),
  );
}
