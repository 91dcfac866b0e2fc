/**
 * Staging lists carry their purpose and their phase in their name, so a later run can recognise its own
 * leftovers (and never touch a list someone else made) whatever Dotdigital's enrolment answers leave out:
 * `airbyte-dd-enrol:p<program>:<sync>:<sequence>:<phase><until>`, where the phase is
 * - `s` staged: being filled and enrolled by its sync, which holds it until `until` (a lease: a list
 *   whose lease has passed belongs to a sync that is gone);
 * - `e` enrolled: Dotdigital accepted its enrolment; its members count as enrolled until `until` (the
 *   acceptance plus the look-back), after which any run may delete it.
 * `until` is a time in milliseconds, base 36. Names without a phase were written by earlier versions
 * and are read as staged with an expired lease.
 */
const PREFIX = 'airbyte-dd-enrol';

export type StagingPhase = 'staged' | 'enrolled';

export interface StagingListName {
  programId: number;
  syncId: string;
  sequence: number;
  phase: StagingPhase;
  /** Lease end (staged) or keep-until (enrolled), in the clock's milliseconds. */
  until: number;
}

const PHASE_LETTER: Record<StagingPhase, string> = { staged: 's', enrolled: 'e' };

export function stagingListName(name: StagingListName): string {
  const until = Math.max(0, Math.floor(name.until)).toString(36);
  return `${PREFIX}:p${name.programId}:${name.syncId}:${name.sequence}:${PHASE_LETTER[name.phase]}${until}`;
}

const PATTERN = /^airbyte-dd-enrol:p(\d+):([a-z0-9]+):(\d+)(?::([se])([a-z0-9]+))?$/;

/** The parts of a staging list's name; undefined for any other list. */
export function parseStagingListName(name: string): StagingListName | undefined {
  const match = PATTERN.exec(name);
  if (!match) return undefined;
  const until = match[5] === undefined ? 0 : parseInt(match[5], 36);
  if (!Number.isFinite(until)) return undefined;
  return {
    programId: Number(match[1]),
    syncId: match[2] as string,
    sequence: Number(match[3]),
    phase: match[4] === 'e' ? 'enrolled' : 'staged',
    until,
  };
}

/** A sync id that is short, safe in a list name, and unique enough across runs. */
export function newSyncId(now: number = Date.now()): string {
  return `${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}
