/**
 * End to end against the emulator: the real connector (built CLI, child process, default settings: auto
 * resolution, auto enrolment mode) beside the naive one-contact-at-a-time connector
 * (bench/naive-connector.ts), on the same emulator in the same run, for email audiences.
 *
 * Time: the connector runs with the emulator's clock at TIME_SCALE (processing delays pass quickly; it
 * would wait out an allowance window in real time, scaled). The naive connector runs at time scale 1 and
 * waits out each allowance window by advancing the emulator's clock, so its emulated time is its real
 * calling time plus the hours it would have waited. Per-minute rate limits are off for both: they would
 * only slow both by the account's tier, and the allowance is the bottleneck under study.
 */
import { startEmulator, type RunningEmulator } from '../emulator/src/index.js';
import { accountConfig, PROGRAM_ID } from './account-config.js';
import { audienceStream, STREAM } from './audience.js';
import { runConnectorWrite, streamCatalog } from './cli-process.js';
import { runNaiveConnector } from './naive-connector.js';
import { table } from './report.js';

const TIME_SCALE = 60;
const HOUR_MS = 3_600_000;

export interface E2eRow {
  connector: 'this connector' | 'naive (one at a time)';
  records: number;
  enrolled: number;
  apiCalls: number;
  callsPerEnrolledContact: number;
  allowanceUnits: number;
  allowanceUnitsPer10kContacts: number;
  realSeconds: number;
  emulatedSeconds: number;
  /** Records per second of emulated time: what a user would see against Dotdigital. */
  recordsPerEmulatedSecond: number;
  /** Records per second of wall-clock time in this run. */
  recordsPerRealSecond: number;
  notes: string;
}

/** Three significant digits: ratios here range from 0.0035 to 10,000. */
function significant(n: number): string {
  return Number.isFinite(n)
    ? Number(n.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 })
    : String(n);
}

function enrolmentsSoFar(emu: RunningEmulator): number {
  return emu.control.enrolmentState(PROGRAM_ID).contacts.reduce((sum, c) => sum + c.count, 0);
}

