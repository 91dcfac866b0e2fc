/**
 * Response validation: a 2xx answer whose body does not have the documented shape is a changed API, and must
 * fail loudly with the endpoint and the field rather than flow on as undefined values.
 */
import type { z } from 'zod';
import { SystemError } from '../protocol/errors.js';
import type { HttpResponse } from './http.js';

/**
 * The v2 API answers with camelCase in its published examples but PascalCase in some of its live answers
 * (`Id`, `Properties`, `Name`…). Lower-casing the first letter of every key lets one camelCase schema accept
 * both. Not for bodies with user-defined keys that matter (data fields, custom identifiers).
 */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const camel = key.length > 0 ? key[0]!.toLowerCase() + key.slice(1) : key;
    // When both spellings are present the camelCase one (as documented) wins.
    if (camel !== key && Object.hasOwn(value as object, camel)) continue;
    out[camel] = camelCaseKeys(inner);
  }
  return out;
}

export function parseJsonBody(response: HttpResponse, endpoint: string): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    throw new SystemError(
      `Dotdigital answered ${endpoint} with something that is not JSON; the API may have changed. Report this to the connector's maintainers.`,
      `${endpoint} answered ${response.status} with a non-JSON body starting ${JSON.stringify(response.text.slice(0, 120))}`,
    );
  }
}

export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const listed = issues
    .slice(0, 5)
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)'}: ${issue.message}`,
    )
    .join('; ');
  return issues.length > 5 ? `${listed}; and ${issues.length - 5} more` : listed;
}

/** Validates a JSON answer; `v2` accepts PascalCase keys too. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  response: HttpResponse,
  endpoint: string,
  options: { v2?: boolean } = {},
): z.output<S> {
  const raw = parseJsonBody(response, endpoint);
  const result = schema.safeParse(options.v2 ? camelCaseKeys(raw) : raw);
  if (!result.success) {
    const detail = describeIssues(result.error.issues);
    throw new SystemError(
      `Dotdigital's answer to ${endpoint} did not have the expected shape (${detail}); the API may have changed. Report this to the connector's maintainers.`,
      `${endpoint} answered ${response.status} with an unexpected body: ${detail}`,
    );
  }
  return result.data;
}
