import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, parseLines } from '../support/cli.js';
import { startHungServer } from '../support/hung-server.js';
import { SAMPLE } from '../../emulator/src/index.js';
import { emulatorForFile, withEmulator } from '../support/emulator-lifecycle.js';
import {
  connectionStatus,
  emulatorConfig,
  FileBox,
  ofType,
  runChecked,
  traceError,
  SAMPLE_SECRETS,
} from '../contract/cli-env.js';

const emulator = emulatorForFile();
const files = new FileBox();

afterAll(() => files.remove());

async function check(config: unknown) {
  const result = await runChecked(['check', '--config', files.json(config)], SAMPLE_SECRETS);
  // Airbyte's convention: check answers SUCCEEDED or FAILED and exits 0 either way.
  expect(result.code).toBe(0);
  expect(ofType(result, 'TRACE')).toEqual([]);
  return connectionStatus(result);
}

describe('check', () => {
  it('succeeds for an Active program, after finding the region through account-info', async () => {
    const status = await check(emulatorConfig(emulator(), { program_id: 1001 }));
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toContain('program 1001 "Welcome journey" is Active');
    expect(status.message).toContain(emulator().regionUrl('r2'));
  });

  it('succeeds without a program and says which Active programs to pick', async () => {
    const status = await check(emulatorConfig(emulator()));
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toContain('1001 "Welcome journey"');
    expect(status.message).toContain('1002');
    expect(status.message).not.toContain('1003');
  });

  it('succeeds with the region set by hand', async () => {
    const status = await check(
      emulatorConfig(emulator(), { region: 'r2', base_url: emulator().regionUrl('r2') }),
    );
    expect(status.status).toBe('SUCCEEDED');
  });

  it('fails on a bad config, naming the field and what to put there', async () => {
    const status = await check(emulatorConfig(emulator(), { region: 'europe', program_id: 'abc' }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('"region" must be one of auto, r1, r2, r3');
    expect(status.message).toContain('"program_id" must be a whole number');
  });

  it('fails on a missing password', async () => {
    const { api_password: _removed, ...config } = emulatorConfig(emulator());
    const status = await check(config);
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('"api_password" is missing');
  });

  it('fails on a plain-http base URL that is not loopback', async () => {
    const status = await check(
      emulatorConfig(emulator(), { base_url: 'http://dotdigital-proxy.example.com' }),
    );
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('"base_url"');
    expect(status.message).toContain('plain http only for localhost');
  });

  it('fails on an empty identifier mapping', async () => {
    const status = await check(emulatorConfig(emulator(), { identifier_mapping: {} }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('"identifier_mapping" sets none of the three identifier fields');
  });

  it('fails when the config file is missing or not JSON, naming the file', async () => {
    const missing = await runChecked(['check', '--config', `${files.dir}/nope.json`], SAMPLE_SECRETS);
    expect(missing.code).toBe(0);
    expect(connectionStatus(missing)).toMatchObject({ status: 'FAILED' });
    expect(connectionStatus(missing).message).toContain(`${files.dir}/nope.json`);

    const broken = await runChecked(
      ['check', '--config', files.json(`{"api_password": "${SAMPLE.password}",`)],
      SAMPLE_SECRETS,
    );
    expect(connectionStatus(broken).status).toBe('FAILED');
    expect(connectionStatus(broken).message).toContain('is not valid JSON');
  });

  it('fails with an actionable message when the password is wrong', async () => {
    const status = await check(emulatorConfig(emulator(), { api_password: 'Wr0ng-Password!' }));
    expect(status).toEqual({
      status: 'FAILED',
      message:
        "The API user's password was rejected by Dotdigital (401). Check the API user and password in Dotdigital " +
        'under Settings > Access > API users.',
    });
  });

  it('fails when the API user lacks the Programs permission', async () => {
    const status = await check(
      emulatorConfig(emulator(), {
        api_user: SAMPLE.noProgramsApiUser,
        api_password: SAMPLE.noProgramsPassword,
      }),
    );
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('Programs permission');
    expect(status.message).not.toContain('region is set by hand');
  });

  it('fails when the region set by hand is not the account region', async () => {
    const status = await check(
      emulatorConfig(emulator(), { region: 'r1', base_url: emulator().regionUrl('r1') }),
    );
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('(403)');
    expect(status.message).toContain('region is set by hand');
  });

  it('fails when the program does not exist', async () => {
    const status = await check(emulatorConfig(emulator(), { program_id: 4242 }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('Program 4242 does not exist');
    expect(status.message).toContain('discover');
  });

  it.each([
    [1003, 'is a Draft', 'Activate it in the program builder'],
    [1004, 'is Deactivated', 'Reactivate it'],
    [1005, 'is read-only (ReadOnly)', 'Pick an Active program'],
  ])('fails for program %i, which is not Active, saying how to fix it', async (programId, problem, fix) => {
    const status = await check(emulatorConfig(emulator(), { program_id: programId }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain(`Program ${programId}`);
    expect(status.message).toContain(problem);
    expect(status.message).toContain(fix);
  });

  it('fails when account-info names an endpoint that is not Dotdigital', async () => {
    await withEmulator(
      async (rogue) => {
        const status = await check(emulatorConfig(rogue));
        expect(status.status).toBe('FAILED');
        expect(status.message).toContain('not a Dotdigital regional endpoint');
        // The credentials went to account-info only, never to the untrusted endpoint's programs.
        const paths = rogue.control.requests().map((request) => request.path);
        expect(paths.some((p) => p.includes('account-info'))).toBe(true);
        expect(paths.some((p) => p.includes('/v2/programs'))).toBe(false);
      },
      { publicOrigin: 'https://dotdigital.attacker.example' },
    );
  });

  it('fails when the account has no Active program', async () => {
    await withEmulator(async (quiet) => {
      quiet.control.updateProgram(1001, { status: 'Draft' });
      quiet.control.updateProgram(1002, { status: 'Deactivated' });
      const status = await check(emulatorConfig(quiet));
      expect(status.status).toBe('FAILED');
      expect(status.message).toContain('no Active program');
    });
  });

  it('reports a Dotdigital that will not serve for now as a transient TRACE error, not as FAILED', async () => {
    // Rate limited for a day: more than the client's retry budget, so it gives up at once.
    const server = http.createServer((_request, response) => {
      response.writeHead(429, { 'Retry-After': '86400', 'Content-Type': 'application/json' });
      response.end('{"message":"Error: ERROR_RATE_LIMITED"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const config = emulatorConfig(emulator(), { region: 'r2', base_url: `http://127.0.0.1:${port}` });
      const result = await runChecked(['check', '--config', files.json(config)], SAMPLE_SECRETS);
      expect(result.code).toBe(1);
      expect(ofType(result, 'CONNECTION_STATUS')).toEqual([]);
      expect(traceError(result).failure_type).toBe('transient_error');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('warns about config fields it does not know, naming them', async () => {
    const result = await runChecked(
      ['check', '--config', files.json(emulatorConfig(emulator(), { program_id: 1001, dryrun: true }))],
      SAMPLE_SECRETS,
    );
    expect(connectionStatus(result).status).toBe('SUCCEEDED');
    const warnings = ofType(result, 'LOG').filter((m) => (m.log as { level: string }).level === 'WARN');
    expect(JSON.stringify(warnings)).toContain('ignored: dryrun');
  });

  it('stops on SIGTERM while waiting on Dotdigital, with a transient TRACE error', async () => {
    // The signal is sent once the call to the hung server is under way.
    const hung = await startHungServer();
    try {
      const config = files.json(emulatorConfig(emulator(), { region: 'r2', base_url: hung.url }));
      const child = spawn(process.execPath, [cliPath(), 'check', '--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await hung.firstConnection;
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      const messages = parseLines(stdout);
      const trace = messages.find((m) => m.type === 'TRACE') as { trace: { error: Record<string, string> } };
      expect(trace.trace.error.failure_type).toBe('transient_error');
      expect(trace.trace.error.message).toContain('stopped before it finished');
    } finally {
      await hung.close();
    }
  });

  it('never prints the password or its Basic token, even with trace logging', async () => {
    const basicToken = Buffer.from(`${SAMPLE.apiUser}:${SAMPLE.password}`).toString('base64');
    const result = await runChecked(
      ['check', '--config', files.json(emulatorConfig(emulator(), { program_id: 1001 }))],
      [...SAMPLE_SECRETS, basicToken],
      { env: { LOG_LEVEL: 'trace' } },
    );
    expect(connectionStatus(result).status).toBe('SUCCEEDED');
    // Trace logging really was on, so the absence of SAMPLE_SECRETS above means something.
    expect(ofType(result, 'LOG').some((m) => (m.log as { level: string }).level === 'DEBUG')).toBe(true);
  });
});
