/**
 * spec.json's connectionSpecification: the one definition of every setting. The parser validates
 * against it, its error hints are read from it and raw-config.generated.ts is generated from it.
 */
import spec from '../../spec.json' with { type: 'json' };

/** The part of JSON Schema (plus Airbyte's form annotations) that spec.json uses. */
export interface SpecSchema {
  type?: string;
  title?: string;
  description?: string;
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  examples?: readonly unknown[];
  pattern?: string;
  /** Airbyte's form shows this instead of the regular expression; so do the parser's messages. */
  pattern_descriptor?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  items?: SpecSchema;
  properties?: Record<string, SpecSchema>;
  required?: readonly string[];
  oneOf?: readonly SpecSchema[];
  [keyword: string]: unknown;
}

export const CONNECTION_SPECIFICATION = spec.connectionSpecification as unknown as SpecSchema;

/**
 * Annotations that Airbyte's connector form reads (airbyte-webapp src/core/jsonSchema/types.ts and
 * src/core/form/schemaToFormBlock.ts; `groups` in ConnectorForm/useBuildForm.tsx). A validator in strict
 * mode must be told they are not typos.
 */
export const FORM_ANNOTATIONS = [
  'airbyte_secret',
  'airbyte_hidden',
  'always_show',
  'display_type',
  'group',
  'groups',
  'multiline',
  'order',
  'pattern_descriptor',
] as const;

/**
 * The oneOf branch a value selects, the way Airbyte's form does: by the const property every branch
 * carries (rejected_records.destination). Undefined when the value names no branch.
 */
export function selectedBranch(schema: SpecSchema, value: unknown): SpecSchema | undefined {
  if (!schema.oneOf || !isRecord(value)) return undefined;
  const key = selectionKey(schema);
  if (key === undefined) return undefined;
  return schema.oneOf.find((branch) => branch.properties?.[key]?.const === value[key]);
}

/** The property whose const tells a oneOf's branches apart. */
export function selectionKey(schema: SpecSchema): string | undefined {
  const [first, ...rest] = schema.oneOf ?? [];
  return Object.entries(first?.properties ?? {})
    .filter(([, property]) => property.const !== undefined)
    .map(([key]) => key)
    .find((key) => rest.every((branch) => branch.properties?.[key]?.const !== undefined));
}

/** The schema of the value at `path` in `raw` (oneOf resolved by the value; array items by position). */
export function schemaAt(path: readonly (string | number)[], raw: unknown): SpecSchema | undefined {
  let schema: SpecSchema | undefined = CONNECTION_SPECIFICATION;
  let value: unknown = raw;
  for (const part of path) {
    if (schema === undefined) return undefined;
    if (schema.oneOf) schema = selectedBranch(schema, value) ?? schema;
    schema = typeof part === 'number' ? schema.items : schema.properties?.[part];
    value = isRecord(value) || Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  }
  return schema;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
