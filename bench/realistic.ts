/**
 * The realistic profile (issue 14): the emulator with Dotdigital's Basic package tiers, per-call
 * latency with spikes and processing in minutes (bench/basic-profile.ts), its clock time-scaled.
 * For each audience kind and size against a large account, the real WritePipeline (wired as
 * src/commands/write.ts wires it, engine and pipeline on the emulator's clock) is measured beside
 * (a) the physical minimum for the same work and (b) the one-at-a-time peer pattern, both computed
 * from first principles and printed with their formulas. A second part runs two syncs of one
 * account at once against one sync doing both audiences.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';

import { startEmulator, type RunningEmulator } from '../emulator/src/index.js';
import { parseConfig } from '../src/config/parse.js';
import { createDotdigitalClient } from '../src/dotdigital/client.js';
import { BASIC_PACKAGE_RATES, callsPerMinute } from '../src/dotdigital/rate-tiers.js';
import { abortableDelay, type Clock } from '../src/time/clock.js';
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

const TIME_SCALE = 60;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const PAGE = 5000;
const LIST_BATCH = 100_000;

export interface RealisticRow {
  kind: AudienceKind;
  records: number;
  accountContacts: number;
  enrolled: number;
  emulatedMs: number;
  apiCalls: number;
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

function emulatorClock(emu: RunningEmulator): Clock {
  return {
    now: () => emu.control.clock().nowMs,
    sleep: (ms, signal) => abortableDelay(ms / emu.control.clock().timeScale, signal),
  };
}

function quietLogger() {
  return pino({ level: 'warn' }, new Writable({ write: (_c, _e, done) => done() }));
}

const lowRate = callsPerMinute(BASIC_PACKAGE_RATES, 'contactImport');
const listingRate = callsPerMinute(BASIC_PACKAGE_RATES, 'contactListing');
const lookupRate = callsPerMinute(BASIC_PACKAGE_RATES, 'contactLookup');

/**
 * The least the same work can cost. Resolution: the faster of one walk (ceil(C / 5000) pages at the
 * listing tier) and n look-ups (at the look-up tier). Enrolment: ceil(n / 100,000) staging lists, each
 * one list creation, one import, one enrolment call and one deletion at the Low tier and three reads
 * (import status, enrolment status, fault report) at the Medium tier, then one import and one
 * enrolment processing time; a unit per list, and an allowance hour per 20 units past the first 20.
 */
export function physicalMinimum(n: number, accountContacts: number) {
  const pages = Math.ceil(accountContacts / PAGE);
  const walkMs = (pages / listingRate) * MINUTE_MS;
  const lookupMs = (n / lookupRate) * MINUTE_MS;
  const resolutionCalls = walkMs <= lookupMs ? pages : n;
  const lists = Math.ceil(n / LIST_BATCH);
  const lowCalls = 4 * lists;
  const readCalls = 3 * lists;
  const processingMs =
    (BASIC_PROFILE_PROCESSING.importMinutes + BASIC_PROFILE_PROCESSING.enrolmentMinutes) * MINUTE_MS;
  const allowanceMs = Math.max(0, Math.ceil(lists / 20) - 1) * HOUR_MS;
  const ms = Math.min(walkMs, lookupMs) + (lowCalls / lowRate) * MINUTE_MS + processingMs + allowanceMs;
  return { ms, calls: resolutionCalls + lowCalls + readCalls, units: lists };
}

export const MINIMUM_FORMULA =
  `T_min = min(ceil(C/5000)/${listingRate}, n/${lookupRate}) min + 4·ceil(n/100000)/${lowRate} min ` +
  `+ ${BASIC_PROFILE_PROCESSING.importMinutes} + ${BASIC_PROFILE_PROCESSING.enrolmentMinutes} min processing ` +
  `+ (ceil(ceil(n/100000)/20) − 1) h; calls_min = (walk ? ceil(C/5000) : n) + 7·ceil(n/100000); units_min = ceil(n/100000)`;

/** The peer pattern: a look-up and an enrolment call per contact; 20 enrolment calls an hour. */
export function peerPattern(n: number) {
  const units = n;
  const ms = Math.max((n / lookupRate) * MINUTE_MS, Math.max(0, Math.ceil(n / 20) - 1) * HOUR_MS);
  return { ms, calls: 2 * n, units };
}

export const PEER_FORMULA = `T_peer = max(n/${lookupRate} min, (ceil(n/20) − 1) h); calls = 2n; units = n`;

async function runSync(
  emu: RunningEmulator,
  syncs: { kind: AudienceKind; records: number; programId: number; offset?: number; mode?: 'contacts' }[],
): Promise<{ enrolled: number; emulatedMs: number }> {
  const clock = emulatorClock(emu);
  const before = clock.now();
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
          max_allowance_wait_minutes: 1440,
          recent_enrolment_lookback_hours: 0,
          ...(sync.mode ? { enrolment_mode: sync.mode } : {}),
        }),
      );
      const client = await createDotdigitalClient(config, { logger });
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
        now: clock.now,
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
      } finally {
        done.abort();
        await client.close();
      }
    }),
  );
  return { enrolled: outcomes.reduce((a, b) => a + b, 0), emulatedMs: clock.now() - before };
}

