import type { ResolutionStrategy } from '../../config/types.js';

/**
 * What the resolver has learnt about the account's size, in listing pages. Dotdigital's contact
 * listing carries no total, so the size is learnt from walks: a walk that reaches the end gives the
 * exact page count; a walk abandoned early proves at least one more page exists.
 */
export interface AccountSize {
  /** Exact number of listing pages, once a walk has reached the end. */
  pages?: number;
  /** Fewest pages the account can have, from walks that stopped early. */
  minPages: number;
}

export type ResolutionPlan =
  | { strategy: 'lookup' }
  /** `bailOut`: stop the walk once it has cost as many calls as the look-ups still needed. */
  | { strategy: 'scan'; bailOut: boolean };

/**
 * Picks the cheaper way to resolve a batch, counting API calls: a look-up costs one call per
 * distinct query; a walk costs one call per page of the account. When the size is unknown the
 * walk starts with a bail-out (the ski-rental rule), which never costs more than twice the cheaper
 * choice and teaches the resolver the size for the next batches.
 */
export function planResolution(
  forced: ResolutionStrategy,
  distinctQueries: number,
  size: AccountSize,
): ResolutionPlan {
  if (forced === 'lookup') return { strategy: 'lookup' };
  if (forced === 'scan') return { strategy: 'scan', bailOut: false };
  // Ties go to look-ups: they run in parallel, a walk is sequential.
  if (distinctQueries <= 1) return { strategy: 'lookup' };
  if (size.pages !== undefined) {
    return size.pages < distinctQueries ? { strategy: 'scan', bailOut: false } : { strategy: 'lookup' };
  }
  if (size.minPages >= distinctQueries) return { strategy: 'lookup' };
  return { strategy: 'scan', bailOut: true };
}

/**
 * The walk's stopping rule under `bailOut`: stop once the pages spent beyond those already known
 * to exist have caught up with the look-ups left. Pages known to exist are a cost any complete walk
 * pays, so a later batch walks past them and the resolver learns the account's real size instead of
 * abandoning every walk at the same page. Costs at most three times the cheaper choice.
 */
export function shouldBailOut(pagesRead: number, unresolved: number, knownPages = 0): boolean {
  return pagesRead - knownPages >= unresolved;
}

export function learnFromWalk(size: AccountSize, pagesRead: number, complete: boolean): AccountSize {
  if (complete) return { pages: pagesRead, minPages: pagesRead };
  return { ...size, minPages: Math.max(size.minPages, pagesRead + 1) };
}
