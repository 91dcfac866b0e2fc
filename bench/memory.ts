/**
 * Peak resident memory of the real `write` (a child process) in dry_run for growing audiences of
 * distinct contacts, against the emulator with a generated account large enough that every record
 * resolves to a contact (so every one of them enters the sync's set of contacts taken). Goals from the
 * issue: ≤ 200 MB at 1,000,000 records; growth from 1,000,000 to 5,000,000 of at most 8 bytes per distinct
 * contact (the ContactIdSet's budget: everything else must stay flat).
 */
import { startEmulator } from '../emulator/src/index.js';
import { accountConfig } from './account-config.js';
import { audienceStream, STREAM } from './audience.js';
import { runConnectorWrite, streamCatalog, type WriteOutcome } from './cli-process.js';
import { table } from './report.js';

export interface MemoryRow {
  records: number;
  distinctContacts: number;
  peakRssMb: number;
  seconds: number;
  recordsPerSecond: number;
  exitCode: number | null;
  summary: string | undefined;
}

export interface MemoryResult {
  rows: MemoryRow[];
  /**
   * A real write in list mode (the default for large audiences), where records stay in flight while
   * their staging lists are imported and enrolled: the window then holds two lists, not 10,000 records.
   */
  listModeWrite: MemoryRow | null;
  /** Peak RSS growth between the two largest sizes, per extra distinct contact. */
  growthBytesPerContact: number | null;
  growthBetween: [number, number] | null;
  goals: { at1MUnder200Mb: boolean | null; growthAtMost8Bytes: boolean | null };
}

const MB = 1024 * 1024;

export async function memory(options: { quick: boolean; sizes?: number[] }): Promise<MemoryResult> {
  const sizes =
    options.sizes ?? (options.quick ? [20_000, 100_000, 200_000] : [100_000, 1_000_000, 5_000_000]);
  const largest = Math.max(...sizes);
  // The emulator lives in this process; rate limits off, because the figure is the connector's memory,
  // not how long an account's tier makes it wait.
  const emulator = await startEmulator({ contacts: largest, settings: { rateLimitMode: 'off' } });
  const rows: MemoryRow[] = [];
  try {
    for (const records of sizes) {
      const config = accountConfig(emulator, {
        identifier_mapping: { contact_id_field: 'contact_id' },
        // Look-ups cost one call per record whatever the account's size; a listing walk per batch of
        // 2,000 over millions of contacts would measure the emulator, not the connector.
        resolution: 'lookup',
        dry_run: true,
      });
      const outcome: WriteOutcome = await runConnectorWrite({
        config,
        catalog: streamCatalog(STREAM),
        input: audienceStream('contactId', records, 10_000),
      });
      if (outcome.exitCode !== 0) {
        throw new Error(
          `write of ${records} records failed (exit ${outcome.exitCode}): ${outcome.errors.join('; ')}\n${outcome.logTail.join('\n')}\n${outcome.stderrTail}`,
        );
      }
      rows.push(memoryRow(records, outcome));
      process.stderr.write(`memory: ${records} records → peak ${rows.at(-1)!.peakRssMb} MB\n`);
    }
  } finally {
    await emulator.stop();
  }
  const listRecords = Number(process.env.BENCH_MEMORY_LIST_RECORDS ?? (options.quick ? 200_000 : 1_000_000));
  const listModeWrite = listRecords > 0 ? await listModeRow(listRecords) : null;
  const sorted = [...rows].sort((a, b) => a.records - b.records);
  const big = sorted.at(-1);
  const before = sorted.at(-2);
  const growth =
    big && before
      ? ((big.peakRssMb - before.peakRssMb) * MB) / (big.distinctContacts - before.distinctContacts)
      : null;
  const at1M = rows.find((r) => r.records === 1_000_000);
  return {
    rows,
    listModeWrite,
    growthBytesPerContact: growth === null ? null : Math.round(growth * 100) / 100,
    growthBetween: big && before ? [before.records, big.records] : null,
    goals: {
      at1MUnder200Mb: at1M ? at1M.peakRssMb <= 200 : null,
      growthAtMost8Bytes: growth === null ? null : growth <= 8,
    },
  };
}

/**
 * The same audience written for real in list mode: processing takes an emulated second and the
 * emulator's clock runs 100× fast, so the row measures the records held in flight, not Dotdigital's waits.
 * A fresh emulator, so its allowance has every unit the lists need (one per 100,000 contacts).
 */
export async function listModeRow(records: number): Promise<MemoryRow> {
  const emulator = await startEmulator({
    contacts: records,
    timeScale: 100,
    settings: { rateLimitMode: 'off', importProcessingMs: 1_000, enrolmentProcessingMs: 1_000 },
  });
  try {
    const config = accountConfig(emulator, {
      identifier_mapping: { contact_id_field: 'contact_id' },
      resolution: 'lookup',
      enrolment_mode: 'list',
    });
    const outcome = await runConnectorWrite({
      config,
      catalog: streamCatalog(STREAM),
      input: audienceStream('contactId', records, 10_000),
    });
    if (outcome.exitCode !== 0) {
      throw new Error(
        `list-mode write of ${records} records failed (exit ${outcome.exitCode}): ${outcome.errors.join('; ')}\n${outcome.logTail.join('\n')}`,
      );
    }
    process.stderr.write(`memory: list-mode write of ${records} records → peak ${peakMb(outcome)} MB\n`);
    return memoryRow(records, outcome);
  } finally {
    await emulator.stop();
  }
}

/** A run of distinct contacts (every record a contact of its own). */
function memoryRow(records: number, outcome: WriteOutcome): MemoryRow {
  return {
    records,
    distinctContacts: records,
    peakRssMb: peakMb(outcome),
    seconds: Math.round(outcome.ms / 100) / 10,
    recordsPerSecond: Math.round(records / (outcome.ms / 1000)),
    exitCode: outcome.exitCode,
    summary: outcome.summary,
  };
}

const peakMb = (outcome: WriteOutcome): number => Math.round((outcome.peakRssBytes / MB) * 10) / 10;

export function memoryTable(result: MemoryResult): string {
  const rows = table(
    ['records (distinct contacts)', 'peak RSS MB', 'seconds', 'records/s'],
    result.rows.map((r) => [r.records, r.peakRssMb, r.seconds, r.recordsPerSecond]),
  );
  const growth =
    result.growthBetween === null
      ? ''
      : `\n\ngrowth ${result.growthBetween[0].toLocaleString('en-US')} → ${result.growthBetween[1].toLocaleString('en-US')}: ` +
        `${result.growthBytesPerContact} bytes per distinct contact (goal ≤ 8: ${result.goals.growthAtMost8Bytes ? 'met' : 'NOT met'})` +
        (result.goals.at1MUnder200Mb === null
          ? ''
          : `; at 1,000,000: goal ≤ 200 MB ${result.goals.at1MUnder200Mb ? 'met' : 'NOT met'}`);
  const list = result.listModeWrite;
  const listLine =
    list === null
      ? ''
      : `\n\nlist-mode write (records in flight through their staging lists): ${list.records.toLocaleString('en-US')} records, ` +
        `peak ${list.peakRssMb} MB, ${list.seconds} s`;
  return rows + growth + listLine;
}
