import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { emulatorForEachTest } from '../support/emulator-lifecycle.js';
import { runCli } from '../support/cli.js';
import { startS3, type RunningS3 } from '../support/s3-server.js';
import {
  baseConfig,
  catalog,
  contactId,
  email,
  EMULATOR_OPTIONS,
  files,
  lines,
  reachable,
  rec,
  streamState,
  type Message,
} from './write-harness.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);
let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

/** The ids the platform gives every connector container (WorkerEnvConstants.kt). */
const PLATFORM_ENV = { WORKER_JOB_ID: '4242', WORKER_JOB_ATTEMPT: '1' };

async function storedLines(prefix: string): Promise<Message[]> {
  const stored: Message[] = [];
  for (const key of await s3.keys(prefix)) {
    for (const line of (await s3.read(key)).trim().split('\n')) stored.push(JSON.parse(line) as Message);
  }
  return stored;
}

async function runWithEnv(config: Record<string, unknown>, input: Message[], env = PLATFORM_ENV) {
  const { args } = files(baseConfig(emu(), config), catalog());
  const result = await runCli(args, { stdin: lines(input), env, timeoutMs: 60_000 });
  const messages = result.messages as Message[];
  return {
    ...result,
    states: messages.filter((m) => m.type === 'STATE').map((m) => m.state),
    errors: messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error),
  };
}

describe('write with object_storage_config S3 (built CLI, emulator, real S3-compatible server)', () => {
  it('stores every rejected record under <bucket_path>/<job>/<attempt>/ and counts exactly those', async () => {
    const input: Message[] = [];
    const good = reachable(10);
    for (let i = 0; i < 10; i++) {
      input.push(rec({ contact_id: contactId(good[i]!) }));
      input.push(rec({ email: `not-an-email-${i}` })); // invalid_email
      input.push(rec({ name: `no identifier ${i}` })); // missing_identifier
      if ((i + 1) % 5 === 0) input.push(streamState(i + 1));
    }
    input.push(rec({ email: email(900_000) })); // contact_not_found, after the last state
    const run = await runWithEnv(
      { object_storage_config: s3.config({ bucket_path: 'dlq/dotdigital/' }) },
      input,
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.states.map((s) => s.destinationStats.rejectedRecordCount)).toEqual([10, 10]);

    const keys = await s3.keys('dlq/dotdigital/');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(/^dlq\/dotdigital\/4242\/1\/audience\/\d{4}_\d{2}_\d{2}_\d{13}_\d+\.jsonl$/);
    }
    const stored = await storedLines('dlq/dotdigital/4242/1/');
    expect(stored).toHaveLength(21);
    const reasons = stored.map((line) => line._airbyte_meta.rejection.reason as string);
    expect(reasons.filter((r) => r === 'invalid_email')).toHaveLength(10);
    expect(reasons.filter((r) => r === 'missing_identifier')).toHaveLength(10);
    expect(reasons.filter((r) => r === 'contact_not_found')).toHaveLength(1);
    expect(stored.find((line) => line._airbyte_data.email === 'not-an-email-3')).toMatchObject({
      _airbyte_extracted_at: 1_700_000_000_000,
      _airbyte_meta: { sync_id: 4242, changes: [] },
      _airbyte_generation_id: 0,
    });
    // A retry (the next attempt) writes beside the first, not over it.
    const retry = await runWithEnv(
      { object_storage_config: s3.config({ bucket_path: 'dlq/dotdigital' }) },
      [rec({ name: 'again' }), streamState(99)],
      { WORKER_JOB_ID: '4242', WORKER_JOB_ATTEMPT: '2' },
    );
    expect(retry.states.map((s) => s.destinationStats.rejectedRecordCount)).toEqual([1]);
    expect(await storedLines('dlq/dotdigital/4242/2/')).toHaveLength(1);
    expect(await storedLines('dlq/dotdigital/4242/1/')).toHaveLength(21);
  });

  it('echoes no state whose rejected records could not be stored, and fails naming the bucket', async () => {
    const input: Message[] = [
      streamState(1), // nothing before it: true, and echoed
      rec({ name: 'no identifier' }),
      streamState(2), // its rejection cannot be stored: never echoed
    ];
    const run = await runWithEnv(
      { object_storage_config: s3.config({ s3_bucket_name: 'bucket-that-is-not-there' }) },
      input,
    );
    expect(run.code).not.toBe(0);
    expect(run.states.map((s) => s.stream.stream_state.cursor)).toEqual([1]);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0].failure_type).toBe('config_error');
    expect(run.errors[0].message).toContain('object_storage_config.s3_bucket_name');
  });

  it('keeps the secret key out of every output', async () => {
    const run = await runWithEnv(
      { object_storage_config: s3.config({ secret_access_key: 'Sup3rSecretValue/xyz' }) },
      [rec({ name: 'no identifier' }), streamState(1)],
    );
    expect(run.errors[0]?.message).toContain('object_storage_config.secret_access_key');
    expect(run.stdout).not.toContain('Sup3rSecretValue');
    expect(run.stderr).not.toContain('Sup3rSecretValue');
  });
});

describe('check with object_storage_config S3', () => {
  async function check(storage: Record<string, unknown>) {
    const { args } = files(baseConfig(emu(), { object_storage_config: storage }), catalog());
    args.splice(0, args.length, 'check', '--config', args[2]!);
    const result = await runCli(args, { env: PLATFORM_ENV });
    expect(result.code).toBe(0);
    const status = (result.messages as Message[]).find((m) => m.type === 'CONNECTION_STATUS')!;
    return status.connectionStatus as { status: string; message: string };
  }

  it('succeeds, leaving no test object behind', async () => {
    const status = await check(s3.config({ bucket_path: 'checked' }));
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toContain(`s3://${s3.bucket}/checked/4242/1`);
    expect(await s3.keys('checked/')).toEqual([]);
  });

  it('fails naming s3_endpoint when nothing answers there', async () => {
    const port = await closedPort();
    const status = await check(s3.config({ s3_endpoint: `http://127.0.0.1:${port}` }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('object_storage_config.s3_endpoint');
  });

  it('fails naming the field for a missing bucket or a wrong key', async () => {
    const bucket = await check(s3.config({ s3_bucket_name: 'bucket-that-is-not-there' }));
    expect(bucket.status).toBe('FAILED');
    expect(bucket.message).toContain('object_storage_config.s3_bucket_name');
    const key = await check(s3.config({ access_key_id: 'NOT-A-KEY' }));
    expect(key.status).toBe('FAILED');
    expect(key.message).toContain('object_storage_config.access_key_id');
  });

  it('fails naming role_arn, which this connector cannot assume', async () => {
    const status = await check(s3.config({ role_arn: 'arn:aws:iam::123456789:role/x' }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('object_storage_config.role_arn');
  });
});

/** A loopback port with nothing listening: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
