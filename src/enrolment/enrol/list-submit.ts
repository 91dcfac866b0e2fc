import { AmbiguousRequestError } from '../../dotdigital/errors.js';
import type { Enrolment } from '../../dotdigital/types.js';
import type { Clock } from '../../time/clock.js';
import type { DroppedReason } from '../engine-types.js';
import { callEnrolment, type EnrolmentCallContext } from './enrolment-call.js';
import { importIntoList, type ImportOptions, type ImportRefusal } from './staging-import.js';
import { checkMembership } from './staging-membership.js';
import type { StagingList, StagingLists } from './staging-lists.js';

export interface ListSubmission {
  listId: number;
  /** Undefined when no contact could be added to the list, so nothing was enrolled. */
  enrolment?: Enrolment;
  /** Sent again after an unanswered call (see AcceptedCall). */
  resent: boolean;
  /** Contacts in the enrolled list. */
  enrolled: number[];
  failures: { contactId: number; reason: DroppedReason }[];
  /** Contacts Dotdigital would not import, left for the caller to enrol another way. */
  refused?: ImportRefusal;
}

export interface ListTimes {
  /** How long a staging list is held by its sync before another run may take it as abandoned. */
  leaseMs: number;
  /** How long an enrolled list is kept after acceptance (the look-back), so re-sent records are known. */
  keepMs: number;
}

/**
 * Enrols any number of contacts with one enrolment call: stage them in a new private list (held
 * under a lease in its name), check who is in it, enrol the list, and mark it enrolled at once. The
 * mark is what a later run reads, whatever Dotdigital's enrolment answers leave out; the only moment
 * it cannot help is a crash between Dotdigital's acceptance and the rename.
 */
export async function submitThroughList(
  ctx: EnrolmentCallContext,
  lists: StagingLists,
  clock: Clock,
  contactIds: readonly number[],
  times: ListTimes,
  importOptions: ImportOptions = {},
  /** Throws when contacts Dotdigital would not import may not be enrolled another way. */
  checkRefusal: (refusal: ImportRefusal) => void = () => undefined,
): Promise<ListSubmission> {
  let list = await lists.create(clock.now() + times.leaseMs);
  let staged: Awaited<ReturnType<typeof importIntoList>>;
  try {
    const imported = await importIntoList(ctx.client, clock, list.id, contactIds, importOptions);
    if (imported.refused !== undefined) checkRefusal(imported.refused);
    staged = await checkMembership(ctx.client, lists, list.id, imported);
  } catch (error) {
    // Nothing enrolled it, so a re-run has no use for it.
    await lists.delete(list.id);
    throw error;
  }
  const { added, failures, refused } = staged;
  const left = refused === undefined ? {} : { refused };
  if (added.length === 0) {
    await lists.delete(list.id);
    return { listId: list.id, enrolled: [], failures, resent: false, ...left };
  }
  // The import may have taken most of the lease; the enrolment call (and its allowance wait) needs it whole.
  if (list.parsed.until - clock.now() < times.leaseMs / 2) {
    list = await lists.mark(list, 'staged', clock.now() + times.leaseMs);
  }
  let accepted: Awaited<ReturnType<typeof callEnrolment>>;
  try {
    accepted = await callEnrolment(ctx, { addressBooks: [list.id] });
  } catch (error) {
    // A refused call enrolled nobody, so the list is useless; after an unanswered one it may have
    // been enrolled, and the next run's recovery needs it to tell.
    if (!(error instanceof AmbiguousRequestError)) await lists.delete(list.id);
    throw error;
  }
  await markEnrolled(ctx, lists, list, clock.now() + times.keepMs);
  ctx.logger.info(
    {
      listId: list.id,
      enrolmentId: accepted.enrolment.id,
      contacts: added.length,
      importFailures: failures.length,
    },
    `Enrolled ${added.length} contacts through a staging list with one enrolment call`,
  );
  return {
    listId: list.id,
    enrolment: accepted.enrolment,
    resent: accepted.resent,
    enrolled: added,
    failures,
    ...left,
  };
}

async function markEnrolled(
  ctx: EnrolmentCallContext,
  lists: StagingLists,
  list: StagingList,
  keepUntil: number,
): Promise<void> {
  try {
    await lists.mark(list, 'enrolled', keepUntil);
  } catch (error) {
    ctx.logger.warn(
      { listId: list.id, err: error },
      'Could not mark an enrolled staging list as enrolled; if this sync stops before its states are saved and ' +
        "Dotdigital's answers do not name the list, a re-run may enrol its contacts again",
    );
  }
}
