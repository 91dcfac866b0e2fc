import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_ANNOTATIONS } from '../../src/config/connection-spec.js';
import { emulatorForFile } from '../support/emulator-lifecycle.js';
import { catalog } from './write-harness.js';
import { startS3, type RunningS3 } from '../support/s3-server.js';
import {
  connectionStatus,
  FileBox,
  ofType,
  runChecked,
  SAMPLE_SECRETS,
  traceError,
} from '../contract/cli-env.js';

/**
 * Configs built from spec.json the way Airbyte's connector form builds them, run through the real CLI's
 * `check` against the emulator. The form logic followed is airbyte-platform's airbyte-webapp:
 * setDefaultValues in src/area/connector/components/ConnectorForm/useBuildForm.tsx (every object
 * property becomes an object filled with its children's defaults and consts; a oneOf takes the branch
 * its default names, else the first), and removeEmptyProperties in src/core/utils/form.ts (blank
 * strings are dropped before the config is sent).
 */
interface Schema {
  type?: string;
  default?: unknown;
  const?: unknown;
  examples?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
}

const spec = JSON.parse(readFileSync(new URL('../../spec.json', import.meta.url), 'utf8')) as {
  connectionSpecification: Schema;
};
const root = spec.connectionSpecification;

/** useBuildForm.tsx's setDefaultValues, for one object schema; `branch` picks oneOf branches by index. */
function formDefaults(
  schema: Schema,
  branch: Record<string, number> = {},
  path = '',
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const at = path ? `${path}.${key}` : key;
    if (property.const !== undefined) values[key] = property.const;
    if ('default' in property) values[key] = property.default;
    if (property.oneOf) {
      const index =
        branch[at] ??
        Math.max(
          0,
          property.oneOf.findIndex((b) => constOf(b) === property.default),
        );
      values[key] = formDefaults(property.oneOf[index]!, branch, at);
    } else if (property.type === 'object') {
      values[key] = formDefaults(property, branch, at);
    }
  }
  return values;
}

function constOf(branch: Schema): unknown {
  return Object.values(branch.properties ?? {}).find((property) => property.const !== undefined)?.const;
}

/** src/core/utils/form.ts's removeEmptyProperties. */
function removeEmpty(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, child]) => child !== undefined && !(typeof child === 'string' && child.trim() === ''))
      .map(([key, child]) => [key, removeEmpty(child)]),
  );
}

/** What the user types into the form's required (and, for the emulator, base URL) inputs. */
function filledIn(
  defaults: Record<string, unknown>,
  typed: Record<string, unknown>,
): Record<string, unknown> {
  return removeEmpty({ ...defaults, ...typed }) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
ajv.addVocabulary([...FORM_ANNOTATIONS]);
const specAccepts = ajv.compile(root);

const emulator = emulatorForFile();
const files = new FileBox();
afterAll(() => files.remove());
// The S3 branch's check writes and deletes a probe object, so it needs a real S3-compatible server.
let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

async function check(config: unknown) {
  const result = await runChecked(['check', '--config', files.json(config)], SAMPLE_SECRETS);
  expect(result.code).toBe(0);
  expect(ofType(result, 'TRACE')).toEqual([]);
  return connectionStatus(result);
}

function typed(): Record<string, unknown> {
  return {
    api_user: emulator().sample.apiUser,
    api_password: emulator().sample.password,
    base_url: emulator().url,
  };
}

/** Every oneOf in the spec, by its form path, with its number of branches. */
function oneOfs(schema: Schema, path = ''): [string, number][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const at = path ? `${path}.${key}` : key;
    if (property.oneOf) return [[at, property.oneOf.length] as [string, number]];
    return property.type === 'object' ? oneOfs(property, at) : [];
  });
}

