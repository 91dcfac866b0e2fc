import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { only, runChecked } from '../contract/cli-env.js';

describe('spec', () => {
  it('prints spec.json as the only message and exits 0', async () => {
    const result = await runChecked(['spec'], []);
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    const spec = JSON.parse(readFileSync(new URL('../../spec.json', import.meta.url), 'utf8')) as unknown;
    expect(only(result, 'SPEC').spec).toEqual(spec);
  });

  it('needs no config and reads no stdin', async () => {
    const result = await runChecked(['spec'], [], { stdin: 'this is not a message\n' });
    expect(result.code).toBe(0);
    expect(only(result, 'SPEC')).toBeDefined();
  });
});
