import type { ContactImportStatus, DotdigitalClient } from '../../dotdigital/types.js';
import { TransientError } from '../../protocol/errors.js';
import type { DroppedReason } from '../engine-types.js';
import { mapBounded } from '../resolve/bounded-map.js';
import { IMPORT_CHUNK_SIZE } from '../../dotdigital/limits.js';
import type { Clock } from '../../time/clock.js';
import { formatDuration } from '../../time/duration.js';
import { checkpointBudgetSpent, STATE_WAIT_BUDGET_MS } from '../checkpoint-budget.js';

/** Imports running at once; Dotdigital allows 25 per account and other integrations need some. */
export const IMPORT_CONCURRENCY = 4;
/**
 * Longest wait for one import without a batch deadline: the whole checkpoint budget, since a state waits
 * for it. With one, whatever the batch has left of the budget; past either the sync ends as transient.
 */
export const IMPORT_MAX_WAIT_MS = STATE_WAIT_BUDGET_MS;

/**
 * Tries for one chunk's contacts when Dotdigital ends an import in a failure state (Failed,
 * RejectedByWatchdog, ExceedsAllowedContactLimit, …): each retry imports the failed part in halves,
 * as a smaller import is what a watchdog or size limit lets through; past the last try the sync stops.
 */
export const IMPORT_TRIES = 4;

export interface ImportOptions {
  chunkSize?: number;
  concurrency?: number;
  pollInitialMs?: number;
  pollMaxMs?: number;
  maxWaitMs?: number;
  /** The batch's checkpoint deadline (checkpoint-budget.ts), in the clock's time. */
  deadline?: number;
  signal?: AbortSignal;
}

/** Statuses of an import Dotdigital is still working on; any other is where it ended. */
const IN_PROGRESS = new Set(['NotStarted', 'Started', 'NotFinished']);

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
  const outcomes = (
    await mapBounded(chunks, options.concurrency ?? IMPORT_CONCURRENCY, (chunk) =>
      importChunk(client, clock, listId, chunk, options, 1),
    )
  ).flat();

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

type ChunkOutcome = { chunk: readonly number[]; status: ContactImportStatus };

async function importChunk(
  client: DotdigitalClient,
  clock: Clock,
  listId: number,
  chunk: readonly number[],
  options: ImportOptions,
  attempt: number,
): Promise<ChunkOutcome[]> {
  const importId = await client.startContactImport([...chunk], listId);
  const status = await awaitImport(client, clock, importId, options);
  if (status.status === 'Finished') return [{ chunk, status }];
  if (attempt >= IMPORT_TRIES) {
    throw new TransientError(
      `Dotdigital did not add contacts to the connector's staging list (import ${status.status}), ` +
        `${IMPORT_TRIES} times, the last in parts of ${chunk.length}. Run the sync again later, or set ` +
        'enrolment_mode to contacts: the sync continues from the last saved state and cleans the staging list up.',
      `GET /contacts/v3/import/{importId} answered status ${status.status} for import ${importId} (try ${attempt})`,
    );
  }
  const half = Math.ceil(chunk.length / 2);
  const parts = chunk.length > 1 ? [chunk.slice(0, half), chunk.slice(half)] : [chunk];
  const outcomes: ChunkOutcome[] = [];
  for (const part of parts)
    outcomes.push(...(await importChunk(client, clock, listId, part, options, attempt + 1)));
  return outcomes;
}

/** The import's last status: Finished, or a state in which Dotdigital stopped it. */
async function awaitImport(
  client: DotdigitalClient,
  clock: Clock,
  importId: string,
  options: ImportOptions,
): Promise<ContactImportStatus> {
  let delay = options.pollInitialMs ?? 1000;
  const startedAt = clock.now();
  const ownLimit = startedAt + (options.maxWaitMs ?? IMPORT_MAX_WAIT_MS);
  const giveUpAt = Math.min(ownLimit, options.deadline ?? Infinity);
  for (;;) {
    const status = await client.getContactImport(importId);
    if (!IN_PROGRESS.has(status.status)) return status;
    const now = clock.now();
    if (now >= giveUpAt) {
      throw checkpointBudgetSpent(
        "Dotdigital to add contacts to the connector's staging list",
        now - startedAt,
        `import ${importId} still ${status.status} after ${formatDuration(now - startedAt)}`,
      );
    }
    await clock.sleep(Math.min(delay, giveUpAt - now), options.signal);
    delay = Math.min(delay * 2, options.pollMaxMs ?? 30_000);
  }
}
