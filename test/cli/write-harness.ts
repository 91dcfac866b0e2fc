/**
 * Shared set-up of the write end-to-end tests: an in-process emulator, config and catalog files, and
 * the built CLI spawned as an orchestrator would (see test/support/cli.ts for CONNECTOR_DIST).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EmulatorOptions, RunningEmulator } from '../../emulator/src/index.js';
import { emulatorConfig } from '../contract/cli-env.js';
import { cliPath, parseLines, runCli, type CliResult } from '../support/cli.js';

export type Message = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Sample-account contact n (id 100000 + n); see emulator/README.md for the patterns on n. */
export const contactId = (n: number): number => 100_000 + n;
export const email = (n: number): string => `user${n}@example.com`;
export const mobile = (n: number): string => `44795${String(n).padStart(7, '0')}`;

/** Sample contacts that are subscribed and carry both an email and a mobile number. */
export function reachable(count: number, from = 1): number[] {
  const out: number[] = [];
  for (let n = from; out.length < count; n++) {
    const r = n % 100;
    if (n % 10 === 3 || n % 10 === 7 || n % 50 === 13 || n % 50 === 17) continue;
    if ([11, 21, 31, 41, 51, 61, 77].includes(r)) continue;
    out.push(n);
  }
  return out;
}

/** Emulated time 100× real: five emulated minutes of processing pass in three real seconds. */
export const EMULATOR_OPTIONS: EmulatorOptions = { timeScale: 100 };

export function baseConfig(
  emu: RunningEmulator,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return emulatorConfig(emu, {
    region: 'auto',
    program_id: 1002,
    identifier_mapping: {
      contact_id_field: 'contact_id',
      email_field: 'email',
      mobile_number_field: 'mobile',
    },
    default_country: 'GB',
    enrolment_mode: 'contacts',
    max_allowance_wait_minutes: 0,
    ...overrides,
  });
}

export function catalog(
  streams: {
    name?: string;
    namespace?: string;
    mode?: string;
    objectName?: string;
    primaryKey?: string[][];
  }[] = [{}],
) {
  return {
    streams: streams.map((s) => ({
      stream: {
        name: s.name ?? 'audience',
        ...(s.namespace ? { namespace: s.namespace } : {}),
        json_schema: { type: 'object' },
        supported_sync_modes: ['incremental'],
      },
      sync_mode: 'incremental',
      destination_sync_mode: s.mode ?? 'append',
      ...(s.objectName ? { destination_object_name: s.objectName } : {}),
      ...(s.primaryKey ? { primary_key: s.primaryKey } : {}),
    })),
  };
}

export function files(config: unknown, configuredCatalog: unknown): { dir: string; args: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'write-e2e-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(configuredCatalog));
  return {
    dir,
    args: ['write', '--config', path.join(dir, 'config.json'), '--catalog', path.join(dir, 'catalog.json')],
  };
}

export const rec = (data: Record<string, unknown>, stream = 'audience', namespace?: string): Message => ({
  type: 'RECORD',
  record: { stream, ...(namespace ? { namespace } : {}), data, emitted_at: 1_700_000_000_000 },
});

export const streamState = (cursor: number, stream = 'audience', namespace?: string): Message => ({
  type: 'STATE',
  state: {
    type: 'STREAM',
    stream: {
      stream_descriptor: { name: stream, ...(namespace ? { namespace } : {}) },
      stream_state: { cursor },
    },
    id: cursor,
    sourceStats: { recordCount: 1 },
  },
});

export const globalState = (cursor: number): Message => ({
  type: 'STATE',
  state: { type: 'GLOBAL', global: { shared_state: { cursor }, stream_states: [] }, id: cursor },
});

export const legacyState = (cursor: number): Message => ({
  type: 'STATE',
  state: { type: 'LEGACY', data: { cursor } },
});

/**
 * Contact-ID records for audience ordinals, with a STREAM state after every `stateEvery` records and,
 * with `finalState`, after the last one too.
 */
export function audienceInput(audience: number[], stateEvery: number, finalState = false): Message[] {
  const input: Message[] = [];
  audience.forEach((n, i) => {
    input.push(rec({ contact_id: contactId(n) }));
    const done = i + 1;
    if (done % stateEvery === 0 || (finalState && done === audience.length)) input.push(streamState(done));
  });
  return input;
}

/** The input an orchestrator replays after a failed attempt: everything after the last echoed state. */
export function replayAfter(input: Message[], states: Message[]): Message[] {
  const last = states.at(-1);
  if (!last) return input;
  return input.slice(input.findIndex((m) => m.type === 'STATE' && m.state.id === last.id) + 1);
}

export const lines = (messages: Message[]): string =>
  messages.map((m) => JSON.stringify(m)).join('\n') + '\n';

export interface WriteRun extends CliResult {
  states: Message[];
  logs: string[];
  errors: Message[];
}

function classify(result: CliResult): WriteRun {
  const messages = result.messages as Message[];
  return {
    ...result,
    states: messages.filter((m) => m.type === 'STATE').map((m) => m.state),
    logs: messages.filter((m) => m.type === 'LOG').map((m) => String(m.log.message)),
    errors: messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error),
  };
}

export async function runWrite(
  emu: RunningEmulator,
  input: Message[],
  options: { config?: Record<string, unknown>; catalog?: unknown; timeoutMs?: number } = {},
): Promise<WriteRun> {
  const { args } = files(baseConfig(emu, options.config), options.catalog ?? catalog());
  return classify(await runCli(args, { stdin: lines(input), timeoutMs: options.timeoutMs ?? 60_000 }));
}

/** A write run we can kill at a moment of the test's choosing; stdin stays open until end(). */
export class LiveWrite {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  readonly exited: Promise<number | null>;

  constructor(emu: RunningEmulator, options: { config?: Record<string, unknown>; catalog?: unknown } = {}) {
    const { args } = files(baseConfig(emu, options.config), options.catalog ?? catalog());
    this.child = spawn(process.execPath, [cliPath(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr.resume();
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  send(messages: Message[]): void {
    this.child.stdin.write(lines(messages));
  }

  end(): void {
    this.child.stdin.end();
  }

  states(): Message[] {
    // A kill can cut the last line short; only whole lines count as printed.
    const whole = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return (parseLines(whole) as Message[]).filter((m) => m.type === 'STATE').map((m) => m.state);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How many times each contact was enrolled into the program, according to the emulator. */
export function enrolmentCounts(emu: RunningEmulator, programId: number): Map<number, number> {
  return new Map(emu.control.enrolmentState(programId).contacts.map((c) => [c.contactId, c.count]));
}
