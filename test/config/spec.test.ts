import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { getCountries } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { FORM_ANNOTATIONS } from '../../src/config/connection-spec.js';
import { identifierMappingProblems } from '../../src/config/identifier-rules.js';
import { parseConfig } from '../../src/config/parse.js';
import { MAX_WAIT_SETTING_MINUTES } from '../../src/enrolment/checkpoint-budget.js';
import { protocolValidator, validationErrors } from '../contract/airbyte-schema.js';

/**
 * parseConfig validates against spec.json and then applies the identifier mapping rules the spec cannot
 * state. These tests feed a plain JSON Schema validator of spec.json (as the platform and its form use
 * it) and the parser every candidate value of every field and many generated combinations: the parser
 * must reject exactly what the spec rejects, plus the cross-field rules, and nothing else.
 */
const spec = JSON.parse(readFileSync(new URL('../../spec.json', import.meta.url), 'utf8')) as {
  documentationUrl: string;
  supported_destination_sync_modes: string[];
  connectionSpecification: {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    groups: { id: string; title: string }[];
  };
};
const connectionSpecification = spec.connectionSpecification;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
ajv.addVocabulary([...FORM_ANNOTATIONS]);
const specAccepts = ajv.compile(connectionSpecification);

/** The parser's rules beyond the spec: only the identifier mapping's cross-field ones. */
function breaksIdentifierRules(raw: unknown): boolean {
  const mapping = (raw as { identifier_mapping?: unknown } | null)?.identifier_mapping;
  return (
    typeof mapping === 'object' &&
    mapping !== null &&
    identifierMappingProblems(mapping as Parameters<typeof identifierMappingProblems>[0]).length > 0
  );
}

function parserAccepts(raw: unknown): boolean {
  try {
    parseConfig(raw);
    return true;
  } catch {
    return false;
  }
}

const ABSENT = Symbol('absent');
type Candidates = { valid: unknown[]; invalid: unknown[] };

const mappingField: Candidates = { valid: [ABSENT, 'email', 'Contact ID', 'a.b'], invalid: ['', 5, null] };
const MAPPING: Record<string, Candidates> = {
  contact_id_field: mappingField,
  email_field: mappingField,
  mobile_number_field: mappingField,
  precedence: {
    // Whether a precedence is valid depends on which fields are set; these are "valid" as arrays.
    valid: [
      ABSENT,
      ['email'],
      ['contact_id', 'email'],
      ['mobile_number', 'email', 'contact_id'],
      ['contact_id'],
      // What the form sends when the multi-select is cleared: the default order.
      [],
    ],
    invalid: [['email', 'email'], ['phone'], 'email', null],
  },
  fall_through_on_invalid: { valid: [ABSENT, true, false], invalid: ['yes', 1] },
};

