/**
 * Maps a method and a region-less path to an endpoint. Matching walks path segments by hand (no
 * regular expressions) because contact look-ups are the hot path. `endpoint` is the template name
 * used for counters, rate-limit tiers and fault targeting, e.g. "GET /contacts/v3/{identifier}/{value}".
 */
import type { RateLimitTier } from './settings.js';
import type { Handler } from './routes/context.js';
import { accountInfo } from './routes/account.js';
import { getProgram, listPrograms } from './routes/programs.js';
import { getEnrolmentOrList, getFaultReport, postEnrolment } from './routes/enrolments.js';
import { getContact, listContacts } from './routes/contacts.js';
import { getImport, putImport } from './routes/imports.js';
import {
  getAddressBook,
  listAddressBookContacts,
  listAddressBooks,
  postAddressBook,
  putAddressBook,
  removeAddressBook,
} from './routes/address-books.js';

export interface Route {
  endpoint: string;
  tier: RateLimitTier;
  /** Which error envelope the endpoint uses. */
  api: 'v2' | 'v3';
  needsPrograms: boolean;
  /** Whether the handler takes a JSON body; 'import' uses the (large) import size limit. */
  body: 'none' | 'json' | 'import';
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: string[];
}

function route(
  endpoint: string,
  tier: RateLimitTier,
  handler: Handler,
  extra: Partial<Pick<Route, 'needsPrograms' | 'body'>> = {},
): Route {
  return {
    endpoint,
    tier,
    api: endpoint.includes('/contacts/v3') ? 'v3' : 'v2',
    needsPrograms: extra.needsPrograms ?? false,
    body: extra.body ?? 'none',
    handler,
  };
}

const R = {
  accountInfo: route('GET /v2/account-info', 'Medium', accountInfo),
  listPrograms: route('GET /v2/programs', 'Medium', listPrograms, { needsPrograms: true }),
  getProgram: route('GET /v2/programs/{id}', 'Medium', getProgram, { needsPrograms: true }),
  postEnrolment: route('POST /v2/programs/enrolments', 'Low', postEnrolment, {
    needsPrograms: true,
    body: 'json',
  }),
  getEnrolment: route('GET /v2/programs/enrolments/{id|status}', 'Medium', getEnrolmentOrList, {
    needsPrograms: true,
  }),
  faultReport: route('GET /v2/programs/enrolments/{id}/report-faults', 'Medium', getFaultReport, {
    needsPrograms: true,
  }),
  listBooks: route('GET /v2/address-books', 'Medium', listAddressBooks),
  postBook: route('POST /v2/address-books', 'Low', postAddressBook, { body: 'json' }),
  getBook: route('GET /v2/address-books/{id}', 'Medium', getAddressBook),
  deleteBook: route('DELETE /v2/address-books/{id}', 'Low', removeAddressBook),
  putBook: route('PUT /v2/address-books/{id}', 'Low', putAddressBook, { body: 'json' }),
  bookContacts: route('GET /v2/address-books/{id}/contacts', 'Low', listAddressBookContacts),
  listContacts: route('GET /contacts/v3', 'Low', listContacts),
  getContact: route('GET /contacts/v3/{identifier}/{value}', 'High', getContact),
  putImport: route('PUT /contacts/v3/import', 'Low', putImport, { body: 'import' }),
  getImport: route('GET /contacts/v3/import/{importId}', 'Medium', getImport),
};

export type MatchResult = RouteMatch | { notFound: true } | { methodNotAllowed: string[] };

function pick(method: string, options: Record<string, Route>, params: string[]): MatchResult {
  const found = options[method];
  return found ? { route: found, params } : { methodNotAllowed: Object.keys(options) };
}

/** `path` has no region prefix, no query string and no trailing slash. */
export function matchRoute(method: string, path: string): MatchResult {
  const s = path.split('/');
  const n = s.length;
  if (s[1] === 'v2') {
    if (s[2] === 'account-info' && n === 3) return pick(method, { GET: R.accountInfo }, []);
    if (s[2] === 'programs') {
      if (n === 3) return pick(method, { GET: R.listPrograms }, []);
      if (n === 4 && s[3] === 'enrolments') return pick(method, { POST: R.postEnrolment }, []);
      if (n === 4) return pick(method, { GET: R.getProgram }, [s[3]!]);
      if (n === 5 && s[3] === 'enrolments') return pick(method, { GET: R.getEnrolment }, [s[4]!]);
      if (n === 6 && s[3] === 'enrolments' && s[5] === 'report-faults') {
        return pick(method, { GET: R.faultReport }, [s[4]!]);
      }
    }
    if (s[2] === 'address-books') {
      if (n === 3) return pick(method, { GET: R.listBooks, POST: R.postBook }, []);
      if (n === 4) return pick(method, { GET: R.getBook, DELETE: R.deleteBook, PUT: R.putBook }, [s[3]!]);
      if (n === 5 && s[4] === 'contacts') return pick(method, { GET: R.bookContacts }, [s[3]!]);
    }
  } else if (s[1] === 'contacts' && s[2] === 'v3') {
    if (n === 3) return pick(method, { GET: R.listContacts }, []);
    if (n === 4 && s[3] === 'import') return pick(method, { PUT: R.putImport }, []);
    if (n === 5 && s[3] === 'import') return pick(method, { GET: R.getImport }, [s[4]!]);
    if (n === 5) return pick(method, { GET: R.getContact }, [s[3]!, s[4]!]);
  }
  return { notFound: true };
}

/** Every endpoint name, for documentation and the control API. */
export const ENDPOINTS = Object.values(R).map((r) => ({ endpoint: r.endpoint, tier: r.tier }));
