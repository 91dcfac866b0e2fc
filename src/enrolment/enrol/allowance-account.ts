import type { Logger } from 'pino';
import type { DotdigitalClient } from '../../dotdigital/types.js';
import { ENROLMENT_ALLOWANCE_WINDOW_MS as ALLOWANCE_WINDOW_MS } from '../../dotdigital/limits.js';
import type { Clock } from '../../time/clock.js';
import { forEachListedEnrolment } from './enrolment-listing.js';

export interface AccountUsage {
  /** Enrolment calls the account made inside the rolling window, by every integration. */
  inWindow: number;
  /** Of those, the ones this process did not make. */
  others: number;
  /** Creation times of the enrolments in the window, oldest first (NaN dates count as now). */
  createdAt: number[];
}

/**
 * What the whole account has spent of the hourly enrolment allowance. Dotdigital counts 20
 * enrolment calls per rolling hour across every integration, and its enrolment listings
 * (GET /v2/programs/enrolments/{status}) show every enrolment of the account with its dateCreated:
 * the ones created within the hour are the units spent (the hour is Dotdigital's, so the dates are
 * read as forEachListedEnrolment moves them onto our clock). This process's own calls are told apart
 * by number (its ledger), so what remains is what other integrations and other syncs hold.
 */
export class AccountAllowance {
  constructor(
    private readonly client: DotdigitalClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async read(ownInWindow: number): Promise<AccountUsage> {
    const now = this.clock.now();
    const since = now - ALLOWANCE_WINDOW_MS;
    const created = new Map<string, number>();
    await forEachListedEnrolment(this.client, this.clock, (enrolment) => {
      // An unreadable date is counted as spent just now: waiting too long beats being refused.
      if (Number.isNaN(enrolment.createdAt)) created.set(enrolment.id, now);
      else if (enrolment.createdAt > since) created.set(enrolment.id, enrolment.createdAt);
    });
    const createdAt = [...created.values()].sort((a, b) => a - b);
    const usage = {
      inWindow: createdAt.length,
      others: Math.max(0, createdAt.length - ownInWindow),
      createdAt,
    };
    this.logger.debug(
      { inWindow: usage.inWindow, others: usage.others },
      'read the account-wide enrolment allowance from the enrolment listings',
    );
    return usage;
  }
}

/**
 * Units a call must leave free. Two syncs of one account read the listings, then call; if both
 * saw one unit left, both would call and one be refused. Leaving one unit whenever others are
 * active means two that read the same count both fit, and neither waits for long (each calls as
 * soon as two units are free, so they alternate). Three or more concurrent writers could still
 * collide; the refusal is then waited out as before.
 */
export function reserveFor(usage: AccountUsage): number {
  return usage.others > 0 ? 1 : 0;
}

/**
 * When enough units will have left the window for a call to fit, or undefined when one fits now.
 * `limit` is the allowance (20).
 */
export function fitsAt(usage: AccountUsage, limit: number): number | undefined {
  const mustLeave = usage.inWindow + reserveFor(usage) - (limit - 1);
  if (mustLeave <= 0) return undefined;
  const leaving = usage.createdAt[Math.min(mustLeave, usage.createdAt.length) - 1];
  return leaving === undefined ? undefined : leaving + ALLOWANCE_WINDOW_MS;
}
