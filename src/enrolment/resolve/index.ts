/**
 * Resolves identifiers to existing contacts (never creating one), choosing per batch the way that
 * costs fewer API calls: a look-up per distinct identifier, or one walk of the account's contact
 * listing matched against the batch's identifiers in memory (memory stays proportional to the
 * batch, not the account).
 *
 * Dotdigital's listing gives no total, and the account-wide count endpoint is not part of the
 * client, so the account's size is learnt from walks (see strategy.ts): while it is unknown a walk
 * stops once it has cost as many calls as the look-ups still needed (finishing by look-ups), a
 * complete walk gives the exact page count, and a later batch walks only when that is cheaper.
 */
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../config/types.js';
import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import type { ContactResolver, IdentifierQuery, Resolution } from '../engine-types.js';
import { DEFAULT_LOOKUP_CONCURRENCY, lookUpContacts } from './lookup.js';
import { distinctQueries, queryKey } from './query-key.js';
import { SCAN_PAGE_SIZE, scanContacts } from './scan.js';
import { type AccountSize, learnFromWalk, planResolution, shouldBailOut } from './strategy.js';

export interface ResolverStats {
  /** `GET /contacts/v3/{identifier}/{value}` calls made. */
  lookups: number;
  /** `GET /contacts/v3` pages read. */
  scanPages: number;
  /** Batches resolved by each strategy (a walk that bailed out counts as a scan). */
  batchesByStrategy: { lookup: number; scan: number };
}

export interface ResolverOptions {
  lookupConcurrency?: number;
  /** Listing page size; tests lower it to exercise paging on a small account. */
  scanPageSize?: number;
}

/** The seam's resolver plus counters for the sync summary. */
export interface StatsContactResolver extends ContactResolver {
  stats(): ResolverStats;
}

export function createContactResolver(
  client: DotdigitalClient,
  config: Pick<ConnectorConfig, 'resolution'>,
  logger: Logger,
  options: ResolverOptions = {},
): StatsContactResolver {
  const concurrency = options.lookupConcurrency ?? DEFAULT_LOOKUP_CONCURRENCY;
  const pageSize = options.scanPageSize ?? SCAN_PAGE_SIZE;
  let accountSize: AccountSize = { minPages: 0 };
  const stats: ResolverStats = { lookups: 0, scanPages: 0, batchesByStrategy: { lookup: 0, scan: 0 } };

  async function resolveDistinct(
    queries: Map<string, IdentifierQuery>,
  ): Promise<Map<string, Contact | null>> {
    const plan = planResolution(config.resolution, queries.size, accountSize);
    if (plan.strategy === 'lookup') {
      stats.batchesByStrategy.lookup++;
      stats.lookups += queries.size;
      return lookUpContacts(client, queries, concurrency);
    }

    stats.batchesByStrategy.scan++;
    const knownPages = accountSize.minPages;
    const walk = await scanContacts(client, queries, {
      pageSize,
      giveUp: plan.bailOut ? (read, unresolved) => shouldBailOut(read, unresolved, knownPages) : undefined,
    });
    stats.scanPages += walk.pagesRead;
    accountSize = learnFromWalk(accountSize, walk.pagesRead, walk.complete);
    const answers = new Map<string, Contact | null>();
    const remaining = new Map<string, IdentifierQuery>();
    for (const [key, query] of queries) {
      const contact = walk.found.get(key);
      if (contact) answers.set(key, contact);
      else if (walk.complete) answers.set(key, null);
      else remaining.set(key, query);
    }
    logger.debug(
      {
        pagesRead: walk.pagesRead,
        complete: walk.complete,
        lookUpsLeft: remaining.size,
        distinct: queries.size,
      },
      'resolved a batch by walking the contact listing',
    );
    if (remaining.size > 0) {
      stats.lookups += remaining.size;
      for (const [key, contact] of await lookUpContacts(client, remaining, concurrency))
        answers.set(key, contact);
    }
    return answers;
  }

  return {
    async resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]> {
      if (queries.length === 0) return [];
      const answers = await resolveDistinct(distinctQueries(queries));
      return queries.map((query) => ({ contact: enrollable(answers.get(queryKey(query)) ?? null) }));
    },
    stats: () => structuredClone(stats),
  };
}

/**
 * A contact in Dotdigital's recycle bin still answers look-ups with status `deleted`, but an
 * enrolment naming it fails as a whole; for the connector it does not exist.
 */
function enrollable(contact: Contact | null): Contact | null {
  return contact !== null && contact.status === 'deleted' ? null : contact;
}
