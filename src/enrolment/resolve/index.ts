/**
 * Resolves identifiers to existing contacts (never creating one). The account is walked at most
 * once per sync: the walk fills a compact index of the account's identifiers (contact-index.ts)
 * and is read in instalments, so a batch that arrives after it ends costs no call at all.
 *
 * Walk or look-ups is decided by time at the account's tier limits (strategy.ts): each query the
 * index cannot answer yet adds the time its look-up would take to the walk's budget, the walk
 * reads as many pages as that budget buys, and what the index still cannot answer is looked up.
 * Dotdigital's listing gives no total, so this ski-rental rule (spend on the walk what the
 * look-ups it may replace would cost) is what keeps both an account far larger than the audience
 * and an audience far larger than the account near the faster of the two.
 */
import type { Logger } from 'pino';
import type { ConnectorConfig, IdentifierKind } from '../../config/types.js';
import type { Contact, DotdigitalClient } from '../../dotdigital/types.js';
import type { ContactResolver, IdentifierQuery, Resolution } from '../engine-types.js';
import { AccountWalk, SCAN_PAGE_SIZE } from './account-walk.js';
import {
  DEFAULT_LOOKUP_CONCURRENCY,
  IDENTIFIER_REFUSED,
  type LookupAnswer,
  lookUpContacts,
} from './lookup.js';
import { distinctQueries, queryKey } from './query-key.js';
import { planResolution, type ResolutionRates, resolutionRates, walkCredit } from './strategy.js';

export interface ResolverStats {
  /** `GET /contacts/v3/{identifier}/{value}` calls made. */
  lookups: number;
  /** `GET /contacts/v3` pages read (one walk per sync at most). */
  scanPages: number;
  /** Walks started: 0 or 1. */
  walks: number;
  /** Whether the walk reached the account's last page. */
  walkComplete: boolean;
  /** Distinct queries answered by the account index without a call. */
  answeredByIndex: number;
  /** Bytes held by the account index. */
  indexBytes: number;
  /** Batches by how their unanswered queries went (index-only batches count as scan). */
  batchesByStrategy: { lookup: number; scan: number };
}

export interface ResolverOptions {
  lookupConcurrency?: number;
  /** Listing page size; tests lower it to exercise paging on a small account. */
  scanPageSize?: number;
  /** The account's call rates for the listing and look-up tiers; Basic package by default. */
  rates?: ResolutionRates;
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
  const rates = options.rates ?? resolutionRates();
  const kindsSeen = new Set<IdentifierKind>();
  let walk: AccountWalk | undefined;
  let credit = 0;
  const stats = { lookups: 0, answeredByIndex: 0, batchesByStrategy: { lookup: 0, scan: 0 } };

  /** Moves the queries the index answers from `open` into `answers`. */
  function answerFromIndex(open: Map<string, IdentifierQuery>, answers: Map<string, LookupAnswer>): void {
    if (walk === undefined || !walk.usable) return;
    for (const [key, query] of open) {
      if (!walk.index.covers(query.kind)) continue;
      const contact = walk.index.find(query.kind, query.value);
      if (contact !== undefined) answers.set(key, contact);
      else if (walk.complete) answers.set(key, null);
      else continue;
      stats.answeredByIndex++;
      open.delete(key);
    }
  }

  async function resolveDistinct(queries: Map<string, IdentifierQuery>): Promise<Map<string, LookupAnswer>> {
    for (const query of queries.values()) kindsSeen.add(query.kind);
    const answers = new Map<string, LookupAnswer>();
    const open = new Map(queries);
    answerFromIndex(open, answers);
    if (open.size === 0) {
      stats.batchesByStrategy.scan++;
      return answers;
    }

    const walkable = walk === undefined || (walk.usable && !walk.complete);
    if (walkable) credit += walkCredit(open.size, rates);
    const plan = walkable ? planResolution(config.resolution, credit) : ({ strategy: 'lookup' } as const);
    if (plan.strategy === 'walk') {
      stats.batchesByStrategy.scan++;
      walk ??= new AccountWalk(client, kindsSeen, pageSize);
      const before = walk.pagesRead;
      if (Number.isFinite(plan.pages)) credit -= plan.pages;
      await walk.advance(plan.pages);
      answerFromIndex(open, answers);
      logger.debug(
        {
          pagesRead: walk.pagesRead - before,
          walkComplete: walk.complete,
          indexedContacts: walk.index.size,
          lookUpsLeft: open.size,
          distinct: queries.size,
        },
        'read more of the account walk',
      );
    } else {
      stats.batchesByStrategy.lookup++;
    }
    if (open.size > 0) {
      stats.lookups += open.size;
      for (const [key, contact] of await lookUpContacts(client, open, concurrency)) answers.set(key, contact);
    }
    return answers;
  }

  return {
    async resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]> {
      if (queries.length === 0) return [];
      const answers = await resolveDistinct(distinctQueries(queries));
      return queries.map((query) => {
        const answer = answers.get(queryKey(query)) ?? null;
        return answer === IDENTIFIER_REFUSED
          ? { contact: null, identifierRefused: true }
          : { contact: enrollable(answer) };
      });
    },
    stats: (): ResolverStats => ({
      lookups: stats.lookups,
      scanPages: walk?.pagesRead ?? 0,
      walks: walk === undefined ? 0 : 1,
      walkComplete: walk?.complete ?? false,
      answeredByIndex: stats.answeredByIndex,
      indexBytes: walk?.index.bytes() ?? 0,
      batchesByStrategy: { ...stats.batchesByStrategy },
    }),
  };
}

/** Statuses of contacts in Dotdigital's recycle bin: they still answer look-ups. */
const GONE = new Set(['deleted', 'binned']);

/**
 * A contact in Dotdigital's recycle bin still answers look-ups with status `deleted` (or `binned`), but an
 * enrolment naming it fails as a whole; for the connector it does not exist.
 */
function enrollable(contact: Contact | null): Contact | null {
  return contact !== null && GONE.has(contact.status) ? null : contact;
}
