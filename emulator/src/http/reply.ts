/** What a route handler answers; the server adds rate-limit headers, writes it, and logs it. */
import { V2Failure, V3Failure } from './errors.js';

export interface Reply {
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8', headers };
}

export function v2Error(status: number, code: string, headers?: Record<string, string>): Reply {
  return json(status, { message: `Error: ${code}` }, headers);
}

export function v3Error(
  status: number,
  errorCode: string,
  description: string,
  details?: { item: string; description: string }[],
): Reply {
  return json(status, details ? { errorCode, description, details } : { errorCode, description });
}

export function failureReply(err: unknown): Reply | undefined {
  if (err instanceof V2Failure) return v2Error(err.status, err.code, err.headers);
  if (err instanceof V3Failure) return v3Error(err.status, err.errorCode, err.description, err.details);
  return undefined;
}
