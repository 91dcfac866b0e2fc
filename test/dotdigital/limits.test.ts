import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENROLMENT_CALLS_PER_HOUR,
  IMPORT_CHUNK_SIZE,
  MAX_CONTACTS_PER_ENROLMENT,
  MAX_LIST_BATCH,
} from '../../src/dotdigital/limits.js';

const SRC = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Files (relative to src/) whose text matches `pattern`. */
function definingFiles(pattern: RegExp): string[] {
  return sources(SRC)
    .filter((path) => pattern.test(readFileSync(path, 'utf8')))
    .map((path) => relative(SRC, path).split('\\').join('/'))
    .sort();
}

describe("Dotdigital's limits and the connector's time helpers have one owner each", () => {
  it('states the limits as Dotdigital documents them', () => {
    expect(MAX_CONTACTS_PER_ENROLMENT).toBe(25);
    expect(ENROLMENT_CALLS_PER_HOUR).toBe(20);
    expect(IMPORT_CHUNK_SIZE).toBeLessThanOrEqual(MAX_LIST_BATCH);
  });

  it('defines each limit in src/dotdigital/limits.ts only', () => {
    expect(definingFiles(/export const \w+ = (25|20|100_000|1_000_000);/)).toEqual(['dotdigital/limits.ts']);
  });

  it('has one Clock, one abortable delay and one formatDuration, in src/time/', () => {
    expect(definingFiles(/export interface Clock\b/)).toEqual(['time/clock.ts']);
    expect(definingFiles(/function abortableDelay\(/)).toEqual(['time/clock.ts']);
    expect(definingFiles(/export function formatDuration\(/)).toEqual(['time/duration.ts']);
    expect(definingFiles(/export function sleep\(/)).toEqual([]);
  });
});
