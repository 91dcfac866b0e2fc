/**
 * The throughput benchmark's stand-ins for Dotdigital: a resolver that answers from the identifiers' own
 * pattern (no network, no map of the account) and an engine that is never asked to enrol (dry_run). They
 * implement the pipeline's seam (src/enrolment/engine-types.ts), so the pipeline runs unchanged.
 */
import type {
  ContactResolver,
  EnrolmentEngine,
  IdentifierQuery,
  Resolution,
} from '../src/enrolment/engine-types.js';
import { IDLE_ENGINE_STATS } from '../src/enrolment/engine-types.js';
import { emulatorContactId } from './audience.js';

/** Member n's contact ID, read back from the identifier the audience generator wrote for it. */
function contactIdOf(query: IdentifierQuery): number {
  if (query.kind === 'contactId') return Number(query.value);
  // user<n>@example.com or 44795<n padded to 7 digits>: the ordinal is the digits in the local part.
  const digits =
    query.kind === 'email' ? query.value.slice(4, query.value.indexOf('@')) : query.value.slice(5);
  return emulatorContactId(Number(digits));
}

export function patternResolver(): ContactResolver {
  return {
    resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]> {
      const out: Resolution[] = new Array<Resolution>(queries.length);
      for (let i = 0; i < queries.length; i++) {
        out[i] = { contact: { contactId: contactIdOf(queries[i]!), status: 'subscribed' } };
      }
      return Promise.resolve(out);
    },
  };
}

/** dry_run never submits; an engine call here means the benchmark measures the wrong thing. */
export function dryRunEngine(): EnrolmentEngine {
  const refuse = (): never => {
    throw new Error('the throughput benchmark runs in dry_run: nothing may be submitted');
  };
  return {
    recentlyEnrolled: () => Promise.resolve(new Set<number>()),
    submit: refuse,
    confirm: refuse,
    release: () => Promise.resolve(),
    finish: () => Promise.resolve(),
    accountFacts: () => ({}),
    stats: () => IDLE_ENGINE_STATS,
  };
}
