/**
 * Validators for "the response schema of operation X for status S" built from Dotdigital's published OpenAPI
 * files in the repository's reference/dotdigital (verbatim copies with their provenance in reference/README.md),
 * read as data at test time, so a test fails when the emulator drifts from what Dotdigital publishes.
 *
 * The files mix OpenAPI 3.0 (contacts-v3, v2-api) and 3.1 (the others). Everything is normalised into one JSON
 * Schema 2020-12 dialect: 3.0's `nullable` becomes an explicit null alternative, local `$ref`s are gathered
 * into `$defs` (so recursive schemas still compile), and OpenAPI-only annotations are dropped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { referenceDir } from '../../test/support/reference.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type SpecName =
  'programs' | 'contacts-v3' | 'v2-api' | 'accounts-and-utilities' | 'lists-address-books';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export { referenceDir };

const specCache = new Map<SpecName, JsonObject>();

export function loadSpec(name: SpecName): JsonObject {
  let spec = specCache.get(name);
  if (!spec) {
    const file = path.join(referenceDir, 'dotdigital', `${name}.openapi.json`);
    spec = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
    specCache.set(name, spec);
  }
  return spec;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function operationOf(spec: SpecName, method: HttpMethod, route: string): JsonObject {
  const paths = loadSpec(spec).paths;
  if (!isObject(paths)) throw new Error(`${spec}: no paths object`);
  const item = paths[route];
  if (!isObject(item)) {
    throw new Error(
      `${spec}: path ${route} is not in the spec. Known paths: ${Object.keys(paths).sort().join(', ')}`,
    );
  }
  const operation = item[method];
  if (!isObject(operation)) {
    const known = Object.keys(item).filter((key) => key !== 'parameters');
    throw new Error(
      `${spec}: ${method.toUpperCase()} ${route} is not in the spec (has: ${known.join(', ')})`,
    );
  }
  return operation;
}

/** Status codes the spec documents for an operation, e.g. ['201', '400', '401']. */
export function documentedStatuses(spec: SpecName, method: HttpMethod, route: string): string[] {
  const responses = operationOf(spec, method, route).responses;
  return isObject(responses) ? Object.keys(responses) : [];
}

function responseObject(spec: SpecName, method: HttpMethod, route: string, status: number): JsonObject {
  const responses = operationOf(spec, method, route).responses;
  const response = isObject(responses) ? responses[String(status)] : undefined;
  if (!isObject(response)) {
    throw new Error(
      `${spec}: ${method.toUpperCase()} ${route} documents no ${status} response ` +
        `(documented: ${documentedStatuses(spec, method, route).join(', ')})`,
    );
  }
  return response;
}

/** Media types the spec gives for one response; empty when the response is documented without a body. */
export function documentedMediaTypes(
  spec: SpecName,
  method: HttpMethod,
  route: string,
  status: number,
): string[] {
  const content = responseObject(spec, method, route, status).content;
  return isObject(content) ? Object.keys(content) : [];
}

function resolvePointer(spec: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
  let node: Json = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`dangling $ref ${ref}`);
    node = node[key] as Json;
  }
  return node;
}

/** Keys that are OpenAPI annotations rather than JSON Schema keywords; they carry no validation meaning. */
const droppedKeys = new Set(['example', 'xml', 'externalDocs', 'discriminator', 'nullable']);

/**
 * Turns an OpenAPI schema into plain JSON Schema 2020-12. `$ref`s become `#/$defs/<name>` and every referenced
 * component is converted once into `defs`.
 */
function normalise(spec: JsonObject, node: Json, defs: Record<string, Json>): Json {
  if (Array.isArray(node)) return node.map((item) => normalise(spec, item, defs));
  if (!isObject(node)) return node;

  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    const name = ref.replace(/^#\//, '').replace(/[/~]/g, '_');
    if (!(name in defs)) {
      defs[name] = true; // placeholder first, so a self-referencing schema terminates
      defs[name] = normalise(spec, resolvePointer(spec, ref), defs);
    }
    return { $ref: `#/$defs/${name}` };
  }

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (droppedKeys.has(key) || key.startsWith('x-')) continue;
    // `properties`, `$defs` and similar hold maps of names to schemas; their keys are data, not keywords.
    if ((key === 'properties' || key === 'patternProperties') && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, normalise(spec, schema, defs)]),
      );
    } else {
      out[key] = normalise(spec, value, defs);
    }
  }
  // OpenAPI 3.0 `nullable: true` means "this schema, or null". It is written beside type/oneOf/allOf, so the
  // only faithful translation wraps the whole schema.
  if (node.nullable === true) return { anyOf: [{ type: 'null' }, out] };
  return out;
}

