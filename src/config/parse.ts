import type { z } from 'zod';
import { ConfigError } from '../protocol/errors.js';
import { hintFor } from './hints.js';
import { parseObjectStorage } from './object-storage.js';
import {
  IDENTIFIER_FIELD_KEYS,
  IDENTIFIER_NAMES,
  rawConfigSchema,
  type IdentifierName,
  type RawConfig,
} from './schema.js';
import type { ConnectorConfig, IdentifierKind, IdentifierMapping } from './types.js';

const KIND: Record<IdentifierName, IdentifierKind> = {
  contact_id: 'contactId',
  email: 'email',
  mobile_number: 'mobileNumber',
};

/** Validates a raw config (as spec.json describes it) and converts it into ConnectorConfig. */
export function parseConfig(raw: unknown): ConnectorConfig {
  const result = rawConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => describeIssue(issue, raw));
    const more =
      result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more problems)` : '';
    const message = `The configuration is invalid: ${problems.join(' ')}${more}`;
    const internal = result.error.issues.map((issue) => `${pathText(issue.path) || '(root)'}: ${issue.code}`);
    throw new ConfigError(message, `config validation failed: ${internal.join(', ')}`);
  }
  return toConnectorConfig(result.data);
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

/** Without a mapping, records use the field names discover advertises. */
function toMapping(raw: RawConfig['identifier_mapping']): IdentifierMapping {
  if (!raw) {
    return {
      fields: { contactId: 'contact_id', email: 'email', mobileNumber: 'mobile_number' },
      precedence: ['contactId', 'email', 'mobileNumber'],
      fallThroughOnInvalid: false,
    };
  }
  const fields: IdentifierMapping['fields'] = {};
  for (const name of IDENTIFIER_NAMES) {
    const field = raw[IDENTIFIER_FIELD_KEYS[name]];
    if (field !== undefined) fields[KIND[name]] = field;
  }
  const order =
    raw.precedence ?? IDENTIFIER_NAMES.filter((name) => raw[IDENTIFIER_FIELD_KEYS[name]] !== undefined);
  return {
    fields,
    precedence: order.map((name) => KIND[name]),
    fallThroughOnInvalid: raw.fall_through_on_invalid,
  };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = pathText(issue.path);
  const subject = path ? `"${path}"` : 'The configuration';
  const problem = problemText(issue, valueAt(raw, issue.path));
  return `${subject} ${problem}. ${hintFor(issue.path)}`;
}

function problemText(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code === 'invalid_type') return 'is missing';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}, not ${describeValue(value)}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return issue.values.length > 12
        ? 'is not one of the accepted values'
        : `must be one of ${issue.values.join(', ')}`;
    case 'invalid_format':
      return 'does not have the expected form';
    case 'invalid_union':
      return 'does not match any of the accepted forms';
    case 'custom':
      return issue.message;
    default:
      return 'is not valid';
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'object' || expected === 'array') return `an ${expected}`;
  return `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  return `a ${typeof value}`;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * Fields the connector does not know. They are accepted (a config saved for another version must still
 * run) but worth a warning, since a misspelt optional field would otherwise be silently ignored.
 */
export function unknownConfigFields(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  const known = new Set(Object.keys(rawConfigSchema.shape));
  const unknown = Object.keys(raw).filter((key) => !known.has(key));
  const mapping = raw.identifier_mapping;
  if (isRecord(mapping)) {
    const mappingKeys = new Set([
      ...Object.values(IDENTIFIER_FIELD_KEYS),
      'precedence',
      'fall_through_on_invalid',
    ]);
    unknown.push(
      ...Object.keys(mapping)
        .filter((key) => !mappingKeys.has(key))
        .map((key) => `identifier_mapping.${key}`),
    );
  }
  return unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
