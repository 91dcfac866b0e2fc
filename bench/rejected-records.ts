/**
 * Peak resident memory of the real `write` (a child process) when every record is rejected and the
 * rejected records stream to S3 (`object_storage_config`), against the emulator and a real S3-compatible
 * server (s3rver) on loopback. What was stored is read back and counted, so a figure is only reported for
 * a run that lost nothing. Goal: flat memory however many records are rejected.
 */
import { Readable } from 'node:stream';

import { startEmulator } from '../emulator/src/index.js';
import { startS3 } from '../test/support/s3-server.js';
import { accountConfig } from './account-config.js';
import { STREAM } from './audience.js';
import { runConnectorWrite, streamCatalog } from './cli-process.js';
import { table } from './report.js';

export interface RejectedRecordsRow {
  records: number;
  peakRssMb: number;
  seconds: number;
  recordsPerSecond: number;
  statesEchoed: number;
  objects: number;
  storedLines: number;
}

const MB = 1024 * 1024;
const STATE_EVERY = 10_000;

/** Records with no mapped identifier: each is rejected (missing_identifier) without an API call. */
function rejectedAudience(count: number): Readable {
  let n = 0;
  return new Readable({
    read() {
      let chunk = '';
      while (n < count && chunk.length < 65_536) {
        n++;
        chunk +=
          JSON.stringify({
            type: 'RECORD',
            record: {
              stream: STREAM,
              data: { customer_ref: `ref-${n}`, first_name: 'Alex', last_name: 'Example', plan: 'gold' },
              emitted_at: 1_700_000_000_000 + n,
            },
          }) + '\n';
        if (n % STATE_EVERY === 0 || n === count) {
          chunk +=
            JSON.stringify({
              type: 'STATE',
              state: {
                type: 'STREAM',
                stream: { stream_descriptor: { name: STREAM }, stream_state: { cursor: n } },
              },
            }) + '\n';
        }
      }
      this.push(chunk.length > 0 ? chunk : null);
    },
  });
}

export async function rejectedRecords(options: {
  quick: boolean;
  sizes?: number[];
}): Promise<RejectedRecordsRow[]> {
  const sizes = options.sizes ?? (options.quick ? [20_000, 100_000] : [100_000, 1_000_000]);
  const emulator = await startEmulator({ contacts: 10, settings: { rateLimitMode: 'off' } });
  const s3 = await startS3();
  const rows: RejectedRecordsRow[] = [];
  try {
    for (const records of sizes) {
      const bucketPath = `bench-${records}`;
      const outcome = await runConnectorWrite({
        config: accountConfig(emulator, {
          identifier_mapping: { email_field: 'email' },
          object_storage_config: s3.config({ bucket_path: bucketPath }),
        }),
        catalog: streamCatalog(STREAM),
        input: rejectedAudience(records),
      });
      if (outcome.exitCode !== 0) {
        throw new Error(
          `write of ${records} rejected records failed (exit ${outcome.exitCode}): ${outcome.errors.join('; ')}\n${outcome.logTail.join('\n')}\n${outcome.stderrTail}`,
        );
      }
      const keys = await s3.keys(`${bucketPath}/`);
      let storedLines = 0;
      for (const key of keys) storedLines += (await s3.read(key)).split('\n').length - 1;
      if (storedLines !== records) throw new Error(`stored ${storedLines} of ${records} rejected records`);
      rows.push({
        records,
        peakRssMb: Math.round((outcome.peakRssBytes / MB) * 10) / 10,
        seconds: Math.round(outcome.ms / 100) / 10,
        recordsPerSecond: Math.round(records / (outcome.ms / 1000)),
        statesEchoed: outcome.states,
        objects: keys.length,
        storedLines,
      });
      process.stderr.write(`rejected-records: ${records} → peak ${rows.at(-1)!.peakRssMb} MB\n`);
    }
  } finally {
    await s3.close();
    await emulator.stop();
  }
  return rows;
}

export function rejectedRecordsTable(rows: RejectedRecordsRow[]): string {
  return table(
    [
      'rejected records',
      'peak RSS MB',
      'seconds',
      'records/s',
      'states echoed',
      'objects',
      'lines read back',
    ],
    rows.map((r) => [
      r.records,
      r.peakRssMb,
      r.seconds,
      r.recordsPerSecond,
      r.statesEchoed,
      r.objects,
      r.storedLines,
    ]),
  );
}
