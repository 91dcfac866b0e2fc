import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const spec = JSON.parse(readFileSync(path.join(root, 'spec.json'), 'utf8')) as {
  connectionSpecification: { properties: Record<string, { default?: unknown; properties?: object }> };
};

describe('README.md', () => {
  it('starts with the two commands a newcomer needs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('documents every setting of spec.json with its default', () => {
    for (const [name, property] of Object.entries(spec.connectionSpecification.properties)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}`));
      expect(row, `README has no configuration row for ${name}`).toBeDefined();
      if (property.default !== undefined && typeof property.default !== 'object') {
        expect(row, `README's row for ${name} does not give its default`).toContain(
          `\`${String(property.default)}\``,
        );
      }
    }
  });

  it('is what .ci/run runs: the test command', () => {
    const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });
});