async function settleEnrolments(emu: RunningEmulator): Promise<void> {
  // Enrolments still Processing finish once the emulated clock passes their processing time.
  for (let i = 0; i < 200; i++) {
    if (emu.control.enrolmentCalls().every((call) => call.status === 'Finished')) return;
    emu.control.setClock({ advanceMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('enrolments did not finish');
}

/** A fresh start for the next contender: no allowance spent, no recent enrolment to skip. */
async function nextRound(emu: RunningEmulator): Promise<void> {
  await settleEnrolments(emu);
  emu.control.setClock({ advanceMs: 25 * HOUR_MS });
  emu.control.resetAllowance();
  emu.control.clearRequests();
}

function row(
  connector: E2eRow['connector'],
  records: number,
  figures: {
    enrolled: number;
    calls: number;
    units: number;
    realMs: number;
    emulatedMs: number;
    notes: string;
  },
): E2eRow {
  const { enrolled, calls, units, realMs, emulatedMs } = figures;
  const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    connector,
    records,
    enrolled,
    apiCalls: calls,
    callsPerEnrolledContact: enrolled > 0 ? calls / enrolled : NaN,
    allowanceUnits: units,
    allowanceUnitsPer10kContacts: enrolled > 0 ? (units * 10_000) / enrolled : NaN,
    realSeconds: round(realMs / 1000, 1),
    emulatedSeconds: round(emulatedMs / 1000, 1),
    recordsPerEmulatedSecond: records / (emulatedMs / 1000),
    recordsPerRealSecond: round(records / (realMs / 1000), 1),
    notes: figures.notes,
  };
}

async function runConnector(emu: RunningEmulator, records: number): Promise<E2eRow> {
  await nextRound(emu);
  emu.control.setClock({ timeScale: TIME_SCALE });
  const enrolledBefore = enrolmentsSoFar(emu);
  const callsBefore = emu.control.enrolmentCalls().length;
  const clockBefore = emu.control.clock().nowMs;
  const outcome = await runConnectorWrite({
    config: accountConfig(emu, {
      identifier_mapping: { email_field: 'email' },
      max_allowance_wait_minutes: 14,
    }),
    catalog: streamCatalog(STREAM),
    input: audienceStream('email', records, 1_000),
    timeoutMs: 20 * 60_000,
  });
  const emulatedMs = emu.control.clock().nowMs - clockBefore;
  if (outcome.exitCode !== 0) {
    throw new Error(
      `connector failed on ${records} records: ${outcome.errors.join('; ')}\n${outcome.logTail.join('\n')}\n${outcome.stderrTail}`,
    );
  }
  const calls = emu.control.counters().total;
  await settleEnrolments(emu);
  const newCalls = emu.control.enrolmentCalls().slice(callsBefore);
  const byMode = newCalls.some((c) => c.addressBooks.length > 0) ? 'staging list' : 'contact IDs';
  return row('this connector', records, {
    enrolled: enrolmentsSoFar(emu) - enrolledBefore,
    calls,
    units: newCalls.length,
    realMs: outcome.ms,
    emulatedMs,
    notes: `time scale ${TIME_SCALE}; enrolled by ${byMode}; ${outcome.states} states echoed`,
  });
}

async function runNaive(emu: RunningEmulator, records: number): Promise<E2eRow> {
  await nextRound(emu);
  emu.control.setClock({ timeScale: 1 });
  const enrolledBefore = enrolmentsSoFar(emu);
  const clockBefore = emu.control.clock().nowMs;
  const started = performance.now();
  const figures = await runNaiveConnector(
    (function* () {
      for (let n = 1; n <= records; n++) yield `User${n}@Example.com`;
    })(),
    {
      baseUrl: emu.regionUrl(emu.sample.region),
      apiUser: emu.sample.apiUser,
      password: emu.sample.password,
      programId: PROGRAM_ID,
      waitForAllowance: (retryAfter) => {
        // A patient client sleeps for Retry-After; the emulated clock does the sleeping here.
        emu.control.setClock({ advanceMs: (retryAfter ?? 60) * 1000 });
        return Promise.resolve();
      },
    },
  );
  const realMs = performance.now() - started;
  const emulatedMs = emu.control.clock().nowMs - clockBefore;
  emu.control.setClock({ timeScale: TIME_SCALE });
  return row('naive (one at a time)', records, {
    enrolled: enrolmentsSoFar(emu) - enrolledBefore,
    calls: figures.calls,
    units: figures.enrolled,
    realMs,
    emulatedMs,
    notes:
      `time scale 1; ${figures.allowanceWaits} allowance waits (${Math.round((emulatedMs - realMs) / HOUR_MS)} h emulated); ` +
      `${figures.allowanceRefusals} refused calls`,
  });
}

export async function e2e(options: { quick: boolean }): Promise<E2eRow[]> {
  // Quick sizes stay above list_mode_threshold (1,000 contacts), as the full ones are.
  const sizes = options.quick ? [2_000, 5_000] : [10_000, 100_000];
  const rows: E2eRow[] = [];
  for (const records of sizes) {
    // One emulator per size, shared by both contenders: the connector's start-up check of recent
    // enrolments must not see an earlier size's enrolments (the emulated clock runs ahead of the real one).
    const emu = await startEmulator({
      contacts: records + 1_000,
      timeScale: TIME_SCALE,
      settings: { rateLimitMode: 'off' },
    });
    try {
      rows.push(await runConnector(emu, records));
      process.stderr.write(`e2e: connector ${records} done\n`);
      rows.push(await runNaive(emu, records));
      process.stderr.write(`e2e: naive ${records} done\n`);
    } finally {
      await emu.stop();
    }
  }
  return rows;
}

export function e2eTable(rows: E2eRow[]): string {
  return table(
    [
      'connector',
      'records',
      'enrolled',
      'API calls',
      'calls / enrolled',
      'allowance units',
      'units / 10k contacts',
      'real s',
      'emulated s',
      'records / emulated h',
      'notes',
    ],
    rows.map((r) => [
      r.connector,
      r.records,
      r.enrolled,
      r.apiCalls,
      significant(r.callsPerEnrolledContact),
      r.allowanceUnits,
      significant(r.allowanceUnitsPer10kContacts),
      r.realSeconds,
      r.emulatedSeconds,
      significant(r.recordsPerEmulatedSecond * 3600),
      r.notes,
    ]),
  );
}
