/**
 * Runs the benchmarks (not part of the tests): `node <dist>/bench/run.js [throughput|memory|memory-ids|e2e|modes|rejected-records|realistic]
 * [--json FILE] [--quick]`. Without a name all of them run, one after another. --quick shrinks the sizes for
 * a smoke run; the README's figures come from full runs.
 */
import { parseArgs } from 'node:util';

import { e2e, e2eTable } from './e2e.js';
import { memoryIds, memoryIdsTable } from './memory-ids.js';
import { memory, memoryTable } from './memory.js';
import { modes, modesTable } from './modes.js';
import { realisticReport } from './realistic-report.js';
import { rejectedRecords, rejectedRecordsTable } from './rejected-records.js';
import { formatMachine, machine, writeJson } from './report.js';
import { throughput, throughputTable } from './throughput.js';

const BENCHMARKS = [
  'throughput',
  'memory',
  'memory-ids',
  'e2e',
  'modes',
  'rejected-records',
  'realistic',
] as const;
type Benchmark = (typeof BENCHMARKS)[number];

async function runOne(name: Benchmark, quick: boolean): Promise<{ table: string; results: unknown }> {
  switch (name) {
    case 'throughput': {
      const rows = await throughput({ quick });
      return { table: throughputTable(rows), results: rows };
    }
    case 'memory': {
      const result = await memory({ quick });
      return { table: memoryTable(result), results: result };
    }
    case 'memory-ids': {
      const result = await memoryIds({ quick });
      return { table: memoryIdsTable(result), results: result };
    }
    case 'e2e': {
      const rows = await e2e({ quick });
      return { table: e2eTable(rows), results: rows };
    }
    case 'modes': {
      const result = await modes({ quick });
      return { table: modesTable(result), results: result };
    }
    case 'rejected-records': {
      const rows = await rejectedRecords({ quick });
      return { table: rejectedRecordsTable(rows), results: rows };
    }
    case 'realistic':
      return realisticReport({ quick });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'string' }, quick: { type: 'boolean', default: false } },
  });
  const unknown = positionals.filter((p) => !(BENCHMARKS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const names = positionals.length > 0 ? (positionals as Benchmark[]) : [...BENCHMARKS];
  process.stdout.write(`machine: ${formatMachine(machine())}\n`);
  const all: Record<string, unknown> = {};
  for (const name of names) {
    process.stdout.write(`\n## ${name}${values.quick ? ' (quick)' : ''}\n\n`);
    const { table, results } = await runOne(name, values.quick ?? false);
    process.stdout.write(`${table}\n`);
    all[name] = results;
  }
  if (values.json !== undefined) writeJson(values.json, names.join('+'), { quick: values.quick, ...all });
}

await main();
