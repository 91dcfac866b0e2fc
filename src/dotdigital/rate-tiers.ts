/**
 * Dotdigital's per-minute call limits by package and tier, and the tier of each endpoint the
 * connector calls, for plans and time estimates (the client itself paces by the X-RateLimit-*
 * headers it is sent, whatever the numbers here say).
 *
 * Source: Dotdigital support, "API rate limits" (support.dotdigital.com, article 8592585): Basic
 * package Low tier 35 calls per minute. The Medium and High figures of the Basic package could not
 * be read from the published table; the values here are assumptions (see emulator/README.md, the
 * benchmark profile's row), chosen low so estimates err on the slow side.
 */
export type RateTier = 'Low' | 'Medium' | 'High' | 'Unlimited';

export type TierRates = Record<Exclude<RateTier, 'Unlimited'>, number>;

export const BASIC_PACKAGE_RATES: TierRates = { Low: 35, Medium: 70, High: 140 };

/** Tier of each endpoint the connector uses, by Dotdigital's endpoint documentation. */
export const ENDPOINT_TIERS = {
  contactLookup: 'High',
  contactListing: 'Low',
  enrolmentCreate: 'Low',
  enrolmentStatus: 'Medium',
  enrolmentListing: 'Medium',
  contactImport: 'Low',
  importStatus: 'Medium',
  addressBookCreate: 'Low',
  addressBookDelete: 'Low',
} as const satisfies Record<string, RateTier>;

export type ConnectorEndpoint = keyof typeof ENDPOINT_TIERS;

/** Calls a minute the endpoint allows under these tier rates (Infinity when Unlimited). */
export function callsPerMinute(rates: TierRates, endpoint: ConnectorEndpoint): number {
  const tier = ENDPOINT_TIERS[endpoint] as RateTier;
  return tier === 'Unlimited' ? Number.POSITIVE_INFINITY : rates[tier];
}
