/**
 * The enrolment engine for one program (the pipeline's EnrolmentEngine). What it guarantees:
 * - Allowance: one accepted enrolment call per submit. When Dotdigital's 20 calls per rolling hour
 *   are spent it waits (re-checking every few minutes, logging why and until when) up to
 *   max_allowance_wait_minutes per wait, then ends with a TransientError saying when it frees up.
 * - No guessing about unanswered calls: an enrolment call without an answer is matched against the
 *   program's recent enrolments only when Dotdigital names their contacts; otherwise it is sent again,
 *   and a fault saying a resent contact is already in the program reads as "enrolled earlier".
 * - Contacts deleted after resolution are dropped from the batch (found by look-ups, which cost no
 *   allowance) and reported as `contact_not_found` faults.
 * - Crash recovery: recentlyEnrolled() returns the contacts named by the program's enrolments within
 *   the look-back (when Dotdigital names them) and the members of staging lists other runs enrolled
 *   (staging-recovery.ts), which are recognised by name whatever the answers leave out.
 * - List mode: a batch goes through a private staging list (v3 import on contactId, which never
 *   creates a contact), checked member by member, and one enrolment call; the list is then marked
 *   enrolled and kept for the look-back, so records sent again are known (list-submit.ts).
 */
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../config/types.js';
import type { DotdigitalClient } from '../../dotdigital/types.js';
import {
  DroppedContact,
  type EnrolmentConfirmation,
  type EnrolmentEngine,
  type EngineStats,
  type NothingSent,
  type SubmittedEnrolment,
} from '../engine-types.js';
import { AllowanceLedger } from './allowance.js';
import { AccountAllowance } from './allowance-account.js';
import { AllowanceWaiter } from './allowance-wait.js';
import { type Clock, systemClock } from '../../time/clock.js';
import { shareStopSignal } from '../../time/stop-signal.js';
import { awaitEnrolment, DEFAULT_POLLING, type PollingOptions } from './confirm.js';
import { batchMode, describeBatchRule, type AccountFacts } from '../batch-mode.js';
import { submitContacts } from './contacts-submit.js';
import { enrolByContactsInstead, requireFallback } from './contacts-fallback.js';
import type { EnrolmentCallContext } from './enrolment-call.js';
import { listRecentEnrolments } from './enrolment-listing.js';
import { submitThroughList, type ListTimes } from './list-submit.js';
import { answersNameMembers, contactsOfRecentEnrolments } from './recent.js';
import type { ImportOptions } from './staging-import.js';
import { newSyncId } from './staging-list-name.js';
import { StagingLists } from './staging-lists.js';
import { recoverStagingLists } from './staging-recovery.js';
import { saysEnrolledBefore } from './api-errors.js';
import { WaitSpan } from './wait-span.js';

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

/**
 * A staging list's lease beyond the longest allowance waits: the enrolment call (after its import and
 * a renewal) has to be sent within it, and a list past it belongs to a sync that is gone.
 */
const STAGING_LEASE_MS = 60 * 60_000;
/**
 * An enrolled list is kept at least this long even with the look-back off: Dotdigital enrols a list's
 * members when it processes the enrolment, so a list deleted while processing would enrol nobody.
 */
const MIN_ENROLLED_KEEP_MS = 24 * 3_600_000;

