/**
 * Writes src/config/raw-config.generated.ts from spec.json (`npm run generate:config-types`), so the
 * raw config's TypeScript type cannot drift from the spec; test/config/raw-config-types.test.ts fails
 * when the file is not what this script would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

export interface Schema {
  type?: string;
  title?: string;
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  oneOf?: readonly Schema[];
}

export const GENERATED_PATH = 'src/config/raw-config.generated.ts';

const HEADER = `/**
 * Generated from spec.json by \`npm run generate:config-types\`: do not edit, change spec.json and run it.
 *
 * The raw configuration once src/config/parse.ts has validated it against spec.json and filled in the
 * defaults of the top-level settings (nested defaults are what Airbyte's form pre-fills, so a nested
 * field left out stays out).
 */
`;

/** The generated module's text, formatted as the repository's prettier config formats it. */
export async function renderRawConfigTypes(
  spec: { connectionSpecification: Schema },
  root: string,
): Promise<string> {
  const source = `${HEADER}\nexport interface RawConfig ${objectType(spec.connectionSpecification, true)}\n`;
  const options = (await prettier.resolveConfig(`${root}/${GENERATED_PATH}`)) ?? {};
  return prettier.format(source, { ...options, parser: 'typescript' });
}

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.oneOf) return schema.oneOf.map((branch) => typeOf({ type: schema.type, ...branch })).join(' | ');
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${schema.items ? typeOf(schema.items) : 'unknown'}>`;
    case 'object':
      return objectType(schema, false);
    default:
      return 'unknown';
  }
}

function objectType(schema: Schema, topLevel: boolean): string {
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const present = required.has(key) || (topLevel && property.default !== undefined);
    const doc = property.title ? `/** ${property.title} */\n` : '';
    return `${doc}${key}${present ? '' : '?'}: ${typeOf(property)};`;
  });
  return `{\n${lines.join('\n')}\n}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? process.cwd();
  const spec = JSON.parse(readFileSync(`${root}/spec.json`, 'utf8')) as { connectionSpecification: Schema };
  writeFileSync(`${root}/${GENERATED_PATH}`, await renderRawConfigTypes(spec, root));
}
