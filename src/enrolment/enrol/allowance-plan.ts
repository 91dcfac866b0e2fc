/**
 * What a real sync would cost, computed from a dry run: the dry run resolves for real (so its
 * listing and look-up calls are the real sync's), and what enrolment would add follows from the
 * number of contacts it would enrol, Dotdigital's limits and the account's tier rates. Said before
 * anything is spent, so a user knows that 2 million contacts take N hours of allowance.
 */
import type { ConnectorConfig } from '../../config/types.js';
import { type AccountFacts, goesThroughList } from '../batch-mode.js';
import {
  BASIC_PACKAGE_RATES,
  callsPerMinute,
  type ConnectorEndpoint,
  ENDPOINT_TIERS,
  type TierRates,
} from '../../dotdigital/rate-tiers.js';
import {
  ENROLMENT_ALLOWANCE_WINDOW_MS as ALLOWANCE_WINDOW_MS,
  ENROLMENT_CALLS_PER_HOUR as ENROLMENT_CALLS_PER_WINDOW,
  IMPORT_CHUNK_SIZE,
  MAX_CONTACTS_PER_ENROLMENT as MAX_CONTACTS_PER_CALL,
} from '../../dotdigital/limits.js';

export interface PlanInput {
  /** Contacts the dry run found would be enrolled. */
  contacts: number;
  config: Pick<ConnectorConfig, 'enrolmentMode' | 'listModeThreshold'>;
  /** What the dry run learnt of the account (whether answers name members decides auto mode's batches). */
  facts?: AccountFacts;
  /** Contacts per staging list (the pipeline's list batch). */
  listBatchSize: number;
  /** Resolution calls the dry run made (the real sync makes the same). */
  resolution: { lookups: number; listingPages: number };
  /** Units other integrations hold in the current hour (0 when unknown). */
  unitsHeldByOthers?: number;
  rates?: TierRates;
}

export interface SyncPlan {
  mode: 'contacts' | 'list';
  allowance_units: number;
  /** Hours of allowance windows the units need beyond the first. */
  allowance_hours: number;
  api_calls: number;
  api_calls_by_endpoint: Partial<Record<ConnectorEndpoint, number>>;
  /** Least wall time at the tier limits and the hourly allowance, in seconds (Dotdigital's processing not included). */
  wall_time_s: number;
  formula: string;
}

export function planSync(input: PlanInput): SyncPlan {
  const rates = input.rates ?? BASIC_PACKAGE_RATES;
  const n = Math.max(0, input.contacts);
  const list = n > 0 && goesThroughList(input.config, n, input.facts);
  const perUnit = list ? input.listBatchSize : MAX_CONTACTS_PER_CALL;
  const units = Math.ceil(n / perUnit);
  const imports = list ? Math.ceil(n / Math.min(IMPORT_CHUNK_SIZE, perUnit)) : 0;
  const calls: Partial<Record<ConnectorEndpoint, number>> = {
    contactLookup: input.resolution.lookups,
    contactListing: input.resolution.listingPages,
    enrolmentCreate: units,
    // At least one status read and one fault report per enrolment; two listing reads per call for the allowance.
    enrolmentStatus: 2 * units,
    enrolmentListing: 2 * units,
  };
  if (list) {
    calls.addressBookCreate = units;
    calls.addressBookDelete = units;
    calls.contactImport = imports;
    calls.importStatus = imports;
  }
  const byTier = new Map<string, number>();
  for (const [endpoint, count] of Object.entries(calls) as [ConnectorEndpoint, number][]) {
    byTier.set(ENDPOINT_TIERS[endpoint], (byTier.get(ENDPOINT_TIERS[endpoint]) ?? 0) + count);
  }
  let tierMinutes = 0;
  for (const [tier, count] of byTier) {
    const perMinute = callsPerMinute(rates, tierEndpoint(tier));
    tierMinutes = Math.max(tierMinutes, count / perMinute);
  }
  const freeNow = Math.max(0, ENROLMENT_CALLS_PER_WINDOW - (input.unitsHeldByOthers ?? 0));
  const allowanceHours = units <= freeNow ? 0 : Math.ceil((units - freeNow) / ENROLMENT_CALLS_PER_WINDOW);
  const wallMs = Math.max(tierMinutes * 60_000, allowanceHours * ALLOWANCE_WINDOW_MS);
  const apiCalls = Object.values(calls).reduce((sum, c) => sum + c, 0);
  return {
    mode: list ? 'list' : 'contacts',
    allowance_units: units,
    allowance_hours: allowanceHours,
    api_calls: apiCalls,
    api_calls_by_endpoint: calls,
    wall_time_s: Math.round(wallMs / 1000),
    formula:
      `units = ceil(${n} / ${perUnit}) = ${units}; ` +
      `hours = ceil((units - ${freeNow} free now) / ${ENROLMENT_CALLS_PER_WINDOW}) = ${allowanceHours}; ` +
      `wall = max(busiest tier: ${[...byTier].map(([t, c]) => `${t} ${c} calls / ${rates[t as keyof TierRates]} per min`).join(', ')}; hours × 60 min)`,
  };
}

/** Any endpoint of the tier, to read its rate through the one owner of the rates. */
function tierEndpoint(tier: string): ConnectorEndpoint {
  return (Object.keys(ENDPOINT_TIERS) as ConnectorEndpoint[]).find((e) => ENDPOINT_TIERS[e] === tier)!;
}

export function describePlan(plan: SyncPlan): string {
  const hours = plan.wall_time_s / 3600;
  const duration = hours >= 1 ? `${hours.toFixed(1)} hours` : `${Math.ceil(plan.wall_time_s / 60)} minutes`;
  return (
    `A real sync would spend ${plan.allowance_units} enrolment allowance unit(s) (${plan.mode} mode), make about ` +
    `${plan.api_calls} API calls and take at least ${duration} under the account's rate tiers and the ` +
    `${ENROLMENT_CALLS_PER_WINDOW} enrolment calls an hour (plus Dotdigital's processing time).`
  );
}
