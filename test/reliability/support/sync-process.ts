/**
 * One attempt of a sync as the platform runs it: the built CLI (test/support/cli.ts honours
 * CONNECTOR_DIST) with config and catalog files, records written to its stdin, messages read from its
 * stdout. The test decides when to feed, pause, end, signal or kill it; every attempt's whole output is
 * checked for the password when it ends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import { cliPath, parseLines } from '../../support/cli.js';
import { STREAM, toLines, type Message } from './audience.js';
import { baseConfig, catalog } from '../../cli/write-harness.js';
import { basicToken, PASSWORD, SECRETS } from './emulator.js';

/** The write tests' config (test/cli/write-harness.ts), with the reliability account's password. */
export function syncConfig(
  emu: RunningEmulator,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return baseConfig(emu, { api_password: PASSWORD, ...overrides });
}

export function streamCatalog(streams = [STREAM]): unknown {
  return catalog(streams.map((name) => ({ name })));
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SyncProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly dir: string;
  stdout = '';
  stderr = '';
  /** Highest VmHWM seen while the process ran, in bytes. */
  peakRssBytes = 0;
  readonly ended: Promise<Ended>;
  private readonly poll: NodeJS.Timeout;
  private readonly secrets: string[];
  private readonly rejectedPath: string | undefined;

  constructor(
    config: Record<string, unknown>,
    options: { catalog?: unknown; rejectedRecordsFile?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'reliability-'));
    const catalog = options.catalog ?? streamCatalog();
    this.rejectedPath = options.rejectedRecordsFile;
    writeFileSync(path.join(this.dir, 'config.json'), JSON.stringify(config));
    writeFileSync(path.join(this.dir, 'catalog.json'), JSON.stringify(catalog));
    this.secrets = [...SECRETS, basicToken(String(config.api_user))];
    this.child = spawn(
      process.execPath,
      [
        cliPath(),
        'write',
        '--config',
        path.join(this.dir, 'config.json'),
        '--catalog',
        path.join(this.dir, 'catalog.json'),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
    );
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.stdin.on('error', () => undefined);
    this.poll = setInterval(() => this.samplePeak(), 25);
    this.ended = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        clearInterval(this.poll);
        resolve({ code, signal });
      }),
    );
  }

  /** Writes messages; resolves once the child has taken them (stdin backpressure) or has ended. */
  send(messages: Message[] | string): Promise<void> {
    const text = typeof messages === 'string' ? messages : toLines(messages);
    return new Promise((resolve) => {
      if (this.child.stdin.write(text)) return resolve();
      this.child.stdin.once('drain', resolve);
      // A process that has ended never drains: the test then sees how it ended instead of timing out.
      void this.ended.then(() => resolve());
    });
  }

  end(): void {
    this.child.stdin.end();
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  /** Whole lines only: a kill can cut the last one short, and a cut line was never printed. */
  messages(): Message[] {
    return parseLines(this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1)) as Message[];
  }

  states(): Message[] {
    return this.messages()
      .filter((m) => m.type === 'STATE')
      .map((m) => m.state);
  }

  errors(): Message[] {
    return this.messages()
      .filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')
      .map((m) => m.trace.error);
  }

  logs(): string[] {
    return this.messages()
      .filter((m) => m.type === 'LOG')
      .map((m) => String(m.log.message));
  }

  /** The secrets this attempt could leak, found anywhere in what it printed (empty when none). */
  leakedSecrets(): string[] {
    const output = this.stdout + '\n' + this.stderr;
    return this.secrets.filter((secret) => output.includes(secret));
  }

  /** Rows of the attempt's rejected-records file (none without one). */
  rejectedRecords(): { record: Record<string, unknown>; reason: string }[] {
    if (this.rejectedPath === undefined) return [];
    let text: string;
    try {
      text = readFileSync(this.rejectedPath, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { record: Record<string, unknown>; reason: string });
  }

  private samplePeak(): void {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) this.peakRssBytes = Math.max(this.peakRssBytes, Number(match[1]) * 1024);
    } catch {
      // Already gone; the last sample stands.
    }
  }
}

/** Starts an attempt whose rejected records go to the attempt's own file. */
export function startSync(
  emu: RunningEmulator,
  overrides: Record<string, unknown> = {},
  catalog?: unknown,
  env?: NodeJS.ProcessEnv,
): SyncProcess {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'reliability-rejected-')), 'rejected.jsonl');
  return new SyncProcess(
    syncConfig(emu, { rejected_records: { destination: 'local_file', path: file }, ...overrides }),
    { catalog, rejectedRecordsFile: file, env },
  );
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
