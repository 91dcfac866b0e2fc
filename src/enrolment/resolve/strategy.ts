import type { ResolutionStrategy } from '../../config/types.js';
import { BASIC_PACKAGE_RATES, callsPerMinute, type TierRates } from '../../dotdigital/rate-tiers.js';

/**
 * How the resolver weighs a walk of the account against look-ups: by time at the account's tier
 * limits, not by call count, because the listing and the look-up sit in different tiers (a listing
 * page costs one Low-tier call and answers 5,000 contacts; a look-up costs one High-tier call).
 */
export interface ResolutionRates {
  lookupsPerMinute: number;
  listingPagesPerMinute: number;
}

export function resolutionRates(rates: TierRates = BASIC_PACKAGE_RATES): ResolutionRates {
  return {
    lookupsPerMinute: callsPerMinute(rates, 'contactLookup'),
    listingPagesPerMinute: callsPerMinute(rates, 'contactListing'),
  };
}

/**
 * The walk's budget, in listing pages, that look-ups of `unanswered` queries would buy: the pages
 * that take as long as those look-ups. Dotdigital's listing gives no total, so the account's size
 * is unknown until the walk ends; spending on the walk only as much time as the look-ups it may
 * replace (the ski-rental rule, in time) keeps the sync within twice the faster choice, and the
 * walk, once complete, answers every later batch without a call.
 */
export function walkCredit(unanswered: number, rates: ResolutionRates): number {
  return (unanswered * rates.listingPagesPerMinute) / rates.lookupsPerMinute;
}

export type ResolutionPlan =
  | { strategy: 'lookup' }
  /** `pages`: how many more pages of the one walk to read first (Infinity: to the end). */
  | { strategy: 'walk'; pages: number };

/**
 * What to do with a batch's queries that the index cannot answer yet. `credit` is the walk budget
 * accumulated so far (fractions carry over, so many small batches add up to a walk).
 */
export function planResolution(forced: ResolutionStrategy, credit: number): ResolutionPlan {
  if (forced === 'lookup') return { strategy: 'lookup' };
  if (forced === 'scan') return { strategy: 'walk', pages: Number.POSITIVE_INFINITY };
  const pages = Math.floor(credit);
  return pages >= 1 ? { strategy: 'walk', pages } : { strategy: 'lookup' };
}
