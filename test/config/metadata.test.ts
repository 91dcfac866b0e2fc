import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referencePath } from '../support/reference.js';

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const exists = (file: string): boolean => existsSync(new URL(`../../${file}`, import.meta.url));

const metadata = parse(read('metadata.yaml')) as {
  metadataSpecVersion: unknown;
  data: Record<string, unknown>;
};
const packageJson = JSON.parse(read('package.json')) as { version: string; license: string };
const spec = JSON.parse(read('spec.json')) as {
  connectionSpecification: { properties: Record<string, unknown> };
};

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The Airbyte registry's own schema for metadata.yaml (reference/README.md gives its source). */
function registryValidator() {
  const schema = JSON.parse(
    readFileSync(referencePath('airbyte', 'connector_metadata_definition_v0.json'), 'utf8'),
  ) as Record<string, unknown>;
  // No meta-schema check and no strict mode: see asOneDocument for the two places the bundle is not
  // plain draft-07.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(asOneDocument(schema) as Record<string, unknown>);
}

/**
 * Read as the registry's own tooling reads the bundle. It keeps each inlined file's `$id`, yet its
 * `#/properties/…` references are written against the bundle's root, where a draft-07 validator would
 * resolve them against the inlined file's `$id`: the copy in memory drops the inner `$id`s. And
 * `generated.metrics` gives `type: ConnectorMetric`, a model name rather than a JSON type, in fields the
 * registry fills at upload time (never metadata.yaml): the copy drops such a `type`.
 */
const JSON_TYPES = new Set(['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']);

function asOneDocument(node: unknown, root = true): unknown {
  if (Array.isArray(node)) return node.map((item) => asOneDocument(item, false));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!root && (key === '$id' || key === '$schema')) continue;
    if (key === 'type' && typeof value === 'string' && !JSON_TYPES.has(value)) continue;
    out[key] = asOneDocument(value, false);
  }
  return out;
}

/** The repository file a documentation URL on the project's GitHub home points at. */
function repositoryFileOf(url: string): string | undefined {
  return /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/(.+)$/.exec(url)?.[1];
}

describe('metadata.yaml', () => {
  const data = metadata.data;

  it('validates against the registry’s metadata schema, fields and values alike', () => {
    const validate = registryValidator();
    const valid = validate(metadata);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a field or a value the registry does not know is refused', () => {
    const validate = registryValidator();
    expect(validate({ ...metadata, data: { ...data, notAField: true } })).toBe(false);
    expect(validate({ ...metadata, data: { ...data, releaseStage: 'experimental' } })).toBe(false);
    expect(validate({ ...metadata, data: { ...data, documentationUrl: 'not a url' } })).toBe(false);
  });

  it('has the fields the registry expects today', () => {
    expect(metadata.metadataSpecVersion).toBe('1.0');
    for (const field of [
      'icon',
      'releases',
      'resourceRequirements',
      'externalDocumentationUrls',
      'supportLevel',
      'tags',
      'allowedHosts',
      'supportsDataActivation',
    ]) {
      expect(data[field], field).toBeDefined();
    }
    expect(data.definitionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(data).toMatchObject({
      connectorType: 'destination',
      connectorSubtype: 'api',
      releaseStage: 'alpha',
      supportLevel: 'community',
      supportsDataActivation: true,
    });
    expect(data.tags).toContain('language:typescript');
  });

  it('names an image outside Airbyte’s own namespace', () => {
    expect(data.dockerRepository).toMatch(/^[a-z0-9]+\/destination-dotdigital-programs$/);
    expect(String(data.dockerRepository).startsWith('airbyte/')).toBe(false);
  });

  it('ships the icon it names', () => {
    expect(exists(String(data.icon))).toBe(true);
    expect(read(String(data.icon))).toMatch(/^<svg[\s>]/);
  });

  it('points its documentationUrl at a page the repository ships', () => {
    const file = repositoryFileOf(String(data.documentationUrl));
    expect(file, String(data.documentationUrl)).toBeDefined();
    expect(exists(file!), file).toBe(true);
  });

  it('gives spec.json the same documentationUrl, so the form links to the page the repository ships', () => {
    const spec = JSON.parse(read('spec.json')) as { documentationUrl: string };
    expect(spec.documentationUrl).toBe(data.documentationUrl);
  });

  it('allows the three Dotdigital regional hosts and the host of a base_url override', () => {
    expect((data.allowedHosts as { hosts: string[] }).hosts.sort()).toEqual([
      '${base_url}',
      'r1-api.dotdigital.com',
      'r2-api.dotdigital.com',
      'r3-api.dotdigital.com',
    ]);
    // The platform fills `${…}` from the connector's config: the name must be a top-level property of the spec.
    expect(Object.keys(spec.connectionSpecification.properties)).toContain('base_url');
  });

  it('asks a sync for the resources the container tests run the image under', () => {
    const requirements = data.resourceRequirements as {
      jobSpecific: { jobType: string; resourceRequirements: Record<string, string> }[];
    };
    expect(
      requirements.jobSpecific.find((job) => job.jobType === 'sync')?.resourceRequirements,
    ).toMatchObject({
      cpu_limit: '0.5',
      memory_limit: '2Gi',
    });
  });

  it('agrees with package.json', () => {
    expect(data.dockerImageTag).toBe(packageJson.version);
    expect(data.license).toBe(packageJson.license);
  });

  it("agrees with the Dockerfile's Airbyte labels", () => {
    // The Dockerfile belongs to the packaging work; the release checklist needs all three versions equal.
    expect(exists('Dockerfile'), 'Dockerfile at the repository root').toBe(true);
    const dockerfile = read('Dockerfile');
    const label = (name: string): string | undefined =>
      new RegExp(`${name.replace(/\./g, '\\.')}=("?)([^"\\s]+)\\1`).exec(dockerfile)?.[2];
    expect(label('io.airbyte.version')).toBe(packageJson.version);
    expect(label('io.airbyte.name')).toBe(data.dockerRepository);
  });
});
