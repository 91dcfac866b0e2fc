import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, renderRawConfigTypes } from '../../scripts/generate-config-types.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const spec = JSON.parse(readFileSync(`${root}/spec.json`, 'utf8')) as Parameters<
  typeof renderRawConfigTypes
>[0];

describe('raw-config.generated.ts', () => {
  it('is what `npm run generate:config-types` writes from spec.json', async () => {
    const committed = readFileSync(`${root}/${GENERATED_PATH}`, 'utf8');
    expect(committed, 'run npm run generate:config-types and commit the result').toBe(
      await renderRawConfigTypes(spec, root),
    );
  });

  it('changes when spec.json does: a new setting becomes a property of RawConfig', async () => {
    const changed = structuredClone(spec);
    changed.connectionSpecification.properties!.extra_setting = {
      title: 'Extra',
      type: 'integer',
      default: 3,
    };
    expect(await renderRawConfigTypes(changed, root)).toContain('extra_setting: number;');
  });
});
