import type { Logger } from 'pino';
import type { ListedEnrolment } from './enrolment-listing.js';
import { namesMembers } from './recent.js';
import type { StagingList, StagingLists } from './staging-lists.js';

export interface RecoveryContext {
  lists: StagingLists;
  logger: Logger;
  now: number;
  lookbackMs: number;
  dryRun: boolean;
}

export interface Recovered {
  /** Members of staging lists Dotdigital accepted an enrolment of: they count as enrolled. */
  enrolled: number[];
  /** Lists read as enrolled, by id, with the enrolment that named them when one did. */
  enrolledLists: number;
}

/**
 * Staging lists of other syncs into this program. What each tells, from its name and, when Dotdigital
 * lists them, the enrolments naming it:
 * - enrolled (marked so right after acceptance): its members count as enrolled, so a re-run, a lost
 *   state or records sent again enrol nobody twice; once its keep-until has passed it is deleted.
 * - staged, but named by an enrolment: as enrolled (the sync stopped before it could mark it).
 * - staged, its lease passed: its sync is gone and nothing shows it enrolled, so it is deleted and the
 *   re-run brings its records again.
 * - staged, its lease running: another sync is filling it; it is left alone.
 */
export async function recoverStagingLists(
  ctx: RecoveryContext,
  others: readonly StagingList[],
  enrolments: readonly ListedEnrolment[],
): Promise<Recovered> {
  const namedBy = new Map<number, ListedEnrolment>();
  for (const enrolment of enrolments) {
    for (const book of enrolment.addressBooks ?? []) namedBy.set(book, enrolment);
  }
  const unlisted = enrolments.some((enrolment) => !namesMembers(enrolment));
  const enrolled: number[] = [];
  let enrolledLists = 0;
  for (const list of others) {
    const { phase, until } = list.parsed;
    const enrolment = namedBy.get(list.id);
    if (phase === 'enrolled' || enrolment !== undefined) {
      enrolled.push(...(await ctx.lists.members(list.id)));
      enrolledLists++;
      const keepUntil =
        phase === 'enrolled' ? until : acceptedAt(enrolment, ctx.now) + Math.max(0, ctx.lookbackMs);
      if (ctx.dryRun) continue;
      if (keepUntil <= ctx.now) {
        ctx.logger.info(
          { listId: list.id, name: list.name },
          'Deleting an enrolled staging list whose look-back has passed',
        );
        await ctx.lists.delete(list.id);
      } else if (phase === 'staged' && until <= ctx.now) {
        await ctx.lists.mark(list, 'enrolled', keepUntil).catch((error: unknown) => {
          ctx.logger.warn(
            { listId: list.id, err: error },
            'Could not mark a recovered staging list enrolled',
          );
        });
      }
      continue;
    }
    if (until > ctx.now) {
      ctx.logger.info(
        { listId: list.id, name: list.name },
        'Another sync into this program holds this staging list; leaving it alone',
      );
      continue;
    }
    if (ctx.dryRun) {
      ctx.logger.info(
        { listId: list.id, name: list.name },
        'Dry run: leaving a staging list of an earlier run',
      );
      continue;
    }
    if (unlisted) {
      ctx.logger.warn(
        { listId: list.id, name: list.name },
        "An earlier sync stopped before it could mark this staging list enrolled, and Dotdigital's answers do not say " +
          'which lists its enrolments named; if that sync stopped in the moment right after Dotdigital accepted the ' +
          "list, its contacts may enter the program again (unless the program's own rules stop it)",
      );
    }
    await ctx.lists.delete(list.id);
  }
  return { enrolled, enrolledLists };
}

function acceptedAt(enrolment: ListedEnrolment | undefined, fallback: number): number {
  const created = enrolment?.createdAt ?? NaN;
  return Number.isNaN(created) ? fallback : created;
}
