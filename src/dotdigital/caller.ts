/**
 * Runs one logical Dotdigital call: waits for the rate limiter, makes the attempt, retries what may be retried,
 * and turns the last failure into the error the rest of the connector expects (ConfigError for 401,
 * DotdigitalApiError for other refusals, TransientError when retries run out, an ambiguous error for a
 * non-idempotent call that may have taken effect).
 */
import type { Logger } from 'pino';
import { ConfigError, TransientError } from '../protocol/errors.js';
import { AmbiguousRequestError, CredentialsRejectedError } from './errors.js';
import type { HttpRequest, HttpResponse, HttpTransport } from './http.js';
import { endpointName, NetworkError, toApiError } from './http.js';
import type { RateLimiter } from './rate-limiter.js';
import type { FailureClass, RetryOptions } from './retry.js';
import { classifyNetworkError, classifyResponse, nextDelayMs, waitHintMs } from './retry.js';
import { type Clock, systemClock } from '../time/clock.js';
import { formatDuration } from '../time/duration.js';
import { DotdigitalApiError } from './types.js';

export interface CallSpec extends HttpRequest {
  /**
   * Whether repeating the call after it may have reached Dotdigital is harmless. Defaults to true for GET,
   * PUT and DELETE and false for POST. A non-idempotent call that may have taken effect is not retried: it
   * fails with the error `onAmbiguous` builds (AmbiguousRequestError by default).
   */
  idempotent?: boolean;
  onAmbiguous?: (reason: string, cause: unknown) => Error;
  /**
   * Statuses that mean success when an earlier attempt may already have done the work (a DELETE whose first
   * attempt timed out answers 404 the second time).
   */
  acceptAfterUncertainAttempt?: number[];
}

export interface CallerOptions {
  transport: HttpTransport;
  limiter: RateLimiter;
  logger: Logger;
  retry: RetryOptions;
  random?: () => number;
  /** Time and retry pauses (default the system clock); a benchmark passes its virtual clock. */
  clock?: Clock;
  /** Stops every retry wait (the sync is being stopped): the pending call rejects with the signal's reason. */
  signal?: AbortSignal;
}

type AttemptOutcome = { response: HttpResponse } | { networkError: NetworkError };

export class ApiCaller {
  private retries = 0;
  private rateLimitRetryWaitMs = 0;
  private readonly clock: Clock;

