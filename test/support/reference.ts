import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one owner of where the published descriptions live: `reference/` inside the repository, so a fresh
 * clone with nothing beside it runs every contract test (reference/README.md names each file's source).
 */
export const referenceDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'reference',
);

export function referencePath(...parts: string[]): string {
  return path.join(referenceDir, ...parts);
}
