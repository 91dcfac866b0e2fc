/**
 * A user's clone has nothing beside it: no file of the project may reach for a path outside the repository
 * (the published descriptions it is built against live in reference/, see reference/README.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '../support/reference.js';

const repoRoot = path.resolve(referenceDir, '..');

/**
 * Ways a path out of the repository has been written here before: a relative path up into the `shared`
 * folder beside the checkout, as one string or as path segments.
 */
const OUTSIDE = [/\.\.\/shared\//, /'\.\.',\s*'shared'/, /"\.\.",\s*"shared"/, /\.\.\/\.\.\/shared/];

function trackedTextFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('reference/') && file !== 'package-lock.json')
    .filter((file) => existsSync(path.join(repoRoot, file)));
}

describe('the repository stands alone', () => {
  it('carries every published description the tests read', () => {
    for (const file of [
      'airbyte/airbyte_protocol.yaml',
      'airbyte/well_known_types.yaml',
      'dotdigital/programs.openapi.json',
      'dotdigital/contacts-v3.openapi.json',
      'dotdigital/v2-api.openapi.json',
      'dotdigital/accounts-and-utilities.openapi.json',
      'dotdigital/lists-address-books.openapi.json',
      'dotdigital/error-codes.yaml',
    ]) {
      expect(existsSync(path.join(referenceDir, file)), file).toBe(true);
      expect(readFileSync(path.join(referenceDir, 'README.md'), 'utf8'), file).toContain(file);
    }
  });

  it('no file reads a path outside the repository', () => {
    const offenders: string[] = [];
    for (const file of trackedTextFiles()) {
      if (file === 'test/repo/self-contained.test.ts') continue;
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      // Whole-file matching: a formatter splits a path.resolve call's segments over several lines.
      for (const pattern of OUTSIDE) {
        const found = new RegExp(pattern.source, 'g').exec(text);
        if (found) offenders.push(`${file}:${text.slice(0, found.index).split('\n').length}: ${found[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
