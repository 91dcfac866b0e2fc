/**
 * Validates a raw config against spec.json's connectionSpecification (compiled once by ajv) and turns
 * ajv's errors into problems that name the field, in words rather than JSON Schema keywords.
 */
import { Ajv, type ErrorObject } from 'ajv';
import {
  CONNECTION_SPECIFICATION,
  FORM_ANNOTATIONS,
  isRecord,
  selectedBranch,
  selectionKey,
  type SpecSchema,
} from './connection-spec.js';

export type ConfigPath = (string | number)[];

export interface ConfigProblem {
  path: ConfigPath;
  /** Reads after the field's name: `"region" must be one of auto, r1, r2, r3`. Never quotes the value. */
  problem: string;
  /** For the maintainers' log: the JSON Schema keyword or rule that failed. */
  code: string;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
ajv.addVocabulary([...FORM_ANNOTATIONS]);
const validate = ajv.compile(CONNECTION_SPECIFICATION);

/** Every way `raw` breaks spec.json, one problem per field and rule. */
export function specProblems(raw: unknown): ConfigProblem[] {
  if (validate(raw)) return [];
  const errors = validate.errors ?? [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (!inSelectedBranches(error, errors, raw)) continue;
    const problem = describe(error, raw);
    if (problem === undefined) continue;
    const key = `${JSON.stringify(problem.path)} ${problem.problem}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/**
 * ajv reports every oneOf branch's errors; only the branch the value selects (as the form shows it)
 * says what is wrong. Errors of the other branches are dropped.
 */
function inSelectedBranches(error: ErrorObject, all: ErrorObject[], raw: unknown): boolean {
  const pattern = /\/oneOf\/(\d+)\//g;
  for (let match = pattern.exec(error.schemaPath); match; match = pattern.exec(error.schemaPath)) {
    const oneOfPath = error.schemaPath.slice(0, match.index + '/oneOf'.length);
    const oneOfError = all.find((other) => other.keyword === 'oneOf' && other.schemaPath === oneOfPath);
    if (!oneOfError) return false;
    const schema = schemaAtPointer(oneOfPath.slice(0, -'/oneOf'.length));
    const branch = schema && selectedBranch(schema, valueAt(raw, pathOf(oneOfError.instancePath)));
    if (!branch || schema.oneOf?.indexOf(branch) !== Number(match[1])) return false;
  }
  return true;
}

function describe(error: ErrorObject, raw: unknown): ConfigProblem | undefined {
  const path = pathOf(error.instancePath);
  const value = valueAt(raw, path);
  const params = error.params as Record<string, unknown>;
  const at = (problem: string, where: ConfigPath = path): ConfigProblem => ({
    path: where,
    problem,
    code: error.keyword,
  });
  switch (error.keyword) {
    case 'required':
      return at('is missing', [...path, String(params.missingProperty)]);
    case 'type':
      return at(`must be ${typeName(String(params.type))}, not ${describeValue(value)}`);
    case 'minLength':
      return at('must not be empty');
    case 'pattern':
      // The hint that follows gives the pattern_descriptor, never the regular expression.
      return at('does not have the expected form');
    case 'minimum':
      return at(`must be at least ${String(params.limit)}`);
    case 'maximum':
      return at(`must be at most ${String(params.limit)}`);
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      return at(
        allowed.length > 12 ? 'is not one of the accepted values' : `must be one of ${allowed.join(', ')}`,
      );
    }
    case 'uniqueItems':
      return at(`names ${String((value as unknown[])[Number(params.j)])} twice`);
    case 'oneOf': {
      // Only reached when no branch is selected: the value's kind is missing or unknown.
      const schema = schemaAtPointer(error.schemaPath.replace(/\/oneOf$/, ''));
      const key = schema && selectionKey(schema);
      if (!schema || key === undefined || !isRecord(value) || selectedBranch(schema, value)) return undefined;
      const kinds = (schema.oneOf ?? []).map((branch) => String(branch.properties?.[key]?.const));
      return at(value[key] === undefined ? 'is missing' : `must be ${orList(kinds)}`, [...path, key]);
    }
    case 'const':
      // A branch discriminator: reported through the oneOf above.
      return undefined;
    default:
      return at('is not valid');
  }
}

export function orList(values: readonly unknown[]): string {
  const words = values.map(String);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function typeName(type: string): string {
  switch (type) {
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'array':
      return `an ${type}`;
    default:
      return `a ${type}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** `/identifier_mapping/precedence/1` → ['identifier_mapping', 'precedence', 1]. */
function pathOf(pointer: string): ConfigPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function schemaAtPointer(pointer: string): SpecSchema | undefined {
  let node: unknown = CONNECTION_SPECIFICATION;
  for (const part of pathOf(pointer.replace(/^#/, ''))) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return isRecord(node) ? (node as SpecSchema) : undefined;
}

export function valueAt(raw: unknown, path: ConfigPath): unknown {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}
