import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, runProcessOrThrow } from './process.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Installs and starts a Docker engine when none answers (Debian's docker.io; needs root), so the tests
 * run on a fresh machine of the project's kind. A no-op where `docker info` already works.
 */
export async function ensureDockerEngine(): Promise<void> {
  await runProcessOrThrow('bash', [path.join(repoRoot, 'scripts', 'ensure-docker.sh')], {
    echoStderr: true,
    timeoutMs: setUpTimeouts.engineMs,
  });
}

/**
 * Each set-up step's limit, so that a step that hangs fails by name, with its output, instead of
 * running into the test hook's time-out. Generous: a fresh machine downloads Debian's docker.io, a
 * minimal Debian and every npm package, on two cores shared with the other test files.
 */
export const setUpTimeouts = {
  engineMs: 10 * 60_000,
  baseImageMs: 15 * 60_000,
  imageBuildMs: 15 * 60_000,
};

/**
 * The image the connector Dockerfile builds FROM. No image registry is reachable where these tests
 * normally run, so by default it is a local stand-in built by scripts/build-base-image.sh (cached by tag).
 * Where a registry is reachable, set CONNECTOR_BASE_IMAGE (e.g. node:24-bookworm-slim) to build on the
 * real base instead; the tests never pull anything on their own.
 */
export async function resolveBaseImage(): Promise<string> {
  const configured = process.env.CONNECTOR_BASE_IMAGE?.trim();
  if (configured) return configured;
  const { stdout } = await runProcessOrThrow(
    'bash',
    [path.join(repoRoot, 'scripts', 'build-base-image.sh')],
    { echoStderr: true, timeoutMs: setUpTimeouts.baseImageMs },
  );
  const tag = stdout.trim().split('\n').pop();
  if (!tag) throw new Error('scripts/build-base-image.sh printed no image tag');
  return tag;
}

export interface ImageBuild {
  context: string;
  dockerfile: string;
  tag: string;
  buildArgs: Record<string, string>;
}

/**
 * Builds with the docker CLI rather than testcontainers' GenericContainer.fromDockerfile: testcontainers 12
 * cannot set a build's network mode, and `npm ci` inside the build must use host networking (the engine
 * here has no bridge network, and all traffic stays on this machine's own routes).
 */
export async function buildImage(build: ImageBuild): Promise<void> {
  // --force-rm: a failed step's container is removed too, so failed builds leave nothing behind.
  const args = ['build', '--network', 'host', '--force-rm', '--file', build.dockerfile, '--tag', build.tag];
  for (const [name, value] of Object.entries(build.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  args.push(build.context);
  const result = await runProcess('docker', args, { timeoutMs: setUpTimeouts.imageBuildMs });
  if (result.timedOut) {
    throw new Error(
      `docker build of ${build.tag} did not end within ${setUpTimeouts.imageBuildMs / 60_000} minutes:\n` +
        (result.stdout + result.stderr).slice(-6000),
    );
  }
  if (result.code !== 0) {
    // The build log goes to stdout with the legacy builder and to stderr with BuildKit: show both.
    throw new Error(`docker build of ${build.tag} failed:\n${(result.stdout + result.stderr).slice(-6000)}`);
  }
}

export interface ImageInspection {
  Size: number;
  Config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Labels?: Record<string, string> | null;
  };
}

export async function inspectImage(tag: string): Promise<ImageInspection> {
  const { stdout } = await runProcessOrThrow('docker', ['image', 'inspect', tag]);
  const [inspection] = JSON.parse(stdout) as ImageInspection[];
  if (!inspection) throw new Error(`docker image inspect ${tag} returned nothing`);
  return inspection;
}
