/**
 * The one structure that grows with the audience, the set of contact IDs seen (duplicates), by how the
 * IDs are spread, in a child process per run so that each peak (the kernel's VmHWM) is its own. The
 * `memory` benchmark runs the whole CLI against the emulator, whose generated account numbers contacts
 * densely; this one shows what the set costs when an account's IDs are spread over a large shared range,
 * or scattered at random. The set alone, because the whole pipeline in one process at ~600k records/s
 * measures V8's old space warming up as well (it grows to a steady size over the first ~5M records).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ContactIdSet } from '../src/enrolment/pipeline/contact-id-set.js';
import { emulatorContactId } from './audience.js';
import { table } from './report.js';

/**
 * Contact IDs are positive 31-bit integers (the connector rejects larger ones). Multiplying by an odd
 * constant is a bijection modulo 2^31, so distinct ordinals give distinct IDs, scattered over the range.
 */
function scatter(n: number): number {
  return Math.imul(n, 0x9e3779b1) & 0x7fffffff || 0x7fffffff;
}

export const ID_PATTERNS = {
  /** An account's own contacts, numbered in sequence (the emulator's account). */
  dense: emulatorContactId,
  /** One ID in 400: an account among many in one ID space. 5,000,000 of them span 2 billion IDs. */
  spread: (n: number) => n * 400,
  /** Uniformly over the whole range: the worst case for any structure that exploits locality. */
  scattered: scatter,
} as const;
export type IdPattern = keyof typeof ID_PATTERNS;

export interface IdPatternRow {
  pattern: IdPattern;
  contacts: number;
  /** Peak RSS of the child minus its RSS before the first ID went in. */
  rssGrowthMb: number;
  /** What the set says it holds (slabs and bitmaps). */
  setMb: number;
  nsPerAdd: number;
}

export interface IdPatternResult {
  rows: IdPatternRow[];
  /** Per pattern: peak RSS growth between the two sizes, per distinct contact. */
  growthBytesPerContact: Partial<Record<IdPattern, number>>;
}

const MB = 1024 * 1024;
const childScript = fileURLToPath(import.meta.url);

function status(field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/self/status`);
  return Number(line.replace(/\D+/g, '')) * 1024;
}

/** In the child: one run, its figures as a JSON line on stdout. */
function child(pattern: IdPattern, contacts: number): void {
  const idOf = ID_PATTERNS[pattern];
  const before = status('VmRSS');
  const set = new ContactIdSet();
  const started = performance.now();
  for (let n = 1; n <= contacts; n++) set.add(idOf(n));
  const ms = performance.now() - started;
  if (set.size !== contacts) throw new Error(`expected ${contacts} distinct IDs, the set has ${set.size}`);
  const figures = { rssGrowthBytes: status('VmHWM') - before, setBytes: set.byteLength, ms };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function runChild(pattern: IdPattern, contacts: number): Promise<IdPatternRow> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [childScript, pattern, String(contacts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`memory-ids child (${pattern}, ${contacts}) exited with ${code}`));
      const result = JSON.parse(out) as { rssGrowthBytes: number; setBytes: number; ms: number };
      resolve({
        pattern,
        contacts,
        rssGrowthMb: Math.round((result.rssGrowthBytes / MB) * 10) / 10,
        setMb: Math.round((result.setBytes / MB) * 10) / 10,
        nsPerAdd: Math.round((result.ms * 1e6) / contacts),
      });
    });
  });
}

export async function memoryIds(options: { quick: boolean }): Promise<IdPatternResult> {
  const sizes = options.quick ? [200_000, 1_000_000] : [1_000_000, 5_000_000];
  const rows: IdPatternRow[] = [];
  const growthBytesPerContact: IdPatternResult['growthBytesPerContact'] = {};
  for (const pattern of Object.keys(ID_PATTERNS) as IdPattern[]) {
    const [small, large] = [await runChild(pattern, sizes[0]!), await runChild(pattern, sizes[1]!)];
    rows.push(small, large);
    const growth = ((large.rssGrowthMb - small.rssGrowthMb) * MB) / (large.contacts - small.contacts);
    growthBytesPerContact[pattern] = Math.round(growth * 100) / 100;
    process.stderr.write(`memory-ids: ${pattern} → +${small.rssGrowthMb} MB, +${large.rssGrowthMb} MB\n`);
  }
  return { rows, growthBytesPerContact };
}

export function memoryIdsTable(result: IdPatternResult): string {
  const rows = table(
    [
      'contact IDs',
      'distinct contacts',
      'peak RSS growth MB',
      'set holds MB',
      'bytes per contact',
      'ns per add',
    ],
    result.rows.map((r) => [
      r.pattern,
      r.contacts,
      r.rssGrowthMb,
      r.setMb,
      Math.round(((r.rssGrowthMb * MB) / r.contacts) * 100) / 100,
      r.nsPerAdd,
    ]),
  );
  const growth = Object.entries(result.growthBytesPerContact)
    .map(([pattern, bytes]) => `${pattern}: ${bytes} bytes per contact`)
    .join('; ');
  return `${rows}\n\npeak RSS growth per extra contact between the two sizes: ${growth}`;
}

if (process.argv[1] === childScript) {
  const [pattern, records] = process.argv.slice(2);
  if (!pattern || !(pattern in ID_PATTERNS)) throw new Error(`unknown ID pattern ${pattern}`);
  child(pattern as IdPattern, Number(records));
}
