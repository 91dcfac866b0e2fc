/**
 * One HTTP attempt against Dotdigital: URL building from a route template, Basic auth, timeouts, body reading,
 * and turning error answers into DotdigitalApiError. Retrying and pacing live in retry.ts / rate-limiter.ts.
 *
 * Errors and logs name the route template (`GET /contacts/v3/{identifier}/{value}`), never the concrete URL,
 * so neither contact identifiers nor credentials end up in messages.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { DotdigitalApiError } from './types.js';

/** Dotdigital asks clients to allow 121 s before treating a call as timed out. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 121_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path template with `{name}` placeholders, e.g. `/v2/programs/{id}`. */
  route: string;
  pathParams?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** Overrides the client's base URL (account-info during region discovery). */
  baseUrl?: string;
  /** Aborts the request in flight. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The endpoint name used in stats, logs and errors. */
export function endpointName(method: HttpMethod, route: string): string {
  return `${method} ${route}`;
}

export function buildPath(route: string, params: Record<string, string | number> = {}): string {
  return route.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${route}`);
    return encodeURIComponent(String(value));
  });
}

export function buildUrl(baseUrl: string, req: HttpRequest): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) query.set(key, String(value));
  }
  const search = query.toString();
  return `${baseUrl}${buildPath(req.route, req.pathParams)}${search ? `?${search}` : ''}`;
}

/**
 * A transport failure: no HTTP status. `mayHaveBeenSent` is false only when the connection was never
 * established, which is what makes a retry of a non-idempotent call safe.
 */
export class NetworkError extends Error {
  constructor(
    readonly endpoint: string,
    /** ECONNRESET, UND_ERR_SOCKET, UND_ERR_HEADERS_TIMEOUT… */
    readonly code: string,
    readonly mayHaveBeenSent: boolean,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint} failed without an answer (${code})`, options);
    this.name = 'NetworkError';
  }
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string {
  let current: unknown = error;
  // undici wraps socket errors; the system code may sit on the cause.
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (/socket hang up/i.test(current.message)) return 'ECONNRESET';
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'UNKNOWN';
}

export function toNetworkError(
  endpoint: string,
  error: unknown,
  stage: 'connect-or-send' | 'body',
): NetworkError {
  const code = errorCode(error);
  const notSent = stage === 'connect-or-send' && NOT_SENT_CODES.has(code);
  return new NetworkError(endpoint, code, !notSent, TIMEOUT_CODES.has(code), { cause: error });
}

const V2_CODE = /\bERROR_[A-Z0-9_]+\b/;

/** Maps an error answer to DotdigitalApiError: v2 `{"message":"Error: CODE"}`, v3 `{"errorCode":…}`, or neither. */
export function toApiError(status: number, text: string, endpoint: string): DotdigitalApiError {
  let code: string | undefined;
  let detail: string | undefined;
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const body = parsed as Record<string, unknown>;
    const v3Code = body.errorCode ?? body.ErrorCode;
    const v2Message = body.message ?? body.Message;
    if (typeof v3Code === 'string') {
      code = v3Code;
      const description = body.description ?? body.Description;
      if (typeof description === 'string') detail = description;
    } else if (typeof v2Message === 'string') {
      code = V2_CODE.exec(v2Message)?.[0];
      detail = v2Message;
    }
  } else if (typeof parsed === 'string') {
    code = V2_CODE.exec(parsed)?.[0];
    detail = parsed;
  } else {
    code = V2_CODE.exec(text)?.[0];
  }
  const shortDetail =
    detail !== undefined && detail !== code && detail !== `Error: ${code}` ? `: ${detail.slice(0, 300)}` : '';
  const message = `Dotdigital answered ${status}${code ? ` ${code}` : ''} to ${endpoint}${shortDetail}`;
  return new DotdigitalApiError(status, code, endpoint, message);
}

export interface HttpTransportOptions {
  apiUser: string;
  password: string;
  baseUrl: string;
  /** Injected by tests; otherwise one keep-alive Agent owned (and closed) by the transport. */
  dispatcher?: Dispatcher;
  requestTimeoutMs?: number;
  userAgent?: string;
}

export class HttpTransport {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly calls = new Map<string, number>();
  private closed = false;
  baseUrl: string;

  constructor(options: HttpTransportOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 120_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connect: { timeout: 30_000 },
      });
    this.authorization = `Basic ${Buffer.from(`${options.apiUser}:${options.password}`).toString('base64')}`;
    this.baseUrl = options.baseUrl;
    this.userAgent = options.userAgent ?? 'destination-dotdigital-programs';
  }

  /** One attempt. Resolves with any HTTP answer (2xx or not); rejects only with NetworkError. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const endpoint = endpointName(req.method, req.route);
    this.calls.set(endpoint, (this.calls.get(endpoint) ?? 0) + 1);
    const url = buildUrl(req.baseUrl ?? this.baseUrl, req);
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json, text/csv;q=0.9, */*;q=0.1',
      'user-agent': this.userAgent,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: req.method,
        headers,
        body,
        ...(req.signal === undefined ? {} : { signal: req.signal }),
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (error) {
      throw toNetworkError(endpoint, error, 'connect-or-send');
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw toNetworkError(endpoint, error, 'body');
    }
    return { status: response.statusCode, headers: response.headers, text };
  }

  callsByEndpoint(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  async close(): Promise<void> {
    // Idempotent: several owners (a command and its pipeline) may each close the client on their way out.
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The server's clock when it answered (the `Date` header, whole seconds); undefined when absent or unreadable. */
export function serverTimeOf(response: HttpResponse): number | undefined {
  const value = headerValue(response.headers, 'date');
  const at = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
