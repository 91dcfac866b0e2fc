import type { Logger } from 'pino';
import type { Enrolment } from '../../dotdigital/types.js';
import type { ListedEnrolment } from './enrolment-listing.js';

export interface RecentContacts {
  contactIds: Set<number>;
  /** Enrolments in the window whose contacts Dotdigital does not list, so the set may be incomplete. */
  unlisted: number;
}

/**
 * Whether an answer says what the enrolment holds. An accepted enrolment always named something, so
 * `[]` for both (as much as `null`) means Dotdigital left the members out, not that there were none.
 */
export function namesMembers(enrolment: Pick<Enrolment, 'contacts' | 'addressBooks'>): boolean {
  return (enrolment.contacts ?? []).length > 0 || (enrolment.addressBooks ?? []).length > 0;
}

/**
 * Whether the account's answers name what an enrolment holds, after seeing `enrolments` on top of what
 * was `known`: one answer that names nothing settles it, for it shows what a re-run would be left with.
 */
export function answersNameMembers(
  known: boolean | undefined,
  enrolments: readonly Pick<Enrolment, 'contacts' | 'addressBooks'>[],
): boolean | undefined {
  if (known === false || enrolments.length === 0) return known;
  return enrolments.every(namesMembers);
}

/**
 * Contacts named by the program's enrolments created at or after `since`, so that a re-run after a
 * crash does not enrol again those whose enrolment was accepted before the crash. Enrolments of
 * lists are left to staging-list recovery: a list's membership today says nothing about who it
 * held then, unless the connector staged it. An enrolment without a readable date counts as recent.
 */
export function contactsOfRecentEnrolments(
  enrolments: readonly ListedEnrolment[],
  since: number,
  programId: number,
  logger: Logger,
): RecentContacts {
  const contactIds = new Set<number>();
  let unlisted = 0;
  let inWindow = 0;
  for (const enrolment of enrolments) {
    if (enrolment.programId !== programId || enrolment.createdAt < since) continue;
    inWindow++;
    if (!namesMembers(enrolment)) {
      unlisted++;
      continue;
    }
    for (const id of enrolment.contacts ?? []) contactIds.add(id);
  }
  if (unlisted > 0) {
    logger.warn(
      { enrolments: inWindow, withoutContactIds: unlisted, programId },
      `Dotdigital does not say which contacts ${unlisted} recent enrolment(s) of program ${programId} hold, ` +
        'so contacts enrolled by an interrupted earlier run are not recognised and may be enrolled again ' +
        "if the program's own rules allow re-enrolment",
    );
  }
  return { contactIds, unlisted };
}
