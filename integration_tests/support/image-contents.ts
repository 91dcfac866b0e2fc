import { runInImage } from './connector-container.js';

export interface ImageContents {
  /** Every path under the app folder, relative to it; node_modules itself but nothing inside it. */
  appFiles: string[];
  /** Installed package names (scoped ones as @scope/name), at node_modules' top level. */
  packages: string[];
  /** Source maps and TypeScript files (sources or declarations) inside node_modules. */
  dependencyDevFiles: string[];
  uid: number;
}

const appDir = '/airbyte/integration_code';

/** Looks inside the image with a shell in place of the entrypoint. */
export async function readImageContents(image: string): Promise<ImageContents> {
  const script = [
    `cd ${appDir}`,
    `find . -path ./node_modules -prune -print -o -print | sed 's|^\\./||' | grep -v '^\\.$'`,
    'echo ---',
    // Scope folders hold packages one level down; an empty scope folder would still show as the scope.
    `for d in node_modules/* node_modules/@*/*; do [ -e "$d/package.json" ] && echo "\${d#node_modules/}"; done`,
    `for d in node_modules/@*; do [ -d "$d" ] && [ -z "$(ls -A "$d")" ] && echo "\${d#node_modules/}"; done`,
    'echo ---',
    `find node_modules -type f \\( -name '*.map' -o -name '*.ts' -o -name '*.cts' -o -name '*.mts' \\)`,
    'echo ---',
    'id -u',
  ].join('\n');
  const result = await runInImage(image, script);
  if (result.code !== 0) throw new Error(`listing the image failed: ${result.stderr}`);
  const [files = '', packages = '', dependencyDevFiles = '', uid = ''] = result.stdout.split('---\n');
  const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);
  return {
    appFiles: lines(files),
    packages: lines(packages),
    dependencyDevFiles: lines(dependencyDevFiles),
    uid: Number(uid.trim()),
  };
}
