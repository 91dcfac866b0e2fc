import path from 'node:path';
import { buildImage, ensureDockerEngine, repoRoot, resolveBaseImage } from './docker.js';
import { timed } from './timing.js';

export const connectorImage = 'local/destination-dotdigital-programs:test';
export const emulatorImage = 'local/dotdigital-emulator:test';

export interface PreparedImages {
  base: string;
  connector: string;
  emulator: string;
}

/**
 * Everything the container tests need, from a machine with no Docker engine up: the engine, the base
 * image (a local stand-in unless CONNECTOR_BASE_IMAGE names one), the connector image from the project's
 * Dockerfile and the emulator image. Docker's layer cache makes repeated runs quick.
 */
export async function prepareImages(): Promise<PreparedImages> {
  await timed('ensure Docker engine', ensureDockerEngine);
  const base = await timed('base image', resolveBaseImage);
  await timed('connector image build', () =>
    buildImage({
      context: repoRoot,
      dockerfile: path.join(repoRoot, 'Dockerfile'),
      tag: connectorImage,
      buildArgs: { BASE_IMAGE: base },
    }),
  );
  await timed('emulator image build', () =>
    buildImage({
      context: repoRoot,
      dockerfile: path.join(repoRoot, 'emulator', 'Dockerfile'),
      tag: emulatorImage,
      buildArgs: { BASE_IMAGE: base },
    }),
  );
  return { base, connector: connectorImage, emulator: emulatorImage };
}
