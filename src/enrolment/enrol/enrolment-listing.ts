import { MAX_V2_PAGE } from '../../dotdigital/limits.js';
import type { DotdigitalClient, Enrolment, EnrolmentStatus } from '../../dotdigital/types.js';
import type { Clock } from '../../time/clock.js';

/** Statuses under which an accepted enrolment can appear. */
const LISTED_STATUSES: EnrolmentStatus[] = ['Processing', 'Finished'];

/**
 * Dotdigital writes dates as `2020-01-01 09:40:18.527000+00:00` (space, microseconds) as well as
 * ISO 8601; both parse here. NaN when neither fits, so a caller can tell "unknown" from "old".
 */
export function parseDotdigitalDate(text: string): number {
  const iso = text
    .trim()
    .replace(' ', 'T')
    .replace(/(\.\d{3})\d+/, '$1');
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`;
  return Date.parse(withZone);
}

/** A listed enrolment and when it was created, on the connector's clock. */
export interface ListedEnrolment extends Enrolment {
  /**
   * `dateCreated` moved from Dotdigital's clock onto the connector's (ms since the epoch), so it can be
   * compared with the connector's own times; NaN when the date cannot be read.
   */
  createdAt: number;
}

/**
 * Every enrolment of the account, across the statuses an accepted enrolment can have. The listing is
 * per status and in no documented order, so every page is read. An enrolment that finishes between
 * the two statuses' pages is visited twice: callers key what they keep by enrolment ID.
 */
export async function forEachListedEnrolment(
  client: DotdigitalClient,
  clock: Pick<Clock, 'now'>,
  visit: (enrolment: ListedEnrolment) => void,
): Promise<void> {
  for (const status of LISTED_STATUSES) {
    for (let skip = 0; ; skip += MAX_V2_PAGE) {
      const page = await client.listEnrolmentsByStatus(status, { select: MAX_V2_PAGE, skip });
      // Read as soon as the page arrives, so the gap measured is the clocks' and not the paging's.
      const offset = clockOffset(page.serverTime, clock.now());
      for (const enrolment of page.enrolments) {
        visit({ ...enrolment, createdAt: parseDotdigitalDate(enrolment.dateCreated) - offset });
      }
      if (page.enrolments.length < MAX_V2_PAGE) break;
    }
  }
}

/**
 * How far Dotdigital's clock is ahead of ours, from an answer's `Date` (0 without one). The listing's
 * dates are on Dotdigital's clock: read on ours, a server clock hours ahead would make old enrolments
 * look recent (an hour's allowance still spent, a look-back too long, an older enrolment taken for a
 * lost call's), and one behind would make recent ones look old. The estimate errs towards an
 * enrolment looking a little newer, never older: the header is rounded down to the second and written
 * before the answer travels, so the offset comes out smaller.
 */
function clockOffset(serverTime: number | undefined, localNow: number): number {
  return serverTime === undefined ? 0 : serverTime - localNow;
}

/**
 * The program's enrolments created at or after `since` (on the connector's clock). An enrolment whose
 * date cannot be read is kept (treated as recent) rather than silently dropped.
 */
export async function listRecentEnrolments(
  client: DotdigitalClient,
  clock: Pick<Clock, 'now'>,
  programId: number,
  since: number,
): Promise<ListedEnrolment[]> {
  const recent = new Map<string, ListedEnrolment>();
  await forEachListedEnrolment(client, clock, (enrolment) => {
    if (enrolment.programId !== programId) return;
    // An enrolment finishing between the two status pages would otherwise be seen twice.
    if (Number.isNaN(enrolment.createdAt) || enrolment.createdAt >= since)
      recent.set(enrolment.id, enrolment);
  });
  return [...recent.values()];
}