/**
 * Dotdigital's own examples write timestamps as "2020-01-01 09:40:18.527000+00:00" (space separator,
 * microseconds) and some as "2023-01-26T21:29:00" (no zone). Strict RFC 3339 would reject the spec's own
 * examples, so date-time accepts either separator, any fraction and an optional zone — while still demanding a
 * real calendar date and time, so a garbage string still fails.
 */
const lenientDateTime =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/i;

export function isLenientDateTime(value: string): boolean {
  const match = lenientDateTime.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day! &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 61
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function createAjv(): Ajv2020 {
  // strictSchema stays on: an unknown keyword or format must fail loudly rather than silently validate
  // nothing. Type and `required` strictness are off because the published allOf compositions split a
  // type's properties and requirements across branches, which is valid JSON Schema.
  const ajv = new Ajv2020({
    allErrors: true,
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateFormats: true,
  });
  const addFormats = addFormatsModule as unknown as (instance: Ajv2020, formats: string[]) => void;
  addFormats(ajv, ['date', 'email', 'uri', 'ipv4', 'ipv6', 'byte']);
  ajv.addFormat('date-time', { type: 'string', validate: isLenientDateTime });
  ajv.addFormat('uuid', { type: 'string', validate: (value: string) => uuidPattern.test(value) });
  // The v2 file (generated from .NET) says "guid" for the same thing.
  ajv.addFormat('guid', { type: 'string', validate: (value: string) => uuidPattern.test(value) });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('double', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  ajv.addFormat('decimal', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  // A binary body is opaque bytes; its shape is checked by the tests that parse it (e.g. the fault CSV).
  ajv.addFormat('binary', { type: 'string', validate: () => true });
  return ajv;
}

const ajv = createAjv();
const compiled = new Map<string, ValidateFunction>();

function compile(key: string, spec: JsonObject, schema: Json): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    const defs: Record<string, Json> = {};
    const root = normalise(spec, schema, defs);
    const document: JsonObject = isObject(root) ? { ...root } : { allOf: [root] };
    document.$defs = defs;
    validate = ajv.compile(document);
    compiled.set(key, validate);
  }
  return validate;
}

/** The normalised JSON Schema of one documented response body (throws when the spec has none). */
export function responseSchema(
  spec: SpecName,
  method: HttpMethod,
  route: string,
  status: number,
  mediaType = 'application/json',
): Json {
  const content = responseObject(spec, method, route, status).content;
  const media = isObject(content) ? content[mediaType] : undefined;
  if (!isObject(media) || media.schema === undefined) {
    throw new Error(
      `${spec}: ${method.toUpperCase()} ${route} ${status} documents no ${mediaType} body ` +
        `(media types: ${documentedMediaTypes(spec, method, route, status).join(', ') || 'none'})`,
    );
  }
  return media.schema;
}

/** The normalised JSON Schema of an operation's request body (throws when the spec documents none). */
export function requestSchema(
  spec: SpecName,
  method: HttpMethod,
  route: string,
  mediaType = 'application/json',
): Json {
  const body = operationOf(spec, method, route).requestBody;
  const content = isObject(body) ? body.content : undefined;
  const media = isObject(content) ? content[mediaType] : undefined;
  if (!isObject(media) || media.schema === undefined) {
    throw new Error(`${spec}: ${method.toUpperCase()} ${route} documents no ${mediaType} request body`);
  }
  return media.schema;
}

/** Published request examples of one operation, so tests can send exactly what Dotdigital documents. */
export function requestExamples(spec: SpecName, method: HttpMethod, route: string): unknown[] {
  const body = operationOf(spec, method, route).requestBody;
  const content = isObject(body) ? body.content : undefined;
  const media = isObject(content) ? content['application/json'] : undefined;
  if (!isObject(media)) return [];
  const out: unknown[] = [];
  if (media.example !== undefined) out.push(media.example);
  if (isObject(media.examples)) {
    for (const example of Object.values(media.examples)) {
      if (isObject(example) && 'value' in example) out.push(example.value);
    }
  }
  return out;
}

export interface SchemaCheck {
  valid: boolean;
  errors: string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`.trim());
}

export function checkResponse(
  spec: SpecName,
  method: HttpMethod,
  route: string,
  status: number,
  body: unknown,
  mediaType = 'application/json',
): SchemaCheck {
  const schema = responseSchema(spec, method, route, status, mediaType);
  const validate = compile(`${spec} ${method} ${route} ${status} ${mediaType}`, loadSpec(spec), schema);
  const valid = validate(body) as boolean;
  return { valid, errors: valid ? [] : describe(validate.errors) };
}

/** Throws a readable error naming the operation, the failing paths and the start of the body. */
export function assertResponseMatches(
  spec: SpecName,
  method: HttpMethod,
  route: string,
  status: number,
  body: unknown,
  mediaType = 'application/json',
): void {
  const result = checkResponse(spec, method, route, status, body, mediaType);
  if (!result.valid) {
    throw new Error(
      `response does not match ${spec} ${method.toUpperCase()} ${route} ${status}:\n  ` +
        `${result.errors.join('\n  ')}\nbody: ${JSON.stringify(body).slice(0, 600)}`,
    );
  }
}

/** Checks a body a test is about to send, so the tests themselves stay within the published contract. */
export function assertRequestMatches(spec: SpecName, method: HttpMethod, route: string, body: unknown): void {
  const schema = requestSchema(spec, method, route);
  const validate = compile(`${spec} ${method} ${route} request`, loadSpec(spec), schema);
  if (!(validate(body) as boolean)) {
    throw new Error(
      `request body does not match ${spec} ${method.toUpperCase()} ${route}:\n  ` +
        `${describe(validate.errors).join('\n  ')}\nbody: ${JSON.stringify(body).slice(0, 600)}`,
    );
  }
}

/** Validates against a named component schema (e.g. the v3 `errorResponse`, or programs' `ApiError`). */
export function checkComponent(spec: SpecName, name: string, body: unknown): SchemaCheck {
  const document = loadSpec(spec);
  const schemas = isObject(document.components) ? document.components.schemas : undefined;
  if (!isObject(schemas) || schemas[name] === undefined) {
    throw new Error(`${spec}: no component schema named ${name}`);
  }
  const validate = compile(`${spec} #${name}`, document, { $ref: `#/components/schemas/${name}` });
  const valid = validate(body) as boolean;
  return { valid, errors: valid ? [] : describe(validate.errors) };
}

export function assertComponentMatches(spec: SpecName, name: string, body: unknown): void {
  const result = checkComponent(spec, name, body);
  if (!result.valid) {
    throw new Error(
      `body does not match ${spec} #/components/schemas/${name}:\n  ${result.errors.join('\n  ')}\n` +
        `body: ${JSON.stringify(body).slice(0, 600)}`,
    );
  }
}

export interface ExampleRef {
  spec: SpecName;
  method: HttpMethod;
  route: string;
  status: number;
  mediaType: string;
  name: string;
  value: unknown;
}

/** Every response example the spec publishes beside a JSON schema; used to prove the harness accepts them. */
export function responseExamples(spec: SpecName): ExampleRef[] {
  const out: ExampleRef[] = [];
  const paths = loadSpec(spec).paths;
  if (!isObject(paths)) return out;
  for (const [route, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!isObject(operation) || !isObject(operation.responses)) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isObject(response) || !isObject(response.content)) continue;
        for (const [mediaType, media] of Object.entries(response.content)) {
          if (!isObject(media) || !mediaType.includes('json') || media.schema === undefined) continue;
          const base = { spec, method: method as HttpMethod, route, status: Number(status), mediaType };
          if (media.example !== undefined) out.push({ ...base, name: 'example', value: media.example });
          if (isObject(media.examples)) {
            for (const [name, example] of Object.entries(media.examples)) {
              if (isObject(example) && 'value' in example) out.push({ ...base, name, value: example.value });
            }
          }
        }
      }
    }
  }
  return out;
}
