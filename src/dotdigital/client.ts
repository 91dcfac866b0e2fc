/**
 * The Dotdigital client the rest of the connector uses: resolves the account's region once, then exposes one
 * function per endpoint over a shared keep-alive connection pool, rate limiter and retry policy.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ConnectorConfig } from '../config/types.js';
import type { Clock } from '../time/clock.js';
import { ApiCaller } from './caller.js';
import { fetchAccountInfo } from './endpoints/account-info.js';
import * as addressBooks from './endpoints/address-books.js';
import * as contacts from './endpoints/contacts.js';
import * as enrolments from './endpoints/enrolments.js';
import * as imports from './endpoints/imports.js';
import * as programs from './endpoints/programs.js';
import { HttpTransport } from './http.js';
import { RateLimiter } from './rate-limiter.js';
import { planBaseUrl, regionOfBaseUrl, resolveDiscoveredBaseUrl, type BaseUrlPlan } from './regions.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry.js';
import type { AccountInfo, DotdigitalClient } from './types.js';
import { shareStopSignal } from '../time/stop-signal.js';

export { AmbiguousEnrolmentError, AmbiguousRequestError, type EnrolmentRequest } from './errors.js';
export type { RetryOptions } from './retry.js';

export interface DotdigitalClientOptions {
  logger: Logger;
  retry?: Partial<RetryOptions>;
  /** An undici dispatcher to use instead of the client's own keep-alive Agent (which close() then leaves open). */
  dispatcher?: Dispatcher;
  /** Per-call timeout for headers and for the body; Dotdigital's guidance is 121 s, the default. */
  requestTimeoutMs?: number;
  /** Jitter source, for reproducible tests. */
  random?: () => number;
  /** Time, rate-limit pauses and retry waits (default the system clock); a benchmark passes its virtual clock. */
  clock?: Clock;
  /**
   * The stop signal (SIGTERM): every retry wait, rate-limit pause and request in flight ends with a
   * TransientError when it aborts, so the process can stop within seconds.
   */
  signal?: AbortSignal;
}

export async function createDotdigitalClient(
  config: ConnectorConfig,
  options: DotdigitalClientOptions,
): Promise<DotdigitalClient> {
  const plan = planBaseUrl(config);
  const transport = new HttpTransport({
    apiUser: config.apiUser,
    password: config.password,
    baseUrl: plan.kind === 'fixed' ? plan.baseUrl : plan.discoveryUrl,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  // Requests in flight and their pauses all listen for the stop: through one listener on the caller's signal.
  const stop = options.signal && shareStopSignal(options.signal);
  const signal = stop?.signal;
  const limiter = new RateLimiter({
    logger: options.logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(signal === undefined ? {} : { signal }),
  });
  const caller = new ApiCaller({
    transport,
    limiter,
    logger: options.logger,
    retry: { ...DEFAULT_RETRY_OPTIONS, ...options.retry },
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(signal === undefined ? {} : { signal }),
  });
  const close = async (): Promise<void> => {
    stop?.release();
    await transport.close();
  };

  try {
    if (plan.kind === 'discover') {
      const info = await fetchAccountInfo(caller, plan.discoveryUrl);
      transport.baseUrl = resolveDiscoveredBaseUrl(info.apiEndpoint, plan);
      options.logger.debug(
        { baseUrl: transport.baseUrl, region: regionOfBaseUrl(transport.baseUrl) },
        'Dotdigital region resolved',
      );
    }
  } catch (error) {
    await close();
    throw error;
  }

  return buildClient(caller, transport, plan, close);
}

function buildClient(
  caller: ApiCaller,
  transport: HttpTransport,
  plan: BaseUrlPlan,
  close: () => Promise<void>,
): DotdigitalClient {
  // Reported endpoints are checked against the same origin the user configured (or Dotdigital's hosts).
  const trustedOrigin = plan.kind === 'discover' ? plan.trustedOrigin : safeOrigin(transport.baseUrl);

  return {
    get baseUrl() {
      return transport.baseUrl;
    },
    async accountInfo(): Promise<AccountInfo> {
      const raw = await fetchAccountInfo(caller);
      const apiEndpoint = resolveDiscoveredBaseUrl(raw.apiEndpoint, {
        kind: 'discover',
        discoveryUrl: transport.baseUrl,
        ...(trustedOrigin === undefined ? {} : { trustedOrigin }),
      });
      const region = regionOfBaseUrl(apiEndpoint);
      return { apiEndpoint, properties: raw.properties, ...(region === undefined ? {} : { region }) };
    },
    listPrograms: () => programs.listPrograms(caller),
    getProgram: (id) => programs.getProgram(caller, id),
    createEnrolment: (request) => enrolments.createEnrolment(caller, request),
    getEnrolment: (id) => enrolments.getEnrolment(caller, id),
    listEnrolmentsByStatus: (status, page) => enrolments.listEnrolmentsByStatus(caller, status, page),
    getEnrolmentFaults: (id) => enrolments.getEnrolmentFaults(caller, id),
    getContact: (identifier, value) => contacts.getContact(caller, identifier, value),
    listContacts: (page) => contacts.listContacts(caller, page),
    createAddressBook: (name, visibility) => addressBooks.createAddressBook(caller, name, visibility),
    listAddressBooks: (page) => addressBooks.listAddressBooks(caller, page),
    renameAddressBook: (id, name) => addressBooks.renameAddressBook(caller, id, name),
    deleteAddressBook: (id) => addressBooks.deleteAddressBook(caller, id),
    listAddressBookContactIds: (id, page) => addressBooks.listAddressBookContactIds(caller, id, page),
    startContactImport: (contactIds, listId) => imports.startContactImport(caller, contactIds, listId),
    getContactImport: (importId) => imports.getContactImport(caller, importId),
    stats: () => ({ callsByEndpoint: transport.callsByEndpoint(), ...caller.stats() }),
    close,
  };
}

function safeOrigin(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
