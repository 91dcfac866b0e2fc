import { AmbiguousRequestError } from '../../dotdigital/errors.js';
import type { Enrolment } from '../../dotdigital/types.js';
import type { DroppedReason } from '../engine-types.js';
import type { Clock } from './clock.js';
import { callEnrolment, type EnrolmentCallContext } from './enrolment-call.js';
import { importIntoList, type ImportOptions } from './staging-import.js';
import type { StagingLists } from './staging-lists.js';

export interface ListSubmission {
  listId: number;
  /** Undefined when no contact could be added to the list, so nothing was enrolled. */
  enrolment?: Enrolment;
  /** Contacts in the enrolled list. */
  enrolled: number[];
  failures: { contactId: number; reason: DroppedReason }[];
}

/**
 * Enrols any number of contacts with one enrolment call: stage them in a new private list, then
 * enrol the list. The list is kept until the caller releases it (after its records' states are
 * echoed), because a re-run after a crash recognises an enrolled staging list as done.
 */
export async function submitThroughList(
  ctx: EnrolmentCallContext,
  lists: StagingLists,
  clock: Clock,
  contactIds: readonly number[],
  importOptions: ImportOptions = {},
): Promise<ListSubmission> {
  const list = await lists.create();
  let imported: Awaited<ReturnType<typeof importIntoList>>;
  try {
    imported = await importIntoList(ctx.client, clock, list.id, contactIds, importOptions);
  } catch (error) {
    // Nothing enrolled it, so a re-run has no use for it.
    await lists.delete(list.id).catch(() => undefined);
    throw error;
  }
  const { added, failures } = imported;
  if (added.length === 0) {
    await lists.delete(list.id);
    return { listId: list.id, enrolled: [], failures };
  }
  let enrolment: Enrolment;
  try {
    enrolment = await callEnrolment(ctx, { addressBooks: [list.id] });
  } catch (error) {
    // A refused call enrolled nobody, so the list is useless; after an unanswered one it may have
    // been enrolled, and the next run's recovery needs it to tell.
    if (!(error instanceof AmbiguousRequestError)) await lists.delete(list.id).catch(() => undefined);
    throw error;
  }
  ctx.logger.info(
    { listId: list.id, enrolmentId: enrolment.id, contacts: added.length, importFailures: failures.length },
    `Enrolled ${added.length} contacts through a staging list with one enrolment call`,
  );
  return { listId: list.id, enrolment, enrolled: added, failures };
}
