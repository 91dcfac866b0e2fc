import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAMPLE, type RunningEmulator } from '../../emulator/src/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { expectValidAirbyteMessages } from './airbyte-schema.js';

/** A scratch folder for the config and catalog files a CLI run reads. */
export class FileBox {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'dd-protocol-'));
  private count = 0;

  json(value: unknown, name = `file-${(this.count += 1)}.json`): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The sample account's passwords and a wrong one the tests try: none may ever appear in the output. */
export const SAMPLE_SECRETS = [SAMPLE.password, SAMPLE.noProgramsPassword, 'Wr0ng-Password!'];

/** A config for the emulator's sample account; region auto, so region discovery runs. */
export function emulatorConfig(
  emulator: RunningEmulator,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    api_user: emulator.sample.apiUser,
    api_password: emulator.sample.password,
    base_url: emulator.url,
    ...overrides,
  };
}

/**
 * Runs the built CLI and checks what every run must satisfy: each stdout line is a valid AirbyteMessage,
 * stderr is empty, and no secret appears anywhere in the output.
 */
export async function runChecked(
  args: string[],
  secrets: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const result = await runCli(args, options);
  expectValidAirbyteMessages(result.messages);
  for (const secret of secrets) {
    if (result.stdout.includes(secret) || result.stderr.includes(secret)) {
      throw new Error(`a secret appeared in the output of ${args.join(' ')}`);
    }
  }
  if (result.stderr.trim() !== '')
    throw new Error(`unexpected stderr from ${args.join(' ')}: ${result.stderr}`);
  return result;
}

export type Message = Record<string, unknown>;

export function ofType(result: CliResult, type: string): Message[] {
  return result.messages.filter((message) => message.type === type);
}

/** The single message of a type, failing when there is none or more than one. */
export function only(result: CliResult, type: string): Message {
  const found = ofType(result, type);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${type} message, got ${found.length}: ${result.stdout.slice(0, 2000)}`,
    );
  }
  return found[0]!;
}

export function connectionStatus(result: CliResult): { status: string; message?: string } {
  return only(result, 'CONNECTION_STATUS').connectionStatus as { status: string; message?: string };
}

export function traceError(result: CliResult): {
  message: string;
  internal_message?: string;
  failure_type?: string;
} {
  const trace = only(result, 'TRACE').trace as {
    type: string;
    error: { message: string; failure_type?: string };
  };
  if (trace.type !== 'ERROR') throw new Error(`expected a TRACE ERROR, got ${trace.type}`);
  return trace.error;
}