function refused(emu: RunningEmulator): number {
  const row = emu.control.counters().byEndpoint['POST /v2/programs/enrolments'] ?? {};
  return Object.entries(row)
    .filter(([status]) => status !== '201')
    .reduce((sum, [, n]) => sum + n, 0);
}

async function freshRound(emu: RunningEmulator): Promise<void> {
  emu.control.setClock({ advanceMs: 25 * HOUR_MS });
  emu.control.resetAllowance();
  emu.control.clearRequests();
}

export async function realistic(options: {
  sizes: number[];
  accountContacts: number;
  kinds: AudienceKind[];
}) {
  const emu = await startEmulator({
    contacts: options.accountContacts,
    timeScale: TIME_SCALE,
    settings: basicPackageProfile(TIME_SCALE),
  });
  const rows: RealisticRow[] = [];
  try {
    for (const records of options.sizes) {
      for (const kind of options.kinds) {
        await freshRound(emu);
        const callsBefore = emu.control.counters().total;
        const unitsBefore = emu.control.enrolmentCalls().length;
        const run = await runSync(emu, [{ kind, records, programId: 1002 }]);
        const min = physicalMinimum(records, options.accountContacts);
        const peer = peerPattern(records);
        rows.push({
          kind,
          records,
          accountContacts: options.accountContacts,
          enrolled: run.enrolled,
          emulatedMs: run.emulatedMs,
          apiCalls: emu.control.counters().total - callsBefore,
          allowanceUnits: emu.control.enrolmentCalls().length - unitsBefore,
          refusedEnrolmentCalls: refused(emu),
          peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          minimumMs: min.ms,
          minimumCalls: min.calls,
          minimumUnits: min.units,
          peerMs: peer.ms,
          peerCalls: peer.calls,
          peerUnits: peer.units,
          note: '',
        });
        process.stderr.write(`realistic: ${kind} ${records} done\n`);
      }
    }
    return rows;
  } finally {
    await emu.stop();
  }
}

/** Two syncs of one account at once (two programs) beside one sync doing both audiences. */
export async function concurrentSyncs(records: number, accountContacts: number) {
  const emu = await startEmulator({
    contacts: accountContacts,
    timeScale: TIME_SCALE,
    settings: { ...basicPackageProfile(TIME_SCALE), enrolmentAllowancePerHour: 20 },
  });
  try {
    // Contacts mode, so the allowance (not the processing) is what the two syncs share.
    await freshRound(emu);
    const both = await runSync(emu, [
      { kind: 'contactId', records, programId: 1002, mode: 'contacts' },
      { kind: 'contactId', records, programId: 1001, offset: records, mode: 'contacts' },
    ]);
    const refusedTogether = refused(emu);
    await freshRound(emu);
    const one = await runSync(emu, [
      { kind: 'contactId', records: 2 * records, programId: 1002, mode: 'contacts' },
    ]);
    return {
      records,
      togetherMs: both.emulatedMs,
      oneSyncMs: one.emulatedMs,
      refusedTogether,
      refusedOne: refused(emu),
      enrolledTogether: both.enrolled,
      enrolledOne: one.enrolled,
    };
  } finally {
    await emu.stop();
  }
}

const minutes = (ms: number) => (ms / MINUTE_MS).toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');

export function realisticTable(rows: RealisticRow[]): string {
  return table(
    [
      'audience',
      'records',
      'account',
      'enrolled',
      'wall (emulated min)',
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
      minutes(r.emulatedMs),
      r.apiCalls.toLocaleString('en-US'),
      r.allowanceUnits,
      r.refusedEnrolmentCalls,
      r.peakRssMb,
      `${minutes(r.minimumMs)} / ${r.minimumCalls} / ${r.minimumUnits}`,
      `${minutes(r.peerMs)} / ${r.peerCalls} / ${r.peerUnits}`,
      `${ratio(r.emulatedMs, r.minimumMs)}, ${ratio(r.apiCalls, r.minimumCalls)}`,
    ]),
  );
}

export const PROFILE_DESCRIPTION =
  `Basic package tiers ${JSON.stringify(BASIC_PACKAGE_RATES)} calls/min (emulator endpoint tiers), ` +
  `latency ${BASIC_PROFILE_LATENCY.callMs} ms per call, ${BASIC_PROFILE_LATENCY.spikeRate * 100}% spikes of ` +
  `${BASIC_PROFILE_LATENCY.spikeMs} ms, import ${BASIC_PROFILE_PROCESSING.importMinutes} min and enrolment ` +
  `${BASIC_PROFILE_PROCESSING.enrolmentMinutes} min processing, time scale ${TIME_SCALE}.`;