const FIELDS: Record<string, Candidates> = {
  api_user: { valid: ['apiuser-1@apiconnector.com', '  x '], invalid: [ABSENT, '', '   ', 42, null, true] },
  api_password: { valid: ['pw', 'p@ss"\\ word', ' '], invalid: [ABSENT, '', 0, null] },
  region: { valid: [ABSENT, 'auto', 'r1', 'r2', 'r3'], invalid: ['R1', 'eu', '', null, 1] },
  base_url: {
    valid: [
      ABSENT,
      'https://r1-api.dotdigital.com',
      'https://proxy.example.com:8443/dd/',
      'https://10.1.2.3',
      'https://x.com:65535',
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080/r2',
      'http://127.255.255.255',
      'http://localhost',
      'http://[::1]:3000/',
    ],
    invalid: [
      'http://128.0.0.1',
      'http://127.0.0.256',
      'http://localhost.evil.com',
      'http://proxy.example.com',
      'https://u:p@x.com',
      'https://x.com?q=1',
      'https://x.com/#f',
      'ftp://x.com',
      'https://',
      'https://x.com:0',
      'https://x.com:65536',
      'https://-x.com',
      'https://x .com',
      'https://x.com/a b',
      'HTTPS://X.COM',
      '',
      42,
    ],
  },
  program_id: { valid: [ABSENT, 1, 1001, 2147483647], invalid: [2147483648, 0, -5, 1.5, '1001', null] },
  default_country: { valid: [ABSENT, 'GB', 'US', 'AC'], invalid: ['gb', 'UK', 'XX', '', 1] },
  enrolment_mode: { valid: [ABSENT, 'auto', 'contacts', 'list'], invalid: ['both', null] },
  list_mode_threshold: { valid: [ABSENT, 1, 1000, 10000000], invalid: [10000001, 0, 2.5, '100'] },
  resolution: { valid: [ABSENT, 'auto', 'lookup', 'scan'], invalid: ['fast', ''] },
  enrol_unreachable_contacts: { valid: [ABSENT, true, false], invalid: ['true', 0] },
  max_allowance_wait_minutes: { valid: [ABSENT, 0, 10, 14], invalid: [15, 60, -1, 1.5] },
  max_state_hold_minutes: { valid: [ABSENT, 0, 10, 14], invalid: [15, -1] },
  recent_enrolment_lookback_hours: { valid: [ABSENT, 0, 24, 720], invalid: [721, 0.5] },
  rejected_records: {
    valid: [
      ABSENT,
      { destination: 'none' },
      { destination: 'none', path: '/x' },
      { destination: 'local_file', path: '/local/r.jsonl' },
    ],
    invalid: [
      { destination: 'local_file', path: 'relative.jsonl' },
      { destination: 'local_file' },
      { destination: 'local_file', path: '' },
      { destination: 's3' },
      {},
      'none',
      null,
    ],
  },
  object_storage_config: {
    valid: [
      ABSENT,
      { storage_type: 'None' },
      { storage_type: 'S3', s3_bucket_name: 'b', s3_bucket_region: '', bucket_path: '' },
      {
        storage_type: 'S3',
        s3_bucket_name: 'b',
        s3_bucket_region: 'eu-west-2',
        bucket_path: 'rejected/',
        s3_endpoint: 'http://127.0.0.1:9000',
        access_key_id: 'k',
        secret_access_key: 's',
        format: { format_type: 'JSONL' },
      },
    ],
    invalid: [
      {},
      { storage_type: 'GCS' },
      { storage_type: 'S3', s3_bucket_region: '', bucket_path: '' },
      { storage_type: 'S3', s3_bucket_name: 'b', s3_bucket_region: 'mars-1', bucket_path: '' },
      { storage_type: 'S3', s3_bucket_name: 'b', s3_bucket_region: '' },
      { storage_type: 'S3', s3_bucket_name: 'b', s3_bucket_region: '', bucket_path: '', access_key_id: 5 },
      'S3',
      null,
    ],
  },
  dry_run: { valid: [ABSENT, true, false], invalid: ['false'] },
  some_future_field: { valid: [ABSENT, 1, { nested: true }], invalid: [] },
};

function build(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, value]) => value !== ABSENT));
}

function candidate(candidates: Candidates): fc.Arbitrary<unknown> {
  const options = [{ arbitrary: fc.constantFrom(...candidates.valid), weight: 12 }];
  if (candidates.invalid.length > 0)
    options.push({ arbitrary: fc.constantFrom(...candidates.invalid), weight: 1 });
  return fc.oneof(...options);
}

const mappingArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(ABSENT), weight: 2 },
  {
    arbitrary: fc
      .tuple(
        ...Object.entries(MAPPING).map(([key, c]) => candidate(c).map((v) => [key, v] as [string, unknown])),
      )
      .map(build),
    weight: 6,
  },
  { arbitrary: fc.constantFrom('email', [], null, {}), weight: 1 },
);

const configArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc
      .tuple(
        mappingArbitrary,
        ...Object.entries(FIELDS).map(([key, c]) => candidate(c).map((v) => [key, v] as [string, unknown])),
      )
      .map(([mapping, ...entries]) =>
        build([...(entries as [string, unknown][]), ['identifier_mapping', mapping]]),
      ),
    weight: 30,
  },
  { arbitrary: fc.constantFrom(null, [], 'config', 42, {}), weight: 1 },
);

const validBase = { api_user: 'apiuser-1@apiconnector.com', api_password: 'pw' };

