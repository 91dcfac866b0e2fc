import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMULATOR_OPTIONS } from '../../test/cli/write-harness.js';

export interface EmulatorContainer {
  /** http://127.0.0.1:PORT, the bare root (region r1). */
  url: string;
  regionUrl(region: 'r1' | 'r2' | 'r3'): string;
  stop(): Promise<void>;
}

/** A port that is free on loopback right now (the emulator binds it a moment later). */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_emulator/health`)).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the emulator image with testcontainers, on host networking and bound to loopback only, and waits
 * until it answers. Host networking keeps every connection on this machine, so there are no port mappings:
 * the emulator listens on a free loopback port chosen here. Ryuk (the resource reaper) is off because its
 * image cannot be pulled here; stop() removes the container instead.
 *
 * testcontainers is pinned to 11.x: 12.x depends on undici 8, which needs Node >= 22.19 and fails at import
 * on Node 20, the connector's runtime.
 */
/** Emulated time per real time in the container tests, as in the CLI tests. */
const EMULATOR_TIME_SCALE = EMULATOR_OPTIONS.timeScale ?? 100;

export async function startEmulatorContainer(image: string): Promise<EmulatorContainer> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  // The engine runs without a bridge network, so testcontainers must not look for a gateway address.
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const container = await new GenericContainer(image)
    .withName(`dotdigital-emulator-${randomUUID()}`)
    .withNetworkMode('host')
    // Dotdigital takes minutes to process an enrolment (the emulator's default); the CLI tests' time scale
    // (test/cli/write-harness.ts) makes five emulated minutes three real seconds.
    .withCommand(['--host', '127.0.0.1', '--port', String(port), '--time-scale', String(EMULATOR_TIME_SCALE)])
    .withWaitStrategy(Wait.forLogMessage(/listening on/))
    .withStartupTimeout(60_000)
    .start();
  // The log line comes just before the socket accepts; a short bounded wait makes "started" mean "answers".
  for (let attempt = 0; attempt < 40 && !(await isHealthy(url)); attempt += 1) await sleep(250);
  if (!(await isHealthy(url))) {
    const logs = await container.logs();
    let text = '';
    for await (const chunk of logs) text += String(chunk);
    await container.stop();
    throw new Error(`the emulator container did not become healthy at ${url}:\n${text}`);
  }
  return { url, regionUrl: (region) => `${url}/${region}`, stop: async () => void (await container.stop()) };
}