  constructor(private readonly options: CallerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  stats(): { retries: number; rateLimitWaitMs: number } {
    return {
      retries: this.retries,
      rateLimitWaitMs: this.rateLimitRetryWaitMs + this.options.limiter.totalWaitMs,
    };
  }

  /**
   * For a loop of non-idempotent calls that checks before asking again (a create looked up by name between
   * rounds): waits the same backoff one call would, and answers false once the loop, started at
   * `startedAt`, is past the same time budget as one call.
   */
  async pauseBeforeRound(round: number, startedAt: number): Promise<boolean> {
    const { retry, random } = this.options;
    const delay = nextDelayMs(round + 1, undefined, this.now() - startedAt, retry, random);
    if (delay === undefined) return false;
    await this.clock.sleep(delay, this.options.signal);
    return true;
  }

  now(): number {
    return this.clock.now();
  }

  async call(spec: CallSpec): Promise<HttpResponse> {
    const endpoint = endpointName(spec.method, spec.route);
    const { signal } = this.options;
    if (signal?.aborted) throw stopped(endpoint, signal.reason);
    try {
      return await this.callUntilDone(spec, endpoint);
    } catch (error) {
      if (signal?.aborted && !(error instanceof AmbiguousRequestError)) throw stopped(endpoint, error);
      throw error;
    }
  }

  private async callUntilDone(spec: CallSpec, endpoint: string): Promise<HttpResponse> {
    const { logger, retry } = this.options;
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    const started = this.now();
    let uncertain = false;

    for (let attempt = 1; ; attempt += 1) {
      // A call that changes something is left to finish (its answer decides what was done); a read is cut short.
      const outcome = await this.attempt(
        idempotent && this.options.signal ? { ...spec, signal: this.options.signal } : spec,
        endpoint,
        attempt,
      );
      let failure: FailureClass;
      let lastError: Error;
      if ('response' in outcome) {
        const { response } = outcome;
        if (response.status >= 200 && response.status < 300) return response;
        if (uncertain && spec.acceptAfterUncertainAttempt?.includes(response.status)) return response;
        if (response.status === 401) throw credentialsRejected(endpoint);
        failure = classifyResponse(response, endpoint, this.now());
        const apiError = toApiError(response.status, response.text, endpoint);
        if (failure.kind === 'final') throw withWait(apiError, response, this.now());
        lastError = apiError;
      } else {
        failure = classifyNetworkError(outcome.networkError);
        lastError = outcome.networkError;
        if (failure.kind === 'final')
          throw unreachable(endpoint, outcome.networkError, spec.baseUrl ?? this.options.transport.baseUrl);
      }

      if (failure.kind === 'transient' && failure.mayHaveBeenSent) {
        if (!idempotent) {
          throw spec.onAmbiguous?.(failure.label, lastError) ?? ambiguous(endpoint, failure.label, lastError);
        }
        uncertain = true;
      }

      const elapsedMs = this.now() - started;
      const delay = nextDelayMs(attempt + 1, failure.hintMs, elapsedMs, retry, this.options.random);
      if (delay === undefined) throw gaveUp(endpoint, failure, attempt, this.now() - started, lastError);
      logger.info(
        { endpoint, attempt, nextAttemptInMs: delay, failure: failure.label },
        `Dotdigital call failed with ${failure.label}; retrying`,
      );
      await this.clock.sleep(delay, this.options.signal);
      this.retries += 1;
      if (failure.kind === 'rate-limited') this.rateLimitRetryWaitMs += delay;
    }
  }

  private async attempt(spec: CallSpec, endpoint: string, attempt: number): Promise<AttemptOutcome> {
    const permit = await this.options.limiter.acquire(endpoint);
    const started = this.now();
    try {
      const response = await this.options.transport.send(spec);
      permit.release(response);
      this.options.logger.debug(
        { method: spec.method, endpoint, status: response.status, ms: this.now() - started, attempt },
        'Dotdigital call',
      );
      return { response };
    } catch (error) {
      permit.release();
      if (!(error instanceof NetworkError)) throw error;
      this.options.logger.debug(
        { method: spec.method, endpoint, error: error.code, ms: this.now() - started, attempt },
        'Dotdigital call failed',
      );
      return { networkError: error };
    }
  }
}

function credentialsRejected(endpoint: string): ConfigError {
  return new CredentialsRejectedError(
    "The API user's password was rejected by Dotdigital (401). Check the API user (an address like apiuser-…@apiconnector.com) and its password in the connector settings, and that the API user is still active in Dotdigital.",
    `401 from ${endpoint}`,
  );
}

function unreachable(endpoint: string, error: NetworkError, baseUrl: string): TransientError {
  let host = baseUrl;
  try {
    host = new URL(baseUrl).host;
  } catch {
    // keep the raw base URL
  }
  return new TransientError(
    `Could not find the Dotdigital server ${host} (${error.code}). Check base_url and the network connection, then try again.`,
    `${endpoint}: ${error.code}`,
    { cause: error },
  );
}

/** The sync is being stopped (SIGTERM): a wait or a read was cut short. */
function stopped(endpoint: string, cause: unknown): TransientError {
  return new TransientError(
    'The connector received a stop signal while it was calling Dotdigital, and stopped. Run the sync again; nothing is lost.',
    `${endpoint}: stopped by the stop signal`,
    { cause },
  );
}

function ambiguous(endpoint: string, reason: string, cause: unknown): AmbiguousRequestError {
  return new AmbiguousRequestError(
    endpoint,
    reason,
    `Dotdigital did not confirm ${endpoint} (${reason}) and it may or may not have taken effect; try again later.`,
    `${endpoint} ended ambiguously: ${reason}`,
    { cause },
  );
}

function gaveUp(
  endpoint: string,
  failure: Exclude<FailureClass, { kind: 'final' }>,
  attempts: number,
  elapsedMs: number,
  last: Error,
): TransientError {
  const over = `after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${formatDuration(elapsedMs)}`;
  const message =
    last instanceof NetworkError
      ? `Calls to Dotdigital (${endpoint}) kept failing with ${failure.label} ${over}; check the network connection to Dotdigital and try again later.`
      : `Dotdigital kept answering ${failure.label} to ${endpoint} ${over}; try again later.`;
  return new TransientError(message, `${endpoint}: giving up ${over}; last failure: ${last.message}`, {
    cause: last,
  });
}

function withWait(error: DotdigitalApiError, response: HttpResponse, now: number): DotdigitalApiError {
  const waitMs = waitHintMs(response, now);
  return waitMs === undefined
    ? error
    : new DotdigitalApiError(error.status, error.code, error.endpoint, error.message, waitMs);
}
