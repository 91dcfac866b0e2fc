import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { repoRoot } from './docker.js';

let validator: ValidateFunction | undefined;

/** Validates one message against the reference protocol schema's #/definitions/AirbyteMessage. */
export function airbyteMessageErrors(message: unknown): string[] {
  if (!validator) {
    const schemaPath = path.resolve(
      repoRoot,
      '..',
      'shared',
      'reference',
      'airbyte',
      'airbyte_protocol.yaml',
    );
    const schema = parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    // The schema carries Java code-generation keywords (existingJavaType…) that strict mode rejects.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(schema, 'airbyte_protocol');
    validator = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage');
    if (!validator) throw new Error('AirbyteMessage definition not found in the protocol schema');
  }
  return validator(message)
    ? []
    : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
