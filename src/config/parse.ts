import { ConfigError } from '../protocol/errors.js';
import { CONNECTION_SPECIFICATION, isRecord, selectedBranch, type SpecSchema } from './connection-spec.js';
import { hintFor } from './hints.js';
import { parseObjectStorage } from './object-storage.js';
import {
  DEFAULT_IDENTIFIER_MAPPING,
  IDENTIFIER_FIELD_KEYS,
  IDENTIFIER_NAMES,
  identifierMappingProblems,
  precedenceOf,
  type IdentifierName,
} from './identifier-rules.js';
import type { RawConfig } from './raw-config.generated.js';
import { specProblems, type ConfigPath, type ConfigProblem } from './spec-validator.js';
import type { ConnectorConfig, IdentifierKind, IdentifierMapping } from './types.js';

const KIND: Record<IdentifierName, IdentifierKind> = {
  contact_id: 'contactId',
  email: 'email',
  mobile_number: 'mobileNumber',
};

const SHOWN_PROBLEMS = 5;

/** Validates a raw config against spec.json, then the rules the spec cannot state, and converts it. */
export function parseConfig(raw: unknown): ConnectorConfig {
  const problems = specProblems(raw);
  const mapping = isRecord(raw) ? raw.identifier_mapping : undefined;
  if (isRecord(mapping) && !problems.some((p) => p.path[0] === 'identifier_mapping')) {
    problems.push(...identifierMappingProblems(mapping as NonNullable<RawConfig['identifier_mapping']>));
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((problem) => describeProblem(problem, raw));
    const more =
      problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more problems)` : '';
    const internal = problems.map((problem) => `${pathText(problem.path) || '(root)'}: ${problem.code}`);
    throw new ConfigError(
      `The configuration is invalid: ${shown.join(' ')}${more}`,
      `config validation failed: ${internal.join(', ')}`,
    );
  }
  return toConnectorConfig(withTopLevelDefaults(raw as Record<string, unknown>));
}

/**
 * A top-level setting left out takes spec.json's default. Nested defaults are only what Airbyte's form
 * pre-fills: an identifier field the user clears in the form is left out, and means "not used".
 */
function withTopLevelDefaults(raw: Record<string, unknown>): RawConfig {
  const filled: Record<string, unknown> = { ...raw };
  for (const [key, property] of Object.entries(CONNECTION_SPECIFICATION.properties ?? {})) {
    if (filled[key] === undefined && property.default !== undefined)
      filled[key] = structuredClone(property.default);
  }
  return filled as unknown as RawConfig;
}

function toConnectorConfig(raw: RawConfig): ConnectorConfig {
  const config: ConnectorConfig = {
    apiUser: raw.api_user,
    password: raw.api_password,
    region: raw.region,
    mapping: toMapping(raw.identifier_mapping),
    enrolmentMode: raw.enrolment_mode,
    listModeThreshold: raw.list_mode_threshold,
    resolution: raw.resolution,
    enrolUnreachableContacts: raw.enrol_unreachable_contacts,
    maxAllowanceWaitSeconds: raw.max_allowance_wait_minutes * 60,
    maxStateHoldSeconds: raw.max_state_hold_minutes * 60,
    recentEnrolmentLookbackHours: raw.recent_enrolment_lookback_hours,
    rejectedRecords:
      raw.rejected_records.destination === 'local_file'
        ? { type: 'file', path: raw.rejected_records.path }
        : { type: 'none' },
    objectStorage: parseObjectStorage(raw.object_storage_config),
    dryRun: raw.dry_run,
  };
  if (raw.base_url !== undefined) config.baseUrl = raw.base_url.replace(/\/+$/, '');
  if (raw.program_id !== undefined) config.programId = raw.program_id;
  if (raw.default_country !== undefined) config.defaultCountry = raw.default_country;
  return config;
}

/** Without a mapping, records use the field names discover advertises (the spec's field defaults). */
function toMapping(raw: RawConfig['identifier_mapping']): IdentifierMapping {
  const mapping = raw ?? DEFAULT_IDENTIFIER_MAPPING;
  const fields: IdentifierMapping['fields'] = {};
  for (const name of IDENTIFIER_NAMES) {
    const field = mapping[IDENTIFIER_FIELD_KEYS[name]];
    if (field !== undefined) fields[KIND[name]] = field;
  }
  return {
    fields,
    precedence: precedenceOf(mapping).map((name) => KIND[name]),
    fallThroughOnInvalid: mapping.fall_through_on_invalid === true,
  };
}

function describeProblem(problem: ConfigProblem, raw: unknown): string {
  const path = pathText(problem.path);
  const subject = path ? `"${path}"` : 'The configuration';
  return `${subject} ${problem.problem}. ${hintFor(problem.path, raw)}`;
}

function pathText(path: ConfigPath): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/**
 * Fields the connector does not know. They are accepted (a config saved for another version must still
 * run) but worth a warning, since a misspelt optional field would otherwise be silently ignored.
 */
export function unknownConfigFields(raw: unknown): string[] {
  return unknownIn(CONNECTION_SPECIFICATION, raw, '');
}

function unknownIn(schema: SpecSchema, value: unknown, prefix: string): string[] {
  if (!isRecord(value)) return [];
  const resolved = schema.oneOf ? selectedBranch(schema, value) : schema;
  if (!resolved?.properties) return [];
  const properties = resolved.properties;
  return Object.entries(value).flatMap(([key, child]) => {
    const property = properties[key];
    if (!property) return [`${prefix}${key}`];
    return property.type === 'object' ? unknownIn(property, child, `${prefix}${key}.`) : [];
  });
}
