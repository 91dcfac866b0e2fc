/**
 * The realistic profile (issue 14): the emulator with Dotdigital's Basic package tiers, per-call
 * latency with spikes, a transfer cost per KiB and processing in minutes (bench/basic-profile.ts).
 * Emulator and connector share a virtual clock (bench/virtual-clock.ts) that passes through the waits
 * only; the connector's CPU is measured apart and added at 1×, so the wall time is what a real sync
 * would take, whatever the machine's load. For each audience kind and size against a large account,
 * the real WritePipeline (wired as src/commands/write.ts wires it; client, engine and pipeline on the
 * shared clock) is measured beside
 * (a) the physical minimum for the same work and (b) the one-at-a-time peer pattern, both computed
 * from first principles and printed with their formulas. A second part runs two syncs of one
 * account at once against one sync doing both audiences.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';

import { startEmulator, type RunningEmulator, type SettingsPatch } from '../emulator/src/index.js';
import { parseConfig } from '../src/config/parse.js';
import { createDotdigitalClient } from '../src/dotdigital/client.js';
import { BASIC_PACKAGE_RATES, callsPerMinute, ENDPOINT_TIERS } from '../src/dotdigital/rate-tiers.js';
import type { Clock } from '../src/time/clock.js';
import { createEnrolmentEngine } from '../src/enrolment/enrol/index.js';
import { WritePipeline } from '../src/enrolment/pipeline/write-pipeline.js';
import { DiscardingSink } from '../src/enrolment/rejected-records/sink.js';
import type { RejectionSink } from '../src/enrolment/rejections.js';
import { createContactResolver } from '../src/enrolment/resolve/index.js';
import { readMessageBatches } from '../src/protocol/reader.js';
import { accountConfig } from './account-config.js';
import { type AudienceKind, audienceStream, emulatorContactId, STREAM } from './audience.js';
import { BASIC_PROFILE_LATENCY, BASIC_PROFILE_PROCESSING, basicPackageProfile } from './basic-profile.js';
import { table } from './report.js';
import { VirtualClock } from './virtual-clock.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const PAGE = 5000;
const LIST_BATCH = 100_000;

export interface RealisticRow {
  kind: AudienceKind;
  records: number;
  accountContacts: number;
  enrolled: number;
  /** Waits on the shared clock (latency, tier pauses, processing, allowance) plus the connector's CPU at 1×. */
  wallMs: number;
  waitMs: number;
  connectorCpuMs: number;
  /** The emulator's CPU answering calls (same process; not the connector's, so not in the wall). */
  emulatorCpuMs: number;
  /** Real time the row took on this machine. */
  realMs: number;
  apiCalls: number;
  /** Calls by endpoint and status, to tell where the calls above the minimum went. */
  callsByEndpoint: Record<string, Record<string, number>>;
  allowanceUnits: number;
  refusedEnrolmentCalls: number;
  peakRssMb: number;
  minimumMs: number;
  minimumCalls: number;
  minimumUnits: number;
  peerMs: number;
  peerCalls: number;
  peerUnits: number;
  note: string;
}

const discardRejections: RejectionSink = new DiscardingSink();

/** The connector's time: the emulator's now (which control pushes forward between rounds), sleeps on the shared clock. */
function connectorClock(emu: RunningEmulator, time: VirtualClock): Clock {
  return {
    now: () => emu.control.clock().nowMs,
    sleep: (ms, signal) => time.sleep(ms, signal),
  };
}

interface Bench {
  emu: RunningEmulator;
  time: VirtualClock;
}

async function startBench(accountContacts: number, settings: SettingsPatch = {}): Promise<Bench> {
  const time = new VirtualClock();
  const emu = await startEmulator({
    contacts: accountContacts,
    time,
    settings: { ...basicPackageProfile(), ...settings },
  });
  return { emu, time };
}

async function stopBench({ emu, time }: Bench): Promise<void> {
  await emu.stop();
  time.stop();
}

function quietLogger() {
  return pino({ level: 'warn' }, new Writable({ write: (_c, _e, done) => done() }));
}

