/**
 * The built CLI against Dotdigital's less convenient answers: a look-up Dotdigital refuses rejects one record,
 * a wrong region in write says so, check against an unreachable base_url answers FAILED naming it, and
 * SIGTERM ends a write whose start-up calls are retrying.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, parseLines } from '../support/cli.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';
import {
  connectionStatus,
  emulatorConfig,
  FileBox,
  runChecked,
  SAMPLE_SECRETS,
} from '../contract/cli-env.js';
import {
  baseConfig,
  catalog,
  email,
  EMULATOR_OPTIONS,
  enrolmentCounts,
  files,
  globalState,
  rec,
  runWrite,
  contactId,
  type Message,
} from './write-harness.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('write reads refusals right', () => {
  it('rejects a record whose identifier Dotdigital refuses (400 contacts:invalidId) and enrols the rest', async () => {
    emu().control.updateSettings({ faults: { invalidLookupValues: [email(7)] } });
    const { dir } = files({}, {});
    const rejectedPath = path.join(dir, 'rejected.jsonl');
    const input: Message[] = [
      rec({ email: email(1) }),
      rec({ email: email(7) }),
      rec({ email: email(4) }),
      globalState(1),
    ];
    const run = await runWrite(emu(), input, {
      config: { rejected_records: { destination: 'local_file', path: rejectedPath }, resolution: 'lookup' },
    });
    expect(run.errors).toEqual([]);
    expect(run.states.map((s) => s.destinationStats)).toMatchObject([
      { recordCount: 2, rejectedRecordCount: 1 },
    ]);
    const rejected = readFileSync(rejectedPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Message);
    expect(rejected).toMatchObject([{ reason: 'invalid_email', record: { email: email(7) } }]);
    expect([...enrolmentCounts(emu(), 1002).keys()].sort()).toEqual([1, 4].map(contactId));
  });

  it('names the wrong region instead of the Programs permission', async () => {
    const run = await runWrite(emu(), [rec({ contact_id: contactId(1) }), globalState(1)], {
      config: { region: 'r1', base_url: emu().regionUrl('r1') },
    });
    expect(run.errors).toMatchObject([{ failure_type: 'config_error' }]);
    expect(run.errors[0]!.message).toContain('does not serve this account on the region');
    expect(run.errors[0]!.message).not.toContain('Programs permission');
  });
});

describe('stopping and reaching Dotdigital', () => {
  const box = new FileBox();
  afterAll(() => box.remove());

  it(
    'check against an unreachable base_url answers FAILED naming base_url',
    { timeout: 30_000 },
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const config = emulatorConfig(emu(), { region: 'r2', base_url: url });
      const result = await runChecked(['check', '--config', box.json(config)], SAMPLE_SECRETS);
      expect(result.code).toBe(0);
      const status = connectionStatus(result);
      expect(status.status).toBe('FAILED');
      expect(status.message).toContain(url);
      expect(status.message).toContain('base_url');
    },
  );

  it(
    'write stops on SIGTERM while its start-up call is retrying, with a transient error',
    { timeout: 20_000 },
    async () => {
      let requests = 0;
      let secondRequest!: () => void;
      const retrying = new Promise<void>((resolve) => (secondRequest = resolve));
      const server = http.createServer((_request, response) => {
        if (++requests === 2) secondRequest();
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"message":"Error: ERROR_SYSTEM_SERVICETEMPORARILYUNAVAILABLE"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      try {
        const { args } = files(
          baseConfig(emu(), { region: 'r2', base_url: `http://127.0.0.1:${port}` }),
          catalog(),
        );
        const child = spawn(process.execPath, [cliPath(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.resume();
        const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
        await retrying;
        child.kill('SIGTERM');
        expect(await exited).toBe(1);
        const trace = parseLines(stdout).find((m) => m.type === 'TRACE') as {
          trace: { error: Record<string, string> };
        };
        expect(trace.trace.error.failure_type).toBe('transient_error');
        expect(trace.trace.error.message).toContain('stop signal');
        child.stdin.destroy();
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  );
});
