import type { ContactImportStatus, DotdigitalClient } from '../../dotdigital/types.js';
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
 * as a smaller import is what a watchdog or size limit lets through. A part still failing at the last
 * try, or with less of the batch's checkpoint budget left than its failed try took, is given up on and
 * reported as refused, for the engine to enrol another way or stop (contacts-fallback.ts).
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
  /** Contacts whose imports kept ending in a failure state; absent when there are none. */
  refused?: ImportRefusal;
}

export interface ImportRefusal {
  contactIds: number[];
  /** The failure state of the last import that held them (e.g. RejectedByWatchdog). */
  status: string;
  /** Most tries any of them got. */
  tries: number;
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
      importChunk(client, clock, listId, chunk, options),
    )
  ).flat();

  const added: number[] = [];
  const failures: ImportOutcome['failures'] = [];
  let refused: ImportRefusal | undefined;
  for (const outcome of outcomes) {
    if (outcome.refused !== undefined) {
      // The last refused chunk's status stands for all; the most tries any chunk took, likewise.
      refused ??= { contactIds: [], status: outcome.refused.status, tries: 0 };
      refused.contactIds.push(...outcome.chunk);
      refused.status = outcome.refused.status;
      refused.tries = Math.max(refused.tries, outcome.refused.tries);
      continue;
    }
    const { chunk, status } = outcome;
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
  return refused === undefined ? { added, failures } : { added, failures, refused };
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

type ChunkOutcome =
  | { chunk: readonly number[]; status: ContactImportStatus; refused?: undefined }
  | { chunk: readonly number[]; refused: { status: string; tries: number } };

/** The failed try a retry follows: how it ended and how long it took. */
interface FailedTry {
  status: string;
  tookMs: number;
  tries: number;
}

async function importChunk(
  client: DotdigitalClient,
  clock: Clock,
  listId: number,
  chunk: readonly number[],
  options: ImportOptions,
  failed?: FailedTry,
): Promise<ChunkOutcome[]> {
  // A retry would likely take as long as the try it follows; one that cannot finish before the batch's
  // deadline is not started (halves run one after the other, so this is checked before each).
  if (failed !== undefined) {
    const noTime = (options.deadline ?? Infinity) - clock.now() < failed.tookMs;
    if (failed.tries >= IMPORT_TRIES || noTime)
      return [{ chunk, refused: { status: failed.status, tries: failed.tries } }];
  }
  const startedAt = clock.now();
  const importId = await client.startContactImport([...chunk], listId);
  const status = await awaitImport(client, clock, importId, options);
  if (status.status === 'Finished') return [{ chunk, status }];
  const thisTry: FailedTry = {
    status: status.status,
    tookMs: clock.now() - startedAt,
    tries: (failed?.tries ?? 0) + 1,
  };
  const half = Math.ceil(chunk.length / 2);
  const parts =
    chunk.length > 1 && thisTry.tries < IMPORT_TRIES ? [chunk.slice(0, half), chunk.slice(half)] : [chunk];
  const outcomes: ChunkOutcome[] = [];
  for (const part of parts)
    outcomes.push(...(await importChunk(client, clock, listId, part, options, thisTry)));
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
