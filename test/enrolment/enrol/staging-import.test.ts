import { describe, expect, it } from 'vitest';
import type { ContactImportStatus, DotdigitalClient } from '../../../src/dotdigital/types.js';
import { IMPORT_TRIES, importIntoList } from '../../../src/enrolment/enrol/staging-import.js';
import { ManualClock } from './support/manual-clock.js';

/** Imports that Dotdigital ends in `failure` when they hold more than `largest` contacts. */
function importsFailingAbove(
  largest: number,
  failure = 'RejectedByWatchdog',
  { pollsBeforeEnd = 0 }: { pollsBeforeEnd?: number } = {},
) {
  const sizes: number[] = [];
  const polls = new Map<string, number>();
  const imports = new Map<string, number[]>();
  const client = {
    startContactImport: async (contactIds: number[]) => {
      sizes.push(contactIds.length);
      const id = `imp${imports.size + 1}`;
      imports.set(id, contactIds);
      return id;
    },
    getContactImport: async (importId: string): Promise<ContactImportStatus> => {
      const seen = (polls.get(importId) ?? 0) + 1;
      polls.set(importId, seen);
      if (seen <= pollsBeforeEnd) return { importId, status: 'NotFinished', failures: [] };
      return {
        importId,
        status: imports.get(importId)!.length > largest ? failure : 'Finished',
        failures: [],
      };
    },
  } as unknown as DotdigitalClient;
  return { client, sizes };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => 100_001 + i);

describe('imports into a staging list that Dotdigital ends in a failure state', () => {
  it('import the failed part again in halves, and every contact ends in the list', async () => {
    const { client, sizes } = importsFailingAbove(3);

    const outcome = await importIntoList(client, new ManualClock(), 7, ids(10), { chunkSize: 10 });

    expect(outcome).toEqual({ added: ids(10), failures: [] });
    expect(sizes).toEqual([10, 5, 3, 2, 5, 3, 2]);
  });

  it.each(['Failed', 'RejectedByWatchdog', 'ExceedsAllowedContactLimit'])(
    'give up after a bounded number of tries when %s persists, reporting the contacts as refused',
    async (failure) => {
      const { client, sizes } = importsFailingAbove(0, failure);

      const outcome = await importIntoList(client, new ManualClock(), 7, ids(4), { chunkSize: 4 });

      expect(outcome).toEqual({
        added: [],
        failures: [],
        refused: { contactIds: ids(4), status: failure, tries: IMPORT_TRIES },
      });
      // 4, then 2 + 2 ... each branch stops at the last try: the count is bounded by the halvings.
      expect(sizes.length).toBeLessThanOrEqual(2 ** IMPORT_TRIES - 1);
      expect(sizes[0]).toBe(4);
    },
  );

  it("does not start a try that the batch's checkpoint deadline leaves no time for", async () => {
    const { client, sizes } = importsFailingAbove(3, 'RejectedByWatchdog', { pollsBeforeEnd: 1 });
    const clock = new ManualClock(0);

    // Each import takes one 1 s poll; after the first failed try 0.5 s of the budget is left.
    const outcome = await importIntoList(client, clock, 7, ids(10), {
      chunkSize: 10,
      pollInitialMs: 1000,
      deadline: 1500,
    });

    expect(sizes).toEqual([10]);
    expect(outcome.refused).toEqual({ contactIds: ids(10), status: 'RejectedByWatchdog', tries: 1 });
  });

  it('checks the deadline before each half, so the second half is not started past it either', async () => {
    const { client, sizes } = importsFailingAbove(0, 'Failed', { pollsBeforeEnd: 1 });

    // The first try and the first half's retry fit (1 s each); then 0.5 s is left.
    const outcome = await importIntoList(client, new ManualClock(0), 7, ids(10), {
      chunkSize: 10,
      pollInitialMs: 1000,
      deadline: 2500,
    });

    expect(sizes).toEqual([10, 5]);
    expect(outcome.refused).toEqual({ contactIds: ids(10), status: 'Failed', tries: 2 });
  });
});
