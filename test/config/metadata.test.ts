import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

const metadata = parse(read('metadata.yaml')) as {
  metadataSpecVersion: unknown;
  data: Record<string, unknown>;
};
const packageJson = JSON.parse(read('package.json')) as { version: string; license: string };
const spec = JSON.parse(read('spec.json')) as { documentationUrl: string };

describe('metadata.yaml', () => {
  const data = metadata.data;

  it('has the fields the Airbyte registry expects', () => {
    expect(metadata.metadataSpecVersion).toBe('1.0');
    for (const field of [
      'name',
      'definitionId',
      'connectorType',
      'connectorSubtype',
      'dockerRepository',
      'dockerImageTag',
      'documentationUrl',
      'license',
      'releaseStage',
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
      dockerRepository: 'airbyte/destination-dotdigital-programs',
      releaseStage: 'alpha',
      supportLevel: 'community',
      supportsDataActivation: true,
    });
    expect(data.tags).toContain('language:typescript');
  });

  it('allows exactly the three Dotdigital regional hosts', () => {
    expect((data.allowedHosts as { hosts: string[] }).hosts.sort()).toEqual([
      'r1-api.dotdigital.com',
      'r2-api.dotdigital.com',
      'r3-api.dotdigital.com',
    ]);
  });

  it('agrees with package.json and spec.json', () => {
    expect(data.dockerImageTag).toBe(packageJson.version);
    expect(data.license).toBe(packageJson.license);
    expect(data.documentationUrl).toBe(spec.documentationUrl);
  });

  it("agrees with the Dockerfile's Airbyte labels", () => {
    // The Dockerfile belongs to the packaging work; the release checklist needs all three versions equal.
    expect(
      existsSync(new URL('../../Dockerfile', import.meta.url)),
      'Dockerfile at the repository root',
    ).toBe(true);
    const dockerfile = read('Dockerfile');
    const label = (name: string): string | undefined =>
      new RegExp(`${name.replace(/\./g, '\\.')}=("?)([^"\\s]+)\\1`).exec(dockerfile)?.[2];
    expect(label('io.airbyte.version')).toBe(packageJson.version);
    expect(label('io.airbyte.name')).toBe(data.dockerRepository);
  });
});
