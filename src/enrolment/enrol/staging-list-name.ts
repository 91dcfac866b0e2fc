/**
 * Staging lists carry their purpose in their name, so a later run can recognise its own leftovers
 * (and never touch a list someone else made): `airbyte-dd-enrol:p<program>:<sync>:<sequence>`.
 */
const PREFIX = 'airbyte-dd-enrol';

export interface StagingListName {
  programId: number;
  syncId: string;
  sequence: number;
}

export function stagingListName(name: StagingListName): string {
  return `${PREFIX}:p${name.programId}:${name.syncId}:${name.sequence}`;
}

const PATTERN = /^airbyte-dd-enrol:p(\d+):([a-z0-9]+):(\d+)$/;

/** The parts of a staging list's name; undefined for any other list. */
export function parseStagingListName(name: string): StagingListName | undefined {
  const match = PATTERN.exec(name);
  if (!match) return undefined;
  return { programId: Number(match[1]), syncId: match[2] as string, sequence: Number(match[3]) };
}

/** A sync id that is short, safe in a list name, and unique enough across runs. */
export function newSyncId(now: number = Date.now()): string {
  return `${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}