const lowRate = callsPerMinute(BASIC_PACKAGE_RATES, 'contactImport');
const lookupRate = callsPerMinute(BASIC_PACKAGE_RATES, 'contactLookup');

/** Minutes before the `calls`-th call of a tier can start: the emulator's (and Dotdigital's) windows of one minute. */
function windowsBefore(calls: number, perMinute: number): number {
  return Math.floor(Math.max(0, calls - 1) / perMinute);
}

/**
 * The least the same work can cost, as a lower bound (latency and transfer not counted). P = ceil(C / 5000)
 * walk pages at the listing tier, or n look-ups at the look-up tier; L = ceil(n / 100,000) staging lists,
 * each one list creation, one import, one enrolment call and one deletion at the Low tier (shared with the
 * walk: both Low) and three reads (import status, enrolment status, fault report). The last import waits
 * for P + 2L Low calls, then the import's processing; the last enrolment call for P + 3L; then the
 * enrolment's processing. A unit per list, and an allowance hour per 20 units past the first 20.
 */
export function physicalMinimum(n: number, accountContacts: number) {
  const pages = Math.ceil(accountContacts / PAGE);
  const lists = Math.ceil(n / LIST_BATCH);
  const { importMinutes, enrolmentMinutes } = BASIC_PROFILE_PROCESSING;
  const walkMinutes = Math.max(
    windowsBefore(pages + 2 * lists, lowRate) + importMinutes,
    windowsBefore(pages + 3 * lists, lowRate),
  );
  const lookupMinutes = windowsBefore(n, lookupRate) + importMinutes;
  const walk = walkMinutes <= lookupMinutes;
  const allowanceMs = Math.max(0, Math.ceil(lists / 20) - 1) * HOUR_MS;
  const ms = (Math.min(walkMinutes, lookupMinutes) + enrolmentMinutes) * MINUTE_MS + allowanceMs;
  return { ms, calls: (walk ? pages : n) + 7 * lists, units: lists };
}

export const MINIMUM_FORMULA =
  `T_min = min(max(⌊(P+2L−1)/${lowRate}⌋ + ${BASIC_PROFILE_PROCESSING.importMinutes}, ⌊(P+3L−1)/${lowRate}⌋), ` +
  `⌊(n−1)/${lookupRate}⌋ + ${BASIC_PROFILE_PROCESSING.importMinutes}) + ${BASIC_PROFILE_PROCESSING.enrolmentMinutes} min ` +
  `+ (⌈L/20⌉ − 1) h with P = ⌈C/5000⌉ listing pages (tier ${ENDPOINT_TIERS.contactListing}), L = ⌈n/100000⌉ lists, ` +
  `one-minute tier windows, latency not counted; calls_min = (walk ? P : n) + 7L; units_min = L`;

/** The peer pattern: a look-up and an enrolment call per contact; 20 enrolment calls an hour. */
export function peerPattern(n: number) {
  const units = n;
  const ms = Math.max((n / lookupRate) * MINUTE_MS, Math.max(0, Math.ceil(n / 20) - 1) * HOUR_MS);
  return { ms, calls: 2 * n, units };
}

export const PEER_FORMULA = `T_peer = max(n/${lookupRate} min, (ceil(n/20) − 1) h); calls = 2n; units = n`;

interface SyncRun {
  enrolled: number;
  /** How a sync ended early (e.g. the allowance wait past max_allowance_wait_minutes); its row is kept. */
  failure?: string;
  wallMs: number;
  waitMs: number;
  connectorCpuMs: number;
  emulatorCpuMs: number;
  realMs: number;
}

