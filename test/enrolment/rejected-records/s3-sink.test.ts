import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseObjectStorage, type S3ObjectStorage } from '../../../src/config/object-storage.js';
import { ConfigError } from '../../../src/protocol/errors.js';
import { createS3Client, probeObjectStorage } from '../../../src/enrolment/rejected-records/s3-client.js';
import { S3RejectionSink } from '../../../src/enrolment/rejected-records/s3-sink.js';
import type { RejectedRecord } from '../../../src/enrolment/rejections.js';
import { startS3, type RunningS3 } from '../../support/s3-server.js';

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

const storage = (overrides: Record<string, unknown> = {}): S3ObjectStorage =>
  parseObjectStorage(s3.config(overrides)) as S3ObjectStorage;

function rejected(n: number, stream = 'audience'): RejectedRecord {
  return {
    record: { email: `bad${n}`, padding: 'x'.repeat(200) },
    stream: { name: stream },
    reason: 'invalid_email',
    message: 'The email address is not a plausible address.',
    emittedAt: 1_700_000_000_000 + n,
  };
}

function sink(prefix: string, config = storage()): S3RejectionSink {
  return new S3RejectionSink({
    client: createS3Client(config),
    storage: config,
    prefix,
    syncId: 77,
    generationIds: new Map([['audience', 3]]),
  });
}

describe('S3 rejected-records sink (against a real S3-compatible server)', () => {
  it('stores nothing readable until flush, then every record in the CDK line layout', async () => {
    const out = sink('unit/77/0');
    for (let n = 0; n < 50; n++) out.add(rejected(n));
    expect(out.flushNow()).toBe(false);
    expect(await s3.keys('unit/77/0/')).toEqual([]);
    await out.flush();
    expect(out.flushNow()).toBe(true);
    const keys = await s3.keys('unit/77/0/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^unit\/77\/0\/audience\/\d{4}_\d{2}_\d{2}_\d{13}_0\.jsonl$/);
    const lines = (await s3.read(keys[0]!))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(50);
    expect(lines[7]).toEqual({
      _airbyte_raw_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      _airbyte_extracted_at: 1_700_000_000_007,
      _airbyte_meta: {
        sync_id: 77,
        changes: [],
        rejection: { reason: 'invalid_email', message: 'The email address is not a plausible address.' },
      },
      _airbyte_generation_id: 3,
      _airbyte_data: { email: 'bad7', padding: 'x'.repeat(200) },
    });
    await out.close();
  });

  it('streams more than one part (a multipart upload) and starts a new object after each flush', async () => {
    const out = sink('multi/1/0');
    // ~250 bytes a line: 30,000 lines is about 7.5 MB, more than one 5 MiB part.
    for (let n = 0; n < 30_000; n++) {
      out.add(rejected(n));
      const wait = out.backpressure();
      if (wait) await wait;
    }
    await out.flush();
    out.add(rejected(30_000, 'other'));
    await out.flush();
    const keys = await s3.keys('multi/1/0/');
    expect(keys).toHaveLength(2);
    const first = (await s3.read(keys.find((k) => k.includes('/audience/'))!)).trim().split('\n');
    expect(first).toHaveLength(30_000);
    expect(JSON.parse(first[29_999]!)._airbyte_data.email).toBe('bad29999');
    expect(keys.find((k) => k.includes('/other/'))).toBeDefined();
    await out.close();
  });

  it('fails flush with a config error naming the bucket when it does not exist', async () => {
    const out = sink('missing/1/0', storage({ s3_bucket_name: 'no-such-bucket' }));
    out.add(rejected(1));
    const failure = await out.flush().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain('object_storage_config.s3_bucket_name');
    expect(out.flushNow()).toBe(false);
    await expect(out.close()).rejects.toBeInstanceOf(ConfigError);
  });

  it('probes by writing and deleting a test object', async () => {
    const message = await probeObjectStorage(storage(), 'probe/1/0');
    expect(message).toContain(`s3://${s3.bucket}/probe/1/0`);
    expect(await s3.keys('probe/')).toEqual([]);
    await expect(probeObjectStorage(storage({ secret_access_key: 'wrong' }), 'p')).rejects.toThrow(
      /object_storage_config\.secret_access_key/,
    );
    await expect(probeObjectStorage(storage({ access_key_id: 'NOBODY' }), 'p')).rejects.toThrow(
      /object_storage_config\.access_key_id/,
    );
  });
});
