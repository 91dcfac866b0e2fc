import type { DotdigitalClient, Enrolment } from '../../dotdigital/types.js';
import type { Clock } from '../../time/clock.js';
import { listRecentEnrolments } from './enrolment-listing.js';
import { namesMembers } from './recent.js';

/**
 * How long before the call an enrolment may look created and still be the call's: the listing's dates
 * are moved onto our clock only to within the second (and the network's delay) of its Date header.
 */
export const AMBIGUOUS_MATCH_SKEW_MS = 5 * 60 * 1000;

export interface AmbiguousCall {
  programId: number;
  contacts?: number[];
  addressBooks?: number[];
  /** When the unanswered call was sent, on the engine's clock. */
  sentAt: number;
  /** Enrolments this process already knows as its own, which cannot be the lost answer. */
  knownEnrolmentIds: ReadonlySet<string>;
}

/**
 * After an enrolment call ended without an answer, looks for the enrolment it may have created: one
 * for the program, created around the call, naming exactly the call's contacts (or lists). When
 * Dotdigital's answers do not name them (`null`, or `[]` for a request that was not empty), nothing
 * tells one enrolment from another, so none is taken: the caller sends the call again, and a contact
 * the lost call did enrol comes back in the fault report as already in the program.
 */
export async function findLostEnrolment(
  client: DotdigitalClient,
  clock: Pick<Clock, 'now'>,
  call: AmbiguousCall,
): Promise<Enrolment | undefined> {
  const candidates = (
    await listRecentEnrolments(client, clock, call.programId, call.sentAt - AMBIGUOUS_MATCH_SKEW_MS)
  ).filter((enrolment) => !call.knownEnrolmentIds.has(enrolment.id) && namesMembers(enrolment));
  return candidates.find(
    (enrolment) =>
      sameIds(enrolment.contacts, call.contacts) && sameIds(enrolment.addressBooks, call.addressBooks),
  );
}

/** Equal as sets; an absent or empty side equals an absent or empty side. */
function sameIds(listed: number[] | null, sent: number[] | undefined): boolean {
  const a = listed ?? [];
  const b = sent ?? [];
  if (a.length !== b.length) return false;
  const wanted = new Set(b);
  return a.every((id) => wanted.has(id));
}