async function runSync(
  { emu, time }: Bench,
  syncs: { kind: AudienceKind; records: number; programId: number; offset?: number; mode?: 'contacts' }[],
): Promise<SyncRun> {
  const clock = connectorClock(emu, time);
  const before = clock.now();
  const realBefore = performance.now();
  const cpuBefore = process.cpuUsage();
  const servingBefore = emu.control.servingCpuMs();
  const failures: string[] = [];
  const outcomes = await Promise.all(
    syncs.map(async (sync) => {
      const logger = quietLogger();
      const config = parseConfig(
        accountConfig(emu, {
          program_id: sync.programId,
          identifier_mapping:
            sync.kind === 'email'
              ? { email_field: 'email' }
              : sync.kind === 'mobile'
                ? { mobile_number_field: 'mobile' }
                : { contact_id_field: 'contact_id' },
          max_allowance_wait_minutes: 14,
          recent_enrolment_lookback_hours: 0,
          ...(sync.mode ? { enrolment_mode: sync.mode } : {}),
        }),
      );
      const client = await createDotdigitalClient(config, { logger, clock });
      const done = new AbortController();
      const engine = createEnrolmentEngine(client, config, sync.programId, logger, {
        clock,
        signal: done.signal,
      });
      const pipeline = new WritePipeline({
        config,
        streams: [{ name: STREAM, programId: sync.programId, dataActivation: false }],
        resolver: createContactResolver(client, config, logger),
        engines: new Map([[sync.programId, engine]]),
        out: { write: () => true, waitForDrain: () => Promise.resolve() },
        logger,
        rejections: discardRejections,
        apiStats: () => client.stats(),
        clock,
      });
      try {
        const summary = await pipeline.run(
          readMessageBatches(
            audienceStream(
              sync.kind,
              sync.records,
              10_000,
              sync.offset === undefined ? undefined : (n) => emulatorContactId(n + sync.offset!),
            ),
          ),
        );
        await engine.finish();
        return summary.outcomes.enrolled;
      } catch (error) {
        failures.push((error as Error).message.split('. ')[0]!);
        return 0;
      } finally {
        done.abort();
        await client.close();
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const emulatorCpuMs = emu.control.servingCpuMs() - servingBefore;
  const connectorCpuMs = Math.max(0, (cpu.user + cpu.system) / 1000 - emulatorCpuMs);
  const waitMs = clock.now() - before;
  return {
    ...(failures.length > 0 ? { failure: failures.join('; ') } : {}),
    enrolled: outcomes.reduce((a, b) => a + b, 0),
    wallMs: waitMs + connectorCpuMs,
    waitMs,
    connectorCpuMs,
    emulatorCpuMs,
    realMs: performance.now() - realBefore,
  };
}

function refused(emu: RunningEmulator): number {
  const row = emu.control.counters().byEndpoint['POST /v2/programs/enrolments'] ?? {};
  return Object.entries(row)
    .filter(([status]) => status !== '201')
    .reduce((sum, [, n]) => sum + n, 0);
}

function freshRound(emu: RunningEmulator): void {
  emu.control.setClock({ advanceMs: 25 * HOUR_MS });
  emu.control.resetAllowance();
  emu.control.clearRequests();
}

export async function realistic(options: {
  sizes: number[];
  accountContacts: number;
  kinds: AudienceKind[];
}) {
  const bench = await startBench(options.accountContacts);
  const { emu } = bench;
  const rows: RealisticRow[] = [];
  try {
    for (const records of options.sizes) {
      for (const kind of options.kinds) {
        freshRound(emu);
        const callsBefore = emu.control.counters().total;
        const unitsBefore = emu.control.enrolmentCalls().length;
        const run = await runSync(bench, [{ kind, records, programId: 1002 }]);
        const min = physicalMinimum(records, options.accountContacts);
        const peer = peerPattern(records);
        rows.push({
          kind,
          records,
          accountContacts: options.accountContacts,
          enrolled: run.enrolled,
          wallMs: run.wallMs,
          waitMs: run.waitMs,
          connectorCpuMs: run.connectorCpuMs,
          emulatorCpuMs: run.emulatorCpuMs,
          realMs: run.realMs,
          apiCalls: emu.control.counters().total - callsBefore,
          callsByEndpoint: emu.control.counters().byEndpoint,
          allowanceUnits: emu.control.enrolmentCalls().length - unitsBefore,
          refusedEnrolmentCalls: refused(emu),
          peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          minimumMs: min.ms,
          minimumCalls: min.calls,
          minimumUnits: min.units,
          peerMs: peer.ms,
          peerCalls: peer.calls,
          peerUnits: peer.units,
          note: run.failure ?? '',
        });
        process.stderr.write(
          `realistic: ${kind} ${records} of ${options.accountContacts} done in ${(run.realMs / 1000).toFixed(0)} s real\n`,
        );
      }
    }
    return rows;
  } finally {
    await stopBench(bench);
  }
}

/** Two syncs of one account at once (two programs) beside one sync doing both audiences. */
export async function concurrentSyncs(records: number, accountContacts: number) {
  const bench = await startBench(accountContacts, { enrolmentAllowancePerHour: 20 });
  const { emu } = bench;
  try {
    // Contacts mode, so the allowance (not the processing) is what the two syncs share.
    freshRound(emu);
    const both = await runSync(bench, [
      { kind: 'contactId', records, programId: 1002, mode: 'contacts' },
      { kind: 'contactId', records, programId: 1001, offset: records, mode: 'contacts' },
    ]);
    const refusedTogether = refused(emu);
    freshRound(emu);
    const one = await runSync(bench, [
      { kind: 'contactId', records: 2 * records, programId: 1002, mode: 'contacts' },
    ]);
    return {
      records,
      togetherMs: both.wallMs,
      oneSyncMs: one.wallMs,
      refusedTogether,
      refusedOne: refused(emu),
      enrolledTogether: both.enrolled,
      enrolledOne: one.enrolled,
    };
  } finally {
    await stopBench(bench);
  }
}

const minutes = (ms: number) => (ms / MINUTE_MS).toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');

export function realisticTable(rows: RealisticRow[]): string {
  const notes = rows
    .filter((r) => r.note !== '')
    .map((r) => `- ${r.kind} ${r.records.toLocaleString('en-US')}: ${r.note}`);
  return [rowsTable(rows), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

function rowsTable(rows: RealisticRow[]): string {
  return table(
    [
      'audience',
      'records',
      'account',
      'enrolled',
      'wall min (waits + CPU)',
      'connector CPU s',
      'real s',
      'API calls',
      'units',
      'refused',
      'peak RSS MB',
      'minimum: min / calls / units',
      'peer: min / calls / units',
      '× min (time, calls)',
    ],
    rows.map((r) => [
      r.kind,
      r.records.toLocaleString('en-US'),
      r.accountContacts.toLocaleString('en-US'),
      r.enrolled.toLocaleString('en-US'),
      `${minutes(r.wallMs)} (${minutes(r.waitMs)} + ${minutes(r.connectorCpuMs)})`,
      (r.connectorCpuMs / 1000).toFixed(1),
      (r.realMs / 1000).toFixed(0),
      r.apiCalls.toLocaleString('en-US'),
      r.allowanceUnits,
      r.refusedEnrolmentCalls,
      r.peakRssMb,
      `${minutes(r.minimumMs)} / ${r.minimumCalls} / ${r.minimumUnits}`,
      `${minutes(r.peerMs)} / ${r.peerCalls} / ${r.peerUnits}`,
      `${ratio(r.wallMs, r.minimumMs)}, ${ratio(r.apiCalls, r.minimumCalls)}`,
    ]),
  );
}

export const PROFILE_DESCRIPTION =
  `Basic package tiers ${JSON.stringify(BASIC_PACKAGE_RATES)} calls/min (emulator endpoint tiers), ` +
  `latency ${BASIC_PROFILE_LATENCY.callMs} ms per call + ${BASIC_PROFILE_LATENCY.perKbMs} ms per KiB of body, ` +
  `${BASIC_PROFILE_LATENCY.spikeRate * 100}% spikes of ${BASIC_PROFILE_LATENCY.spikeMs} ms, ` +
  `import ${BASIC_PROFILE_PROCESSING.importMinutes} min and enrolment ${BASIC_PROFILE_PROCESSING.enrolmentMinutes} min ` +
  `processing; virtual clock (waits only) + connector CPU at 1×.`;