interface PendingOutcome {
  /** Contacts left out of the call: deleted, refused for their status, or not added to the staging list. */
  dropped: DroppedContact[];
  /** Sent again after an unanswered call: "already in the program" then means "enrolled earlier". */
  resent?: boolean;
  listId?: number;
  /** confirm() saw Dotdigital finish it, so release() need not ask again before deleting the list. */
  finished?: boolean;
  /** More enrolments of the same batch: contacts a staging list could not take, enrolled by contact IDs. */
  also?: { id: string; resent: boolean }[];
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
): EnrolmentEngine {
  const clock = options.clock ?? systemClock;
  // Many enrolments are confirmed at once, each poll waiting on the stop signal.
  const signal = options.signal && shareStopSignal(options.signal).signal;
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
  const lookbackMs = config.recentEnrolmentLookbackHours * 3_600_000;
  const listTimes: ListTimes = {
    leaseMs: STAGING_LEASE_MS + 2 * config.maxAllowanceWaitSeconds * 1000,
    keepMs: Math.max(lookbackMs, MIN_ENROLLED_KEEP_MS),
  };
  const pending = new Map<string, PendingOutcome>();
  /** This run's enrolled staging lists to delete in finish() (look-back off), with their enrolment. */
  const deferredDeletes = new Map<number, string>();
  /** This run's enrolled staging lists awaiting release, with their enrolment. */
  const heldLists = new Map<number, string>();
  /** This run's enrolled staging lists kept for the look-back. */
  let keptLists = 0;
  let allowanceSpent = 0;
  let deletedBeforeEnrolment = 0;
  const batchesByMode = { contacts: 0, list: 0 };
  const facts: AccountFacts = {};

  const callContext: EnrolmentCallContext = {
    client,
    programId,
    clock,
    waiter,
    logger,
    knownEnrolmentIds: new Set(),
    onAccepted: (enrolment) => {
      allowanceSpent++;
      facts.answersNameMembers = answersNameMembers(facts.answersNameMembers, [enrolment]);
    },
  };

  function notSent(mode: 'contacts' | 'list', dropped: DroppedContact[]): NothingSent {
    return { sent: false, contactIds: [], mode, dropped };
  }

  return {
    async recentlyEnrolled(): Promise<ReadonlySet<number>> {
      const now = clock.now();
      const since = now - lookbackMs;
      const result = new Set<number>();
      // Checked whatever the mode: an earlier run may have used list mode.
      const others = await lists.ofOtherSyncs();
      if (lookbackMs <= 0 && others.length === 0) return result;

      // A staged list may be older than the look-back, so then every listed enrolment is read.
      const staged = others.some((list) => list.parsed.phase === 'staged');
      const enrolments =
        lookbackMs > 0 || staged
          ? await listRecentEnrolments(client, clock, programId, staged ? 0 : since)
          : [];
      facts.answersNameMembers = answersNameMembers(facts.answersNameMembers, enrolments);
      if (lookbackMs > 0) {
        for (const id of contactsOfRecentEnrolments(enrolments, since, programId, logger).contactIds)
          result.add(id);
      }
      const recovered = await recoverStagingLists(
        { lists, logger, now, lookbackMs, dryRun: config.dryRun },
        others,
        enrolments,
      );
      for (const id of recovered.enrolled) result.add(id);
      logger.info(
        {
          contacts: result.size,
          lookbackHours: config.recentEnrolmentLookbackHours,
          stagingListsOfOtherRuns: others.length,
          enrolledStagingLists: recovered.enrolledLists,
        },
        `${result.size} contact(s) count as already enrolled into program ${programId} by recent enrolments`,
      );
      return result;
    },

    async submit(contactIds: number[], deadline?: number): Promise<SubmittedEnrolment> {
      const mode = batchMode(config, contactIds.length, facts);
      const ctx: EnrolmentCallContext = { ...callContext, deadline };
      if (mode === 'list') {
        batchesByMode.list++;
        const submission = await submitThroughList(
          ctx,
          lists,
          clock,
          contactIds,
          listTimes,
          { ...options.imports, deadline, signal },
          (refusal) => requireFallback(config, refusal),
        );
        deletedBeforeEnrolment += submission.failures.filter((f) => f.reason === 'contact_not_found').length;
        const dropped = submission.failures.map((f) => new DroppedContact(f.contactId, f.reason));
        const instead =
          submission.refused === undefined
            ? undefined
            : await enrolByContactsInstead(ctx, submission.refused, logger);
        const calls = [
          ...(submission.enrolment === undefined
            ? []
            : [{ enrolment: submission.enrolment, resent: submission.resent }]),
          ...(instead?.calls ?? []),
        ];
        if (instead !== undefined) {
          batchesByMode.contacts += instead.calls.length;
          dropped.push(...instead.dropped);
        }
        const [primary, ...also] = calls;
        if (primary === undefined) return notSent(mode, dropped);
        if (submission.enrolment !== undefined) heldLists.set(submission.listId, submission.enrolment.id);
        pending.set(primary.enrolment.id, {
          dropped,
          resent: primary.resent,
          ...(submission.enrolment === undefined ? {} : { listId: submission.listId }),
          also: also.map((call) => ({ id: call.enrolment.id, resent: call.resent })),
        });
        return {
          sent: true,
          enrolmentId: primary.enrolment.id,
          contactIds: [...submission.enrolled, ...(instead?.enrolled ?? [])],
          mode,
        };
      }

      batchesByMode.contacts++;
      const submission = await submitContacts(ctx, contactIds);
      deletedBeforeEnrolment += submission.missing.length;
      const dropped = [
        ...submission.missing.map((contactId) => new DroppedContact(contactId, 'contact_not_found')),
        ...submission.refused.map(({ contactId, reason }) => new DroppedContact(contactId, reason)),
      ];
      if (submission.enrolment === undefined) return notSent(mode, dropped);
      if (dropped.length > 0 || submission.resent)
        pending.set(submission.enrolment.id, { dropped, resent: submission.resent });
      return { sent: true, enrolmentId: submission.enrolment.id, contactIds: submission.enrolled, mode };
    },

    async confirm(enrolment: SubmittedEnrolment, deadline: number): Promise<EnrolmentConfirmation> {
      if (!enrolment.sent) return { finished: true, faults: enrolment.dropped };
      const entry = pending.get(enrolment.enrolmentId);
      const calls = [{ id: enrolment.enrolmentId, resent: entry?.resent === true }, ...(entry?.also ?? [])];
      const faults: EnrolmentConfirmation['faults'] = [...(entry?.dropped ?? [])];
      for (const call of calls) {
        const outcome = await awaitEnrolment(
          client,
          processingWait.measuring(),
          call.id,
          deadline,
          polling,
          signal,
        );
        if (!outcome.finished) return { finished: false, faults: [] };
        const reported = outcome.faults.filter((fault) => !(call.resent && saysEnrolledBefore(fault.reason)));
        if (reported.length < outcome.faults.length) {
          logger.info(
            { enrolmentId: call.id, contacts: outcome.faults.length - reported.length },
            'Dotdigital reports contacts of a resent enrolment call as already in the program: the unanswered call enrolled them',
          );
        }
        faults.push(...reported.map(({ contactId, reason }) => ({ contactId, reason })));
      }
      if (entry) entry.finished = true;
      return { finished: true, faults };
    },

    async release(enrolment: SubmittedEnrolment): Promise<void> {
      if (!enrolment.sent) return;
      const entry = pending.get(enrolment.enrolmentId);
      pending.delete(enrolment.enrolmentId);
      const listId = entry?.listId;
      if (listId === undefined) return;
      heldLists.delete(listId);
      // Marked enrolled, the list tells a later run who is in the program until the look-back passes.
      if (lookbackMs > 0) {
        keptLists++;
        return;
      }
      // A state held past max_state_hold is released unconfirmed, and deleting a list Dotdigital is
      // still enrolling could cut the enrolment short: ask, unless confirm() already saw it finish.
      const processing =
        !entry?.finished && (await client.getEnrolment(enrolment.enrolmentId)).status === 'Processing';
      if (processing) deferredDeletes.set(listId, enrolment.enrolmentId);
      else await lists.delete(listId);
    },

    async finish(): Promise<void> {
      if (lookbackMs > 0) {
        keptLists += heldLists.size;
        heldLists.clear();
        return;
      }
      for (const [listId, enrolmentId] of heldLists) deferredDeletes.set(listId, enrolmentId);
      heldLists.clear();
      // Deleting a list Dotdigital is still enrolling would enrol nobody: wait for processing, as
      // long as a state may be held back; past that the list stays for the next run to delete.
      const deadline = clock.now() + config.maxStateHoldSeconds * 1000;
      for (const [listId, enrolmentId] of deferredDeletes) {
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
            'A staging list is kept because Dotdigital is still enrolling it; a later sync deletes it',
          );
          continue;
        }
        if (await lists.delete(listId)) deferredDeletes.delete(listId);
      }
    },

    accountFacts: (): AccountFacts => ({ ...facts }),

    stats: (): EngineStats => ({
      allowanceSpent,
      allowanceWaitMs: waiter.totalWaitMs,
      processingWaitMs: processingWait.totalMs(),
      batchesByMode: { ...batchesByMode },
      modeRule: describeBatchRule(config),
      contactsDeletedBeforeEnrolment: deletedBeforeEnrolment,
      stagingListsLeft: heldLists.size + deferredDeletes.size + keptLists,
      allowanceHeldByOthers: waiter.unitsHeldByOthers,
    }),
  };
}
