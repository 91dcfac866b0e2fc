/**
 * The enrolment engine for one program. What it guarantees:
 * - Allowance: one accepted enrolment call per submit. When Dotdigital's 20 calls per rolling hour
 *   are spent it waits (re-checking every few minutes, logging why and until when) up to
 *   max_allowance_wait_minutes per wait, then ends with a TransientError saying when it frees up.
 * - No double enrolment from retries: an enrolment call without an answer is followed by a look at
 *   the program's recent enrolments before it is sent again.
 * - Contacts deleted after resolution are dropped from the batch (found by look-ups, which cost no
 *   allowance) and reported as `contact_not_found` faults.
 * - Crash recovery: recentlyEnrolled() lists the program's enrolments created within the lookback
 *   and returns the contacts they name; Dotdigital may not name them (then a warning says
 *   re-enrolment is left to the program's own rules). Staging lists left by an earlier run are
 *   recognised by name: an enrolled one counts as done, a never-enrolled one is deleted.
 * - List mode: a batch goes through a private staging list (v3 import on contactId, which never
 *   creates a contact) and one enrolment call; the list is deleted once released or at cleanUp.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../config/types.js';
import type { AddressBook, DotdigitalClient, Enrolment } from '../../dotdigital/types.js';
import {
  DroppedContact,
  type EnrolmentConfirmation,
  type EnrolmentEngine,
  type NothingSent,
  type SubmittedEnrolment,
} from '../engine-types.js';
import { AllowanceLedger } from './allowance.js';
import { AccountAllowance } from './allowance-account.js';
import { AllowanceWaiter } from './allowance-wait.js';
import { type Clock, systemClock } from './clock.js';
import { awaitEnrolment, DEFAULT_POLLING, type PollingOptions } from './confirm.js';
import { MAX_CONTACTS_PER_CALL, submitContacts } from './contacts-submit.js';
import type { EnrolmentCallContext } from './enrolment-call.js';
import { listRecentEnrolments } from './enrolment-listing.js';
import { submitThroughList } from './list-submit.js';
import { contactsOfRecentEnrolments } from './recent.js';
import type { ImportOptions } from './staging-import.js';
import { newSyncId } from './staging-list-name.js';
import { StagingLists } from './staging-lists.js';
import { WaitSpan } from './wait-span.js';

/** A list-mode batch's upper bound: one staging list, imported in chunks. */
export const MAX_LIST_BATCH = 1_000_000;

export interface EnrolmentEngineOptions {
  /** Time and sleeping; tests pass a clock that follows the emulator's time scale. */
  clock?: Clock;
  /** Aborts every wait (allowance window, processing, imports) when the sync is stopped. */
  signal?: AbortSignal;
  polling?: Partial<PollingOptions>;
  imports?: Omit<ImportOptions, 'signal'>;
  /** Identifies this run in staging-list names; random by default. */
  syncId?: string;
}

export interface EngineDetails {
  allowanceSpent: number;
  allowanceWaitMs: number;
  processingWaitMs: number;
  batchesByMode: { contacts: number; list: number };
  /** Why the batches went the way they did, for the summary. */
  modeRule: string;
  contactsDeletedBeforeEnrolment: number;
  stagingListsLeft: number;
}

/**
 * The seam's engine plus what list mode and the summary need. `release` and `cleanUp` matter only
 * in list mode; in contacts mode they do nothing.
 */
export interface StagingEnrolmentEngine extends EnrolmentEngine {
  /** Largest batch `submit` takes: 25 when only contacts mode may be used. */
  maxBatchSize(): number;
  /** The mode `submit` will use for a batch of this size. */
  modeFor(batchSize: number): 'contacts' | 'list';
  /**
   * Call once every state covering the enrolment's records has been echoed: its staging list is
   * then no longer needed for crash recovery and is deleted (later, in cleanUp, if still processing).
   */
  release(enrolment: SubmittedEnrolment): Promise<void>;
  /** Call at the end of a successful sync: deletes staging lists still held (this run's and recovered ones). */
  cleanUp(): Promise<void>;
  details(): EngineDetails;
}

interface PendingOutcome {
  /** Contacts left out of the call: deleted, or not added to the staging list. */
  dropped: DroppedContact[];
  listId?: number;
  /** confirm() saw Dotdigital finish it, so release() need not ask again before deleting the list. */
  finished?: boolean;
}

