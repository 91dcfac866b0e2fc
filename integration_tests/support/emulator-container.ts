import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runProcess, runProcessOrThrow } from './process.js';

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
 * Starts the emulator image on host networking, bound to loopback only, and waits until it answers.
 * Host networking keeps every connection on this machine, so there are no port mappings to wait on.
 *
 * This drives the docker CLI rather than testcontainers: testcontainers 12 does not load on Node 20
 * (its undici 8 needs Node >= 22.19 and fails at import), and the project runs on Node 20.
 */
export async function startEmulatorContainer(image: string): Promise<EmulatorContainer> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const name = `dotdigital-emulator-${randomUUID()}`;
  const remove = async () => {
    await runProcess('docker', ['rm', '--force', name]);
  };
  await runProcessOrThrow('docker', [
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'host',
    image,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ]);
  // A bounded wait for start-up; each round also checks that the container has not already exited.
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if (await isHealthy(url)) return { url, regionUrl: (region) => `${url}/${region}`, stop: remove };
    const running = await runProcess('docker', ['inspect', '--format', '{{.State.Running}}', name]);
    if (running.stdout.trim() !== 'true') break;
    await sleep(250);
  }
  const logs = await runProcess('docker', ['logs', name]);
  await remove();
  throw new Error(`the emulator container did not become healthy at ${url}:\n${logs.stdout}${logs.stderr}`);
}