describe('configs built by the Airbyte form from spec.json', () => {
  it('fills every optional object, as the form does', () => {
    const config = filledIn(formDefaults(root), typed());
    expect(config.identifier_mapping).toEqual({
      contact_id_field: 'contact_id',
      email_field: 'email',
      mobile_number_field: 'mobile_number',
      fall_through_on_invalid: false,
    });
    expect(config.rejected_records).toEqual({ destination: 'none' });
  });

  it('the untouched form (defaults only) passes spec.json and check', async () => {
    const config = filledIn(formDefaults(root), typed());
    expect(specAccepts(config), JSON.stringify(specAccepts.errors)).toBe(true);
    expect(await check(config)).toMatchObject({ status: 'SUCCEEDED' });
  });

  const branches = oneOfs(root).flatMap(([path, count]) =>
    Array.from({ length: count }, (_, index) => [path, index] as const),
  );
  it.each(branches)('each oneOf branch (%s #%i), its required inputs filled, passes', async (path, index) => {
    const defaults = formDefaults(root, { [path]: index });
    // A required input without a default: the user types what the spec gives as an example.
    const fill = (schema: Schema, values: Record<string, unknown>): void => {
      for (const key of schema.required ?? []) {
        const property = schema.properties?.[key];
        if (values[key] === undefined && property?.examples) values[key] = property.examples[0];
      }
    };
    const property = root.properties![path]!;
    const branch = defaults[path] as Record<string, unknown>;
    // What a user types into the S3 branch: the bucket, its region, keys and the endpoint of the store.
    if (path === 'object_storage_config' && branch.storage_type === 'S3') Object.assign(branch, s3.config());
    fill(property.oneOf![index]!, branch);
    const config = filledIn(defaults, typed());
    expect(specAccepts(config), JSON.stringify(specAccepts.errors)).toBe(true);
    expect(await check(config)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it.each([
    ['an identifier field cleared', { contact_id_field: '', email_field: 'email', mobile_number_field: ' ' }],
    ['the precedence multi-select cleared', { email_field: 'email', precedence: [] }],
    [
      'a precedence picked',
      { email_field: 'mail', mobile_number_field: 'phone', precedence: ['mobile_number', 'email'] },
    ],
  ])('a mapping with %s passes', async (_case, mapping) => {
    const defaults = formDefaults(root);
    const config = filledIn(
      { ...defaults, identifier_mapping: { fall_through_on_invalid: true, ...mapping } },
      { ...typed(), program_id: 1001 },
    );
    expect(specAccepts(config), JSON.stringify(specAccepts.errors)).toBe(true);
    expect(await check(config)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails check, naming the field, on what the form lets through but the connector cannot use', async () => {
    const defaults = formDefaults(root);
    const noIdentifier = filledIn(
      { ...defaults, identifier_mapping: { contact_id_field: '', email_field: '', mobile_number_field: '' } },
      typed(),
    );
    const badPrecedence = filledIn(
      { ...defaults, identifier_mapping: { email_field: 'email', precedence: ['contact_id'] } },
      typed(),
    );
    for (const config of [noIdentifier, badPrecedence]) expect(specAccepts(config)).toBe(true);
    const none = await check(noIdentifier);
    expect(none.status).toBe('FAILED');
    expect(none.message).toContain('"identifier_mapping" sets none of the three identifier fields');
    const precedence = await check(badPrecedence);
    expect(precedence.status).toBe('FAILED');
    expect(precedence.message).toContain(
      '"identifier_mapping.precedence" names contact_id, whose field is not set',
    );
    expect(precedence.message).toContain('leaves out email, whose field is set');

    const welcome = catalog([{ objectName: 'Welcome journey (program 1001)' }]);
    const write = await runChecked(
      ['write', '--config', files.json(noIdentifier), '--catalog', files.json(welcome)],
      SAMPLE_SECRETS,
      { stdin: '' },
    );
    expect(write.code).toBe(1);
    expect(traceError(write).failure_type).toBe('config_error');
    expect(traceError(write).message).toContain(
      '"identifier_mapping" sets none of the three identifier fields',
    );
  });
});
