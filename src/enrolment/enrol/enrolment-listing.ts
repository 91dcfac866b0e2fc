import { MAX_V2_PAGE } from '../../dotdigital/limits.js';
import type { DotdigitalClient, Enrolment, EnrolmentStatus } from '../../dotdigital/types.js';

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

/**
 * Every enrolment of the account, across the statuses an accepted enrolment can have. The listing is
 * per status and in no documented order, so every page is read. An enrolment that finishes between
 * the two statuses' pages is visited twice: callers key what they keep by enrolment ID.
 */
export async function forEachListedEnrolment(
  client: DotdigitalClient,
  /** `serverTime`: Dotdigital's clock when it answered the page (its Date header), if it said. */
  visit: (enrolment: Enrolment, serverTime: number | undefined) => void,
): Promise<void> {
  for (const status of LISTED_STATUSES) {
    for (let skip = 0; ; skip += MAX_V2_PAGE) {
      const page = await client.listEnrolmentsByStatus(status, { select: MAX_V2_PAGE, skip });
      for (const enrolment of page.enrolments) visit(enrolment, page.serverTime);
      if (page.enrolments.length < MAX_V2_PAGE) break;
    }
  }
}

/**
 * The program's enrolments created at or after `since`. An enrolment whose date cannot be read is kept
 * (treated as recent) rather than silently dropped.
 */
export async function listRecentEnrolments(
  client: DotdigitalClient,
  programId: number,
  since: number,
): Promise<Enrolment[]> {
  const recent = new Map<string, Enrolment>();
  await forEachListedEnrolment(client, (enrolment) => {
    if (enrolment.programId !== programId) return;
    const created = parseDotdigitalDate(enrolment.dateCreated);
    // An enrolment finishing between the two status pages would otherwise be seen twice.
    if (Number.isNaN(created) || created >= since) recent.set(enrolment.id, enrolment);
  });
  return [...recent.values()];
}
