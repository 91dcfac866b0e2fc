import type { Logger } from 'pino';
import type { DotdigitalClient, Enrolment } from '../../dotdigital/types.js';
import { listRecentEnrolments } from './enrolment-listing.js';

/** Clock skew allowed between this machine and Dotdigital when matching an enrolment's creation time. */
export const AMBIGUOUS_MATCH_SKEW_MS = 5 * 60 * 1000;

export interface AmbiguousCall {
  programId: number;
  contacts?: number[];
  addressBooks?: number[];
  /** When the unanswered call was sent, in the engine's clock. */
  sentAt: number;
  /** Enrolments this process already knows as its own, which cannot be the lost answer. */
  knownEnrolmentIds: ReadonlySet<string>;
}

/**
 * After an enrolment call ended without an answer, looks for the enrolment it may have created:
 * one for the program, created around the call, naming exactly the call's contacts (or lists).
 * When Dotdigital does not list contact IDs, a single unknown enrolment created since the call is
 * taken as the answer; more than one cannot be told apart, so none is taken (resubmitting then
 * risks a second enrolment, which the program's own re-enrolment rules usually absorb, while
 * wrongly assuming acceptance would silently lose the contacts).
 */
export async function findLostEnrolment(
  client: DotdigitalClient,
  call: AmbiguousCall,
  logger: Logger,
): Promise<Enrolment | undefined> {
  const candidates = (
    await listRecentEnrolments(client, call.programId, call.sentAt - AMBIGUOUS_MATCH_SKEW_MS)
  ).filter((enrolment) => !call.knownEnrolmentIds.has(enrolment.id));
  const exact = candidates.find(
    (enrolment) =>
      sameIds(enrolment.contacts, call.contacts) && sameIds(enrolment.addressBooks, call.addressBooks),
  );
  if (exact) return exact;

  const unlisted = candidates.filter(
    (enrolment) => enrolment.contacts === null && enrolment.addressBooks === null,
  );
  if (unlisted.length === 1) {
    logger.warn(
      { enrolmentId: unlisted[0]?.id },
      'Dotdigital does not list which contacts an enrolment holds; taking the only new enrolment of the program as the one the unanswered call created',
    );
    return unlisted[0];
  }
  if (unlisted.length > 1) {
    logger.warn(
      { candidates: unlisted.length },
      'Dotdigital does not list which contacts an enrolment holds and several new enrolments exist; sending the unanswered call again',
    );
  }
  return undefined;
}

/** Equal as sets; an absent or empty side equals an absent or empty side. */
function sameIds(listed: number[] | null, sent: number[] | undefined): boolean {
  const a = listed ?? [];
  const b = sent ?? [];
  if (a.length !== b.length) return false;
  const wanted = new Set(b);
  return a.every((id) => wanted.has(id));
}