export function createEnrolmentEngine(
  client: DotdigitalClient,
  config: Pick<
    ConnectorConfig,
    | 'maxAllowanceWaitSeconds'
    | 'recentEnrolmentLookbackHours'
    | 'enrolmentMode'
    | 'listModeThreshold'
    | 'dryRun'
    | 'maxStateHoldSeconds'
  >,
  programId: number,
  logger: Logger,
  options: EnrolmentEngineOptions = {},
): StagingEnrolmentEngine {
  const clock = options.clock ?? systemClock;
  const signal = ownSignal(options.signal);
  const polling: PollingOptions = { ...DEFAULT_POLLING, ...options.polling };
  const waiter = new AllowanceWaiter(
    new AllowanceLedger(),
    clock,
    config.maxAllowanceWaitSeconds * 1000,
    logger,
    signal,
    new AccountAllowance(client, clock, logger),
  );
  const processingWait = new WaitSpan(clock);
  const lists = new StagingLists(client, programId, options.syncId ?? newSyncId(clock.now()), logger);
  const pending = new Map<string, PendingOutcome>();
  /** Staging lists to delete in cleanUp: recovered enrolled ones, and released ones still processing. */
  const deferredDeletes = new Map<number, string | undefined>();
  /** This run's enrolled staging lists awaiting release, with their enrolment. */
  const heldLists = new Map<number, string>();
  let allowanceSpent = 0;
  let deletedBeforeEnrolment = 0;
  const batchesByMode = { contacts: 0, list: 0 };

  const callContext: EnrolmentCallContext = {
    client,
    programId,
    clock,
    waiter,
    logger,
    knownEnrolmentIds: new Set(),
    onAccepted: () => {
      allowanceSpent++;
    },
  };

  function modeFor(batchSize: number): 'contacts' | 'list' {
    if (config.enrolmentMode !== 'auto') return config.enrolmentMode;
    return batchSize > MAX_CONTACTS_PER_CALL || batchSize >= config.listModeThreshold ? 'list' : 'contacts';
  }

  function notSent(mode: 'contacts' | 'list', dropped: DroppedContact[]): NothingSent {
    return { sent: false, contactIds: [], mode, dropped };
  }

  /**
   * Leftover staging lists of earlier runs: an enrolled one counts as done (its members are not
   * enrolled again) and is deleted at the end of this sync; one never enrolled is deleted now, as
   * the re-run brings its records again. Returns the members of the enrolled ones.
   */
  async function recoverStagingLists(
    leftovers: AddressBook[],
    enrolments: readonly Enrolment[],
  ): Promise<number[]> {
    // Which enrolment named each list: the list must outlive that enrolment's processing, because
    // Dotdigital enrols a list's members when it processes the enrolment, not when it accepts it.
    const enrolmentOfBook = new Map<number, string>();
    for (const enrolment of enrolments) {
      for (const book of enrolment.addressBooks ?? []) enrolmentOfBook.set(book, enrolment.id);
    }
    const booksListed = !enrolments.some(
      (enrolment) => enrolment.contacts === null && enrolment.addressBooks === null,
    );
    const recovered: number[] = [];
    for (const list of leftovers) {
      if (enrolmentOfBook.has(list.id)) {
        recovered.push(...(await lists.members(list.id)));
        deferredDeletes.set(list.id, enrolmentOfBook.get(list.id));
        logger.info(
          { listId: list.id, name: list.name },
          'An earlier run enrolled this staging list; its contacts count as enrolled',
        );
        continue;
      }
      if (config.dryRun) {
        logger.info(
          { listId: list.id, name: list.name },
          'Dry run: leaving a staging list of an earlier run in place',
        );
        continue;
      }
      if (!booksListed) {
        logger.warn(
          { listId: list.id, name: list.name },
          'Dotdigital does not say which lists recent enrolments named, so an earlier run may have enrolled this staging list; ' +
            'deleting it, and enrolling its records as the re-run brings them',
        );
      }
      await lists.delete(list.id);
    }
    return recovered;
  }

  return {
    async recentlyEnrolled(): Promise<ReadonlySet<number>> {
      const lookbackMs = config.recentEnrolmentLookbackHours * 3_600_000;
      const since = clock.now() - lookbackMs;
      const result = new Set<number>();
      // Checked whatever the mode: an earlier run may have used list mode.
      const leftovers = await lists.leftovers();
      if (lookbackMs <= 0 && leftovers.length === 0) return result;

      // A leftover list may be older than the lookback, so then every listed enrolment is read.
      const enrolments = await listRecentEnrolments(client, programId, leftovers.length > 0 ? 0 : since);
      if (lookbackMs > 0) {
        for (const id of contactsOfRecentEnrolments(enrolments, since, programId, logger).contactIds)
          result.add(id);
      }
      for (const id of await recoverStagingLists(leftovers, enrolments)) result.add(id);
      logger.info(
        {
          contacts: result.size,
          lookbackHours: config.recentEnrolmentLookbackHours,
          stagingListsRecovered: leftovers.length,
        },
        `${result.size} contact(s) count as already enrolled into program ${programId} by recent enrolments`,
      );
      return result;
    },

    async submit(contactIds: number[]): Promise<SubmittedEnrolment> {
      const mode = modeFor(contactIds.length);
      if (mode === 'list') {
        batchesByMode.list++;
        const submission = await submitThroughList(callContext, lists, clock, contactIds, {
          ...options.imports,
          signal,
        });
        deletedBeforeEnrolment += submission.failures.filter((f) => f.reason === 'contact_not_found').length;
        const dropped = submission.failures.map((f) => new DroppedContact(f.contactId, f.reason));
        if (submission.enrolment === undefined) return notSent(mode, dropped);
        heldLists.set(submission.listId, submission.enrolment.id);
        pending.set(submission.enrolment.id, { dropped, listId: submission.listId });
        return { sent: true, enrolmentId: submission.enrolment.id, contactIds: submission.enrolled, mode };
      }

      batchesByMode.contacts++;
      const submission = await submitContacts(callContext, contactIds);
      deletedBeforeEnrolment += submission.missing.length;
      const dropped = submission.missing.map(
        (contactId) => new DroppedContact(contactId, 'contact_not_found'),
      );
      if (submission.enrolment === undefined) return notSent(mode, dropped);
      if (dropped.length > 0) pending.set(submission.enrolment.id, { dropped });
      return { sent: true, enrolmentId: submission.enrolment.id, contactIds: submission.enrolled, mode };
    },

    async confirm(enrolment: SubmittedEnrolment, deadline: number): Promise<EnrolmentConfirmation> {
      if (!enrolment.sent) return { finished: true, faults: enrolment.dropped };
      const dropped = pending.get(enrolment.enrolmentId)?.dropped ?? [];
      const outcome = await awaitEnrolment(
        client,
        processingWait.measuring(),
        enrolment.enrolmentId,
        deadline,
        polling,
        signal,
      );
      if (!outcome.finished) return { finished: false, faults: [] };
      const entry = pending.get(enrolment.enrolmentId);
      if (entry) entry.finished = true;
      return {
        finished: true,
        faults: [...dropped, ...outcome.faults.map(({ contactId, reason }) => ({ contactId, reason }))],
      };
    },

    async release(enrolment: SubmittedEnrolment): Promise<void> {
      if (!enrolment.sent) return;
      const entry = pending.get(enrolment.enrolmentId);
      pending.delete(enrolment.enrolmentId);
      const listId = entry?.listId;
      if (listId === undefined) return;
      heldLists.delete(listId);
      // A state held past max_state_hold is released unconfirmed, and deleting a list Dotdigital is
      // still enrolling could cut the enrolment short: ask, unless confirm() already saw it finish.
      const processing =
        !entry?.finished && (await client.getEnrolment(enrolment.enrolmentId)).status === 'Processing';
      if (processing) deferredDeletes.set(listId, enrolment.enrolmentId);
      else await lists.delete(listId);
    },

    async cleanUp(): Promise<void> {
      for (const [listId, enrolmentId] of heldLists) deferredDeletes.set(listId, enrolmentId);
      heldLists.clear();
      // Staging lists should not outlive a successful sync, but deleting one Dotdigital is still
      // enrolling would enrol nobody: wait for processing, as long as a state may be held back.
      const deadline = clock.now() + config.maxStateHoldSeconds * 1000;
      for (const [listId, enrolmentId] of deferredDeletes) {
        if (enrolmentId !== undefined) {
          const outcome = await awaitEnrolment(
            client,
            processingWait.measuring(),
            enrolmentId,
            deadline,
            polling,
            signal,
          );
          if (!outcome.finished) {
            logger.warn(
              { listId, enrolmentId },
              'A staging list is kept because Dotdigital is still enrolling it; the next sync deletes it',
            );
            continue;
          }
        }
        await lists.delete(listId);
        deferredDeletes.delete(listId);
      }
    },

    stats: () => ({
      allowanceSpent,
      allowanceWaitMs: waiter.totalWaitMs,
      processingWaitMs: processingWait.totalMs(),
      allowanceHeldByOthers: waiter.unitsHeldByOthers,
    }),

    details: () => ({
      allowanceSpent,
      allowanceWaitMs: waiter.totalWaitMs,
      processingWaitMs: processingWait.totalMs(),
      batchesByMode: { ...batchesByMode },
      modeRule: describeModeRule(config),
      contactsDeletedBeforeEnrolment: deletedBeforeEnrolment,
      stagingListsLeft: heldLists.size + deferredDeletes.size,
    }),

    maxBatchSize: () => (config.enrolmentMode === 'contacts' ? MAX_CONTACTS_PER_CALL : MAX_LIST_BATCH),
    modeFor,
  };
}

/**
 * Every concurrent wait listens on the signal; many enrolments are confirmed at once, which would
 * trip Node's listener-leak warning on the caller's signal. One listener there feeds a signal of
 * the engine's own, which may have any number.
 */
function ownSignal(outer: AbortSignal | undefined): AbortSignal | undefined {
  if (outer === undefined) return undefined;
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  if (outer.aborted) inner.abort(outer.reason);
  else outer.addEventListener('abort', () => inner.abort(outer.reason), { once: true });
  return inner.signal;
}

function describeModeRule(config: Pick<ConnectorConfig, 'enrolmentMode' | 'listModeThreshold'>): string {
  if (config.enrolmentMode === 'contacts')
    return 'enrolment_mode is contacts: up to 25 contact IDs per enrolment call';
  if (config.enrolmentMode === 'list')
    return 'enrolment_mode is list: every batch goes through a staging list';
  return `enrolment_mode is auto: batches of ${config.listModeThreshold} or more contacts (or more than 25) go through a staging list`;
}