describe('parseConfig validates against spec.json', () => {
  it('on every candidate value of every field, one field at a time', () => {
    const disagreements: string[] = [];
    for (const [field, { valid, invalid }] of Object.entries(FIELDS)) {
      for (const [value, expected] of [...valid.map((v) => [v, true]), ...invalid.map((v) => [v, false])]) {
        const raw = build([...Object.entries(validBase), [field, value]]);
        if (value === ABSENT) delete raw[field];
        const bySpec = specAccepts(raw);
        const byParser = parserAccepts(raw);
        if (bySpec !== expected || byParser !== expected) {
          disagreements.push(
            `${field}=${JSON.stringify(value)}: expected ${expected}, spec ${bySpec}, parser ${byParser}`,
          );
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('on generated configs, valid and invalid alike', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(configArbitrary, (raw) => {
        const bySpec = specAccepts(raw);
        const expected = bySpec && !breaksIdentifierRules(raw);
        expect(parserAccepts(raw), `spec says ${bySpec} for ${JSON.stringify(raw)}`).toBe(expected);
        if (bySpec) accepted += 1;
        else rejected += 1;
      }),
      { numRuns: 4000, seed: 20261123 },
    );
    // Both outcomes must be well represented, or the agreement proves little.
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it('on the identifier mapping rules that span fields, which the spec (and so the form) leaves to the parser', () => {
    const cases: [unknown, boolean][] = [
      [{ email_field: 'e' }, true],
      [{ email_field: 'e', precedence: ['email'] }, true],
      [{ email_field: 'e', mobile_number_field: 'm', precedence: ['mobile_number', 'email'] }, true],
      [{ email_field: 'e', mobile_number_field: 'm', precedence: ['mobile_number'] }, false],
      [{ email_field: 'e', precedence: ['email', 'contact_id'] }, false],
      [{ precedence: ['email'] }, false],
      [{ fall_through_on_invalid: true }, false],
      [{ email_field: 'e', mobile_number_field: 'm', precedence: [] }, true],
    ];
    for (const [mapping, expected] of cases) {
      const raw = { ...validBase, identifier_mapping: mapping };
      expect([specAccepts(raw), parserAccepts(raw)], JSON.stringify(mapping)).toEqual([true, expected]);
    }
  });

  it('on defaults: writing out every default of spec.json, nested ones too, changes nothing', () => {
    const withDefaults: Record<string, unknown> = { ...validBase };
    for (const [field, property] of Object.entries(connectionSpecification.properties)) {
      if ('default' in property) withDefaults[field] = property.default;
      const nested = property.properties as Record<string, Record<string, unknown>> | undefined;
      if (nested) {
        withDefaults[field] = Object.fromEntries(
          Object.entries(nested)
            .filter(([, child]) => 'default' in child)
            .map(([key, child]) => [key, child.default]),
        );
      }
    }
    expect(Object.keys(withDefaults).length).toBeGreaterThan(10);
    expect(Object.keys(withDefaults.identifier_mapping as object)).toHaveLength(4);
    expect(parseConfig(withDefaults)).toEqual(parseConfig(validBase));
  });
});

describe('spec.json', () => {
  it('is a valid ConnectorSpecification for an append-only destination', () => {
    expect(validationErrors(protocolValidator('ConnectorSpecification'), spec)).toEqual([]);
    expect(spec.supported_destination_sync_modes).toEqual(['append']);
    expect(spec.documentationUrl).toMatch(/^https:\/\//);
  });

  it('gives every field a title, a description and a unique order', () => {
    const orders = new Set<number>();
    for (const [field, property] of Object.entries(connectionSpecification.properties)) {
      expect(typeof property.title, field).toBe('string');
      expect(typeof property.description, field).toBe('string');
      expect(typeof property.order, field).toBe('number');
      orders.add(property.order as number);
    }
    expect(orders.size).toBe(Object.keys(connectionSpecification.properties).length);
  });

  it('marks the password and the object store keys, and only those, as secrets', () => {
    const secrets = JSON.stringify(connectionSpecification).match(/"airbyte_secret":true/g) ?? [];
    expect(secrets).toHaveLength(3);
    expect(connectionSpecification.properties.api_password!.airbyte_secret).toBe(true);
    const [, s3] = connectionSpecification.properties.object_storage_config!.oneOf as {
      properties: Record<string, { airbyte_secret?: boolean }>;
    }[];
    expect(s3!.properties.access_key_id!.airbyte_secret).toBe(true);
    expect(s3!.properties.secret_access_key!.airbyte_secret).toBe(true);
  });

  it('lists the countries the phone-number library knows', () => {
    expect(connectionSpecification.properties.default_country!.enum).toEqual([...getCountries()].sort());
  });

  it('puts every setting in one of its form groups, and uses each group', () => {
    const groups = connectionSpecification.groups.map((group) => group.id);
    const used = new Set(Object.values(connectionSpecification.properties).map((property) => property.group));
    expect([...used].sort()).toEqual([...groups].sort());
    // The webapp always sorts the group with this id last (useGroupsAndSections.tsx, ADVANCED_GROUP_ID).
    expect(groups.at(-1)).toBe('advanced');
  });

  it('describes every pattern in words, for the form and the parser to show instead of the regex', () => {
    const patterns: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (typeof record.pattern === 'string' && typeof record.pattern_descriptor !== 'string')
        patterns.push(path);
      for (const [key, child] of Object.entries(record)) walk(child, `${path}/${key}`);
    };
    walk(connectionSpecification, '');
    expect(patterns).toEqual([]);
  });

  it('keeps every wait within the checkpoint budget (Airbyte expects a state at least every 15 minutes)', () => {
    for (const field of ['max_allowance_wait_minutes', 'max_state_hold_minutes']) {
      expect(connectionSpecification.properties[field]!.maximum, field).toBe(MAX_WAIT_SETTING_MINUTES);
    }
  });
});
