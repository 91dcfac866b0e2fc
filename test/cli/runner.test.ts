import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runConnector } from '../../src/cli/runner.js';
import { expectValidAirbyteMessages } from '../contract/airbyte-schema.js';
import { startHungServer } from '../support/hung-server.js';

interface Message {
  type: string;
  trace?: { error: { failure_type: string; message: string } };
}

async function run(argv: string[], signal?: AbortSignal) {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await runConnector({
    argv,
    stdin: Readable.from([]),
    stdout,
    env: {},
    ...(signal ? { signal } : {}),
  });
  const messages = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Message);
  expectValidAirbyteMessages(messages);
  return { code, messages };
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('runConnector', () => {
  it('runs spec in-process and ends the output stream', async () => {
    const { code, messages } = await run(['spec']);
    expect(code).toBe(0);
    expect(messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it('exits 2 on a usage error', async () => {
    const { code, messages } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(messages.at(-1)!.trace!.error.failure_type).toBe('config_error');
  });

  it('honours LOG_LEVEL for the logs it prints', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await runConnector({ argv: ['--help'], stdin: Readable.from([]), stdout, env: { LOG_LEVEL: 'error' } });
    expect(text).toBe('');
  });

  it('stops a command that is waiting on Dotdigital when the stop signal comes, with a transient error', async () => {
    const hung = await startHungServer();
    cleanups.push(() => hung.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-runner-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configFile = path.join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        api_user: 'u',
        api_password: 'hung-secret',
        region: 'r2',
        base_url: hung.url,
      }),
    );

    const controller = new AbortController();
    void hung.firstConnection.then(() => controller.abort(new Error('received SIGTERM')));
    const { code, messages } = await run(['check', '--config', configFile], controller.signal);

    expect(code).toBe(1);
    const error = messages.at(-1)!.trace!.error;
    expect(error.failure_type).toBe('transient_error');
    expect(error.message).toContain('The check command was stopped before it finished');
    expect(JSON.stringify(messages)).not.toContain('hung-secret');
  });
});
