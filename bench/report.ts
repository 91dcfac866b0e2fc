/**
 * What every benchmark shares: the machine it ran on, a plain-text table for the terminal, and the JSON
 * file `--json` asks for. Figures without their machine are not comparable, so both travel together.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryMb: number;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage1m: number;
  date: string;
}

export function machine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // nproc missing: availableParallelism() says the same on Linux.
  }
  return {
    nproc,
    cpuModel,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    date: new Date().toISOString(),
  };
}

export type Cell = string | number | null | undefined;

function show(cell: Cell): string {
  if (cell === null || cell === undefined) return '–';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return String(cell);
    if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
    return cell.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  return cell;
}

/** A Markdown table, so the same text reads in a terminal and pastes into the README. */
export function table(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((row) => row.map(show));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join(
    '\n',
  );
}

export function writeJson(file: string, benchmark: string, results: unknown): void {
  writeFileSync(file, JSON.stringify({ benchmark, machine: machine(), results }, null, 2) + '\n');
}

export function formatMachine(m: Machine): string {
  return (
    `${m.nproc} CPUs (${m.cpuModel}), ${m.totalMemoryMb} MB RAM, Node ${m.node}, ${m.platform}, ` +
    `load average ${m.loadAverage1m} at start, ${m.date}`
  );
}
