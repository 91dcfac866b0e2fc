import { describe, expect, it } from 'vitest';
import { parseDotdigitalDate } from '../../../src/enrolment/enrol/enrolment-listing.js';
import {
  newSyncId,
  parseStagingListName,
  stagingListName,
} from '../../../src/enrolment/enrol/staging-list-name.js';
import { importFailureReason } from '../../../src/enrolment/enrol/staging-import.js';
import { mapBounded } from '../../../src/enrolment/resolve/bounded-map.js';

describe('parseDotdigitalDate', () => {
  it("reads Dotdigital's space-separated microsecond form and ISO 8601 alike", () => {
    const expected = Date.parse('2020-01-01T09:40:18.527Z');
    expect(parseDotdigitalDate('2020-01-01 09:40:18.527000+00:00')).toBe(expected);
    expect(parseDotdigitalDate('2020-01-01T09:40:18.527Z')).toBe(expected);
    expect(parseDotdigitalDate('2020-01-01T09:40:18.527')).toBe(expected);
    expect(parseDotdigitalDate('2020-01-01T10:40:18.527+01:00')).toBe(expected);
    expect(parseDotdigitalDate('not a date')).toBeNaN();
  });
});

describe('staging list names', () => {
  it('round-trip and reject lists the connector did not name', () => {
    const syncId = newSyncId(0);
    const staged = { programId: 1001, syncId, sequence: 7, phase: 'staged' as const, until: 36 ** 3 };
    const name = stagingListName(staged);
    expect(name).toBe(`airbyte-dd-enrol:p1001:${syncId}:7:s1000`);
    expect(parseStagingListName(name)).toEqual(staged);
    const enrolled = { ...staged, phase: 'enrolled' as const };
    expect(parseStagingListName(stagingListName(enrolled))).toEqual(enrolled);
    // Names of earlier versions: staged, with a lease long passed.
    expect(parseStagingListName(`airbyte-dd-enrol:p1001:${syncId}:7`)).toEqual({ ...staged, until: 0 });
    expect(parseStagingListName('Newsletter')).toBeUndefined();
    expect(parseStagingListName('airbyte-dd-enrol:p1001:x:7 copy')).toBeUndefined();
    expect(parseStagingListName(`prefix airbyte-dd-enrol:p1001:${syncId}:7`)).toBeUndefined();
  });
});

describe('mapBounded', () => {
  it('keeps order and never runs more than the bound at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('starts no new work after a failure and rethrows it', async () => {
    const started: number[] = [];
    const outcome = mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setImmediate(resolve));
      if (n === 2) throw new Error('boom');
      return n;
    });
    await expect(outcome).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(6);
  });
});

describe('importFailureReason', () => {
  it("words Dotdigital's import failure codes in the rejection vocabulary", () => {
    expect(importFailureReason('contactNotFound')).toBe('contact_not_found');
    expect(importFailureReason('invalidContactId')).toBe('staging_import_failed_invalid_contact_id');
    expect(importFailureReason('weird code!')).toBe('staging_import_failed_weird_code');
    expect(importFailureReason('')).toBe('staging_import_failed_unknown');
  });
});
