/**
 * Runs the built connector's `write` as a child process the way the platform does (config and catalog
 * files, records on stdin, messages on stdout) and measures its peak resident memory. The input is
 * generated as the child reads it, so the benchmark itself holds no more than a pipe's worth.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** dist/bench/cli-process.js → dist/src/main.js: the connector built beside this benchmark. */
export const CONNECTOR_MAIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.js',
);

const TIME = '/usr/bin/time';

export interface WriteOutcome {
  exitCode: number | null;
  ms: number;
  /** Peak resident set size of the connector process, in bytes (VmHWM / "Maximum resident set size"). */
  peakRssBytes: number;
  states: number;
  /** The last LOG line that starts with "Sync finished" or "Dry run finished". */
  summary: string | undefined;
  errors: string[];
  stderrTail: string;
  /** The last LOG lines, for the error message when a run fails or hangs. */
  logTail: string[];
}

export function streamCatalog(stream: string): unknown {
  return {
    streams: [
      {
        stream: { name: stream, json_schema: { type: 'object' }, supported_sync_modes: ['incremental'] },
        sync_mode: 'incremental',
        destination_sync_mode: 'append',
      },
    ],
  };
}

/** Reads VmHWM of a live process; the kernel keeps the peak, so polling cannot miss it between polls. */
function readPeakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function runConnectorWrite(options: {
  config: unknown;
  catalog: unknown;
  input: Readable;
  /** A run past this is killed and reported as failed (a hung sync must not hang the benchmark). */
  timeoutMs?: number;
}): Promise<WriteOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-write-'));
  const configPath = path.join(dir, 'config.json');
  const catalogPath = path.join(dir, 'catalog.json');
  writeFileSync(configPath, JSON.stringify(options.config));
  writeFileSync(catalogPath, JSON.stringify(options.catalog));
  // BENCH_CONNECTOR_NODE_FLAGS (e.g. --max-old-space-size=128) runs the connector as in a memory-limited
  // container, where Node sizes its heap from the limit; the emulator in this process keeps its own heap.
  const nodeFlags = (process.env.BENCH_CONNECTOR_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeFlags, CONNECTOR_MAIN, 'write', '--config', configPath, '--catalog', catalogPath];
  // GNU time reports the child's peak RSS after it exits; without it, VmHWM is polled.
  const useTime = existsSync(TIME);
  // Its own process group, so a timeout can stop the connector behind /usr/bin/time as well.
  const child = useTime
    ? spawn(TIME, ['-v', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const started = performance.now();
  let polledPeak = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        polledPeak = Math.max(polledPeak, readPeakRss(child.pid!) ?? 0);
      }, 100);

  let states = 0;
  let summary: string | undefined;
  const errors: string[] = [];
  const logTail: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('{"type":"STATE"')) {
        states++;
        continue;
      }
      const message = JSON.parse(line) as {
        type: string;
        log?: { message: string };
        trace?: { type: string; error?: { message: string } };
      };
      if (message.type === 'LOG') {
        if (/^(Sync|Dry run) finished/.test(message.log!.message)) summary = message.log!.message;
        logTail.push(message.log!.message.slice(0, 500));
        if (logTail.length > 20) logTail.shift();
      }
      if (message.type === 'TRACE' && message.trace?.type === 'ERROR')
        errors.push(message.trace.error!.message);
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });
  child.stdin.on('error', () => undefined);
  options.input.pipe(child.stdin);
  const timeout = setTimeout(
    () => {
      logTail.push(`killed by the benchmark after ${options.timeoutMs} ms`);
      child.kill('SIGKILL');
    },
    options.timeoutMs ?? 30 * 60_000,
  );
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timeout);
  const ms = performance.now() - started;
  if (poll) clearInterval(poll);
  rmSync(dir, { recursive: true, force: true });
  let peakRssBytes = polledPeak;
  if (useTime) {
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    peakRssBytes = match ? Number(match[1]) * 1024 : 0;
  }
  return { exitCode, ms, peakRssBytes, states, summary, errors, stderrTail: stderr.slice(-2000), logTail };
}
