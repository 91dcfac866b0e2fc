import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { referencePath } from '../support/reference.js';

/**
 * Validators for definitions of the Airbyte protocol's JSON Schema (the copy in reference/airbyte), shared by every contract test. Tests validate against this file, never against the
 * TypeScript types, so a type that drifted from the protocol is caught.
 */
export const PROTOCOL_SCHEMA_PATH = referencePath('airbyte', 'airbyte_protocol.yaml');

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

function protocolAjv(): Ajv {
  if (!ajv) {
    const schema = parse(readFileSync(PROTOCOL_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(schema, 'airbyte_protocol');
  }
  return ajv;
}

/** A validator for `#/definitions/<name>` of airbyte_protocol.yaml. */
export function protocolValidator(definition: string): ValidateFunction {
  let validate = cache.get(definition);
  if (!validate) {
    validate = protocolAjv().getSchema(`airbyte_protocol#/definitions/${definition}`);
    if (!validate) throw new Error(`airbyte_protocol.yaml has no definition ${definition}`);
    cache.set(definition, validate);
  }
  return validate;
}

/** Errors of `value` against AirbyteMessage, as readable strings; empty when it validates. */
export function airbyteMessageErrors(value: unknown): string[] {
  return validationErrors(protocolValidator('AirbyteMessage'), value);
}

export function validationErrors(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) =>
    `${e.instancePath || '/'} ${e.message ?? ''}`.trim(),
  );
}

/** Asserts every message validates; the failure names the message and what is wrong with it. */
export function expectValidAirbyteMessages(messages: readonly unknown[]): void {
  const problems = messages
    .map((message, index) => ({ index, errors: airbyteMessageErrors(message), message }))
    .filter((entry) => entry.errors.length > 0)
    .map(
      (entry) =>
        `message ${entry.index} ${JSON.stringify(entry.message).slice(0, 300)}: ${entry.errors.join('; ')}`,
    );
  if (problems.length > 0)
    throw new Error(`stdout has messages that are not valid AirbyteMessages:\n${problems.join('\n')}`);
}
