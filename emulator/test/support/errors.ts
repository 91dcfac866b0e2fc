/**
 * Assertions for Dotdigital's two error envelopes: v2 `{"message":"Error: CODE"}` with CODE from the published
 * registry, and v3 `{"errorCode","description","details"}` per the Contacts v3 `errorResponse` schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { assertComponentMatches, referenceDir } from '../openapi.js';
import type { ApiResponse } from './http.js';

let registry: Set<string> | undefined;

/** Every ERROR_* code in Dotdigital's published error-code registry. */
export function registeredV2Codes(): Set<string> {
  if (!registry) {
    const document = parse(
      readFileSync(path.join(referenceDir, 'dotdigital', 'error-codes.yaml'), 'utf8'),
    ) as {
      error_codes: { code: string }[];
    };
    registry = new Set(document.error_codes.map((entry) => entry.code));
  }
  return registry;
}

function describeResponse(response: ApiResponse): string {
  return `${response.status} ${response.text.slice(0, 300)}`;
}

/**
 * Asserts a v2 error: status, envelope, and a code from the registry (the exact one when `code` is given).
 * `unregisteredCodeAllowed` is for answers whose body Dotdigital does not document at all (the tiered 429).
 */
export function expectV2Error(
  response: ApiResponse,
  status: number,
  code?: string,
  options: { unregisteredCodeAllowed?: boolean } = {},
): string {
  expect(response.status, describeResponse(response)).toBe(status);
  // The programs spec publishes the v2 envelope as its ApiError component.
  assertComponentMatches('programs', 'ApiError', response.json);
  const message = (response.json as { message?: unknown }).message;
  expect(typeof message, describeResponse(response)).toBe('string');
  const match = /^Error: (ERROR_[A-Z_]+)$/.exec(message as string);
  expect(match, `v2 message must be "Error: ERROR_…", got ${JSON.stringify(message)}`).not.toBeNull();
  const actual = match![1]!;
  if (!options.unregisteredCodeAllowed) {
    expect(registeredV2Codes().has(actual), `${actual} is not in Dotdigital's error-code registry`).toBe(
      true,
    );
  }
  if (code) expect(actual).toBe(code);
  return actual;
}

export interface V3Error {
  errorCode: string;
  description: string;
  details?: { item: string; description: string }[];
}

/** Asserts a v3 error: status, the published errorResponse schema, and the errorCode when given. */
export function expectV3Error(response: ApiResponse, status: number, errorCode?: string): V3Error {
  expect(response.status, describeResponse(response)).toBe(status);
  assertComponentMatches('contacts-v3', 'errorResponse', response.json);
  const body = response.json as V3Error;
  expect(body.errorCode).toMatch(/^contacts:[A-Za-z]+$/);
  if (errorCode) expect(body.errorCode).toBe(errorCode);
  return body;
}
