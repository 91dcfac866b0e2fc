/**
 * Moments of a sync at which the crash-and-resume test pulls the plug, drawn from a seeded generator.
 * Each is a condition on what the emulator has seen since the attempt started (or on what the attempt has
 * echoed); the test polls it every few milliseconds and sends SIGKILL as soon as it holds.
 */
import type { RunningEmulator } from '../../../emulator/src/index.js';
import type { SyncProcess } from './sync-process.js';

export interface KillPoint {
  label: string;
  /** Called once when the attempt starts; returns the condition to poll. */
  arm(emu: RunningEmulator, sync: SyncProcess): () => boolean;
}

function calls(emu: RunningEmulator, endpoint: string): number {
  const row = emu.control.counters().byEndpoint[endpoint];
  return row ? Object.values(row).reduce((sum, n) => sum + n, 0) : 0;
}

const LOOKUP = 'GET /contacts/v3/{identifier}/{value}';
const LISTING = 'GET /contacts/v3';
const ENROLMENT_STATUS = 'GET /v2/programs/enrolments/{id|status}';
const CREATE_LIST = 'POST /v2/address-books';
const IMPORT = 'PUT /contacts/v3/import';

function afterCalls(label: string, endpoints: string[], extra: number): KillPoint {
  return {
    label: `${label} (after ${extra} more ${endpoints.join(' / ')})`,
    arm(emu) {
      const base = endpoints.reduce((sum, e) => sum + calls(emu, e), 0);
      return () => endpoints.reduce((sum, e) => sum + calls(emu, e), 0) >= base + extra;
    },
  };
}

/** Kill points for a sync in `mode`, `count` of them, reproducible from `random`. */
export function drawKillPoints(mode: 'contacts' | 'list', count: number, random: () => number): KillPoint[] {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const makers: (() => KillPoint)[] = [
    () =>
      mode === 'contacts'
        ? afterCalls('during resolution', [LOOKUP], int(1, 25))
        : afterCalls('during resolution', [LISTING], 1),
    () => ({
      label: "between an enrolment's acceptance and its state echo",
      arm(emu) {
        const base = emu.control.enrolmentCalls().length;
        return () => emu.control.enrolmentCalls().length > base;
      },
    }),
    () => afterCalls('during polling', [ENROLMENT_STATUS], int(1, 4)),
    () => {
      const states = int(1, 3);
      return {
        label: `after ${states} states were echoed`,
        arm: (_emu, sync) => () => sync.states().length >= states,
      };
    },
  ];
  if (mode === 'list') {
    // One staging list takes the whole (small) input, and its states are echoed together at the end:
    // a kill "after some states" would never land, so staging moments take its place.
    makers.pop();
    makers.push(() => afterCalls('during list staging', [CREATE_LIST], 1));
    makers.push(() => afterCalls('during list staging', [IMPORT], 1));
  }
  return Array.from({ length: count }, () => makers[Math.floor(random() * makers.length)]!());
}
