import { describe, expect, it } from 'vitest';
import type { ContactImportStatus, DotdigitalClient } from '../../../src/dotdigital/types.js';
import { IMPORT_TRIES, importIntoList } from '../../../src/enrolment/enrol/staging-import.js';
import { TransientError } from '../../../src/protocol/errors.js';
import { ManualClock } from './support/manual-clock.js';

/** Imports that Dotdigital ends in `failure` when they hold more than `largest` contacts. */
function importsFailingAbove(largest: number, failure = 'RejectedByWatchdog') {
  const sizes: number[] = [];
  const imports = new Map<string, number[]>();
  const client = {
    startContactImport: async (contactIds: number[]) => {
      sizes.push(contactIds.length);
      const id = `imp${imports.size + 1}`;
      imports.set(id, contactIds);
      return id;
    },
    getContactImport: async (importId: string): Promise<ContactImportStatus> => ({
      importId,
      status: imports.get(importId)!.length > largest ? failure : 'Finished',
      failures: [],
    }),
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
    'stop with a clear transient error after a bounded number of tries when %s persists',
    async (failure) => {
      const { client, sizes } = importsFailingAbove(0, failure);

      const error = await importIntoList(client, new ManualClock(), 7, ids(4), { chunkSize: 4 }).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).message).toContain(`import ${failure}`);
      expect((error as TransientError).message).toMatch(/enrolment_mode to contacts/);
      // 4, then 2 + 2 ... each branch stops at the last try: the count is bounded by the halvings.
      expect(sizes.length).toBeLessThanOrEqual(2 ** IMPORT_TRIES - 1);
      expect(sizes[0]).toBe(4);
    },
  );
});
