/**
 * Real HTTP calls to a running emulator, the way the connector makes them (undici, Basic auth), returning the
 * status, headers and body so tests can check all three against the published contract.
 */
import { Agent, request } from 'undici';

export interface Credentials {
  apiUser: string;
  password: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface CallOptions {
  auth?: Credentials | null;
  /** Serialised as JSON unless it is already a string or Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A dedicated agent, e.g. to keep connection-dropping tests from poisoning the shared pool. */
  dispatcher?: Agent;
}

export function basicAuth(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.apiUser}:${credentials.password}`).toString('base64')}`;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.auth) headers.authorization = basicAuth(options.auth);
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    body =
      typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await request(`${baseUrl.replace(/\/$/, '')}${path}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export function header(response: ApiResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Binds a base URL and credentials so a test reads like the API calls it makes. */
export function client(baseUrl: string, auth: Credentials | null) {
  return {
    get: (path: string, options: CallOptions = {}) => call(baseUrl, 'GET', path, { auth, ...options }),
    post: (path: string, body?: unknown, options: CallOptions = {}) =>
      call(baseUrl, 'POST', path, { auth, body, ...options }),
    put: (path: string, body?: unknown, options: CallOptions = {}) =>
      call(baseUrl, 'PUT', path, { auth, body, ...options }),
    delete: (path: string, options: CallOptions = {}) => call(baseUrl, 'DELETE', path, { auth, ...options }),
  };
}

export type Client = ReturnType<typeof client>;
