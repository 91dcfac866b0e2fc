import type { DotdigitalClient } from '../../dotdigital/types.js';
import { TransientError } from '../../protocol/errors.js';
import type { DroppedReason } from '../engine-types.js';
import { mapBounded } from '../resolve/bounded-map.js';
import type { Clock } from './clock.js';
import { formatDuration } from './duration.js';

/**
 * Contacts per import. Each item is about 90 bytes of JSON, so 100,000 stay near 9 MB, far below
 * the 50 MB body limit.
 */
export const IMPORT_CHUNK_SIZE = 100_000;
/** Imports running at once; Dotdigital allows 25 per account and other integrations need some. */
export const IMPORT_CONCURRENCY = 4;
/** Longest wait for one import; past it the sync ends as transient rather than hanging. */
export const IMPORT_MAX_WAIT_MS = 30 * 60 * 1000;

export interface ImportOptions {
  chunkSize?: number;
  concurrency?: number;
  pollInitialMs?: number;
  pollMaxMs?: number;
  maxWaitMs?: number;
  signal?: AbortSignal;
}

export interface ImportOutcome {
  /** Contacts now in the list. */
  added: number[];
  /** Contacts Dotdigital would not add, with its failure code. */
  failures: { contactId: number; reason: DroppedReason }[];
}

/**
 * Adds existing contacts to a list with v3 imports matching on contactId, which never creates a
 * contact. Chunks run with bounded concurrency and are polled until Dotdigital finishes them.
 */
export async function importIntoList(
  client: DotdigitalClient,
  clock: Clock,
  listId: number,
  contactIds: readonly number[],
  options: ImportOptions = {},
): Promise<ImportOutcome> {
  const chunkSize = options.chunkSize ?? IMPORT_CHUNK_SIZE;
  const chunks: number[][] = [];
  for (let start = 0; start < contactIds.length; start += chunkSize) {
    chunks.push(contactIds.slice(start, start + chunkSize));
  }
  const outcomes = await mapBounded(chunks, options.concurrency ?? IMPORT_CONCURRENCY, async (chunk) => {
    const importId = await client.startContactImport(chunk, listId);
    return { chunk, status: await awaitImport(client, clock, importId, options) };
  });

  const added: number[] = [];
  const failures: ImportOutcome['failures'] = [];
  for (const { chunk, status } of outcomes) {
    const failed = new Map<number, DroppedReason>();
    for (const failure of status.failures) {
      if (failure.contactId !== undefined)
        failed.set(failure.contactId, importFailureReason(failure.failureReason));
    }
    for (const id of chunk) {
      const reason = failed.get(id);
      if (reason === undefined) added.push(id);
      else failures.push({ contactId: id, reason });
    }
  }
  return { added, failures };
}

/**
 * Reasons in the pipeline's rejection vocabulary (lower snake case): Dotdigital's `contactNotFound`
 * is the same outcome as a refused enrolment by contact ID; other codes keep their word.
 */
export function importFailureReason(code: string): DroppedReason {
  if (code === 'contactNotFound') return 'contact_not_found';
  const word = code.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`).replace(/[^a-z0-9_]+/g, '_');
  return `staging_import_failed_${word.replace(/^_+|_+$/g, '') || 'unknown'}`;
}

async function awaitImport(
  client: DotdigitalClient,
  clock: Clock,
  importId: string,
  options: ImportOptions,
): Promise<Awaited<ReturnType<DotdigitalClient['getContactImport']>>> {
  let delay = options.pollInitialMs ?? 1000;
  const giveUpAt = clock.now() + (options.maxWaitMs ?? IMPORT_MAX_WAIT_MS);
  for (;;) {
    const status = await client.getContactImport(importId);
    if (status.status === 'Finished') return status;
    if (clock.now() >= giveUpAt) {
      throw new TransientError(
        `Dotdigital has not finished adding contacts to the connector's staging list after ${formatDuration(options.maxWaitMs ?? IMPORT_MAX_WAIT_MS)}. ` +
          'Run the sync again later: it continues from the last saved state and cleans the staging list up.',
        `import ${importId} still ${status.status}`,
      );
    }
    if (status.status !== 'NotFinished' && status.status !== 'NotStarted' && status.status !== 'Started') {
      throw new TransientError(
        `Dotdigital did not finish adding contacts to the connector's staging list (import ${status.status}). ` +
          'Run the sync again: it continues from the last saved state and cleans the staging list up.',
        `GET /contacts/v3/import/{importId} answered status ${status.status} for import ${importId}`,
      );
    }
    await clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, options.pollMaxMs ?? 30_000);
  }
}
