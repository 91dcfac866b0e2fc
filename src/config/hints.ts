/**
 * What to put in a field, read from spec.json (title, description, pattern_descriptor, range, examples),
 * so a validation error says how to fix it with the same words the Airbyte form shows.
 */
import { CONNECTION_SPECIFICATION, schemaAt, type SpecSchema } from './connection-spec.js';
import { orList, type ConfigPath } from './spec-validator.js';

/** The hint of the nearest field on the path that the spec describes (array items use their array's). */
export function hintFor(path: ConfigPath, raw: unknown): string {
  for (let end = path.length; end > 0; end -= 1) {
    const schema = schemaAt(path.slice(0, end), raw);
    if (schema && typeof path[end - 1] === 'string' && (schema.title || schema.description))
      return describe(schema);
  }
  const required = CONNECTION_SPECIFICATION.required ?? [];
  return `Put a JSON object with at least ${required.join(' and ')}.`;
}

function describe(schema: SpecSchema): string {
  const parts: string[] = [];
  const about = [schema.title, schema.description].filter(Boolean).join(': ');
  if (about) parts.push(sentence(about));
  if (schema.pattern_descriptor) parts.push(`It must look like ${schema.pattern_descriptor}.`);
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined) {
    parts.push(`Put a whole number from ${schema.minimum} to ${schema.maximum}.`);
  }
  if (schema.oneOf) {
    const kinds = schema.oneOf.map((branch) => {
      const constant = Object.values(branch.properties ?? {}).find(
        (property) => property.const !== undefined,
      );
      return `${String(constant?.const)} (${branch.title ?? ''})`;
    });
    parts.push(`Put ${orList(kinds)}.`);
  }
  const examples = schema.examples?.filter((example) => typeof example !== 'object');
  if (examples && examples.length > 0) parts.push(`For example ${orList(examples)}.`);
  return parts.join(' ');
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
