/**
 * The identifier mapping rules that span fields, which neither JSON Schema as Airbyte's form reads it
 * nor the form itself can express: at least one identifier field, and a precedence that names each
 * mapped identifier exactly once.
 */
import { CONNECTION_SPECIFICATION } from './connection-spec.js';
import type { RawConfig } from './raw-config.generated.js';
import type { ConfigProblem } from './spec-validator.js';

export type RawIdentifierMapping = NonNullable<RawConfig['identifier_mapping']>;
export type IdentifierName = NonNullable<RawIdentifierMapping['precedence']>[number];

/** spec.json's identifier names (the precedence items), in their default order. */
export const IDENTIFIER_NAMES = CONNECTION_SPECIFICATION.properties!.identifier_mapping!.properties!
  .precedence!.items!.enum as readonly IdentifierName[];

export const IDENTIFIER_FIELD_KEYS = {
  contact_id: 'contact_id_field',
  email: 'email_field',
  mobile_number: 'mobile_number_field',
} as const satisfies Record<IdentifierName, keyof RawIdentifierMapping>;

/** No identifier_mapping: every identifier, read from the field its spec.json default names. */
export const DEFAULT_IDENTIFIER_MAPPING: RawIdentifierMapping = Object.fromEntries(
  Object.values(IDENTIFIER_FIELD_KEYS).map((key) => [
    key,
    CONNECTION_SPECIFICATION.properties!.identifier_mapping!.properties![key]!.default,
  ]),
);

/** The identifiers a mapping sets a field for, in the default order. */
export function mappedIdentifiers(mapping: RawIdentifierMapping): IdentifierName[] {
  return IDENTIFIER_NAMES.filter((name) => mapping[IDENTIFIER_FIELD_KEYS[name]] !== undefined);
}

/** An empty precedence (what a cleared multi-select sends) means the default order. */
export function precedenceOf(mapping: RawIdentifierMapping): IdentifierName[] {
  return mapping.precedence && mapping.precedence.length > 0
    ? mapping.precedence
    : mappedIdentifiers(mapping);
}

export function identifierMappingProblems(mapping: RawIdentifierMapping): ConfigProblem[] {
  const mapped = mappedIdentifiers(mapping);
  if (mapped.length === 0) {
    const keys = Object.values(IDENTIFIER_FIELD_KEYS);
    return [
      {
        path: ['identifier_mapping'],
        code: 'at_least_one_identifier',
        problem:
          `sets none of the three identifier fields: set at least one of ${keys.join(', ')} to the record ` +
          `field holding that identifier, or leave identifier_mapping out to use ${Object.values(DEFAULT_IDENTIFIER_MAPPING).join(', ')}`,
      },
    ];
  }
  const precedence = precedenceOf(mapping);
  const problems: ConfigProblem[] = [];
  const unset = precedence.filter((name) => !mapped.includes(name));
  const missing = mapped.filter((name) => !precedence.includes(name));
  if (unset.length > 0) {
    problems.push({
      path: ['identifier_mapping', 'precedence'],
      code: 'precedence_names_unmapped',
      problem: `names ${unset.join(', ')}, whose field is not set`,
    });
  }
  if (missing.length > 0) {
    problems.push({
      path: ['identifier_mapping', 'precedence'],
      code: 'precedence_leaves_out_mapped',
      problem: `leaves out ${missing.join(', ')}, whose field is set`,
    });
  }
  return problems;
}
