import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseLines } from '../../test/support/cli.js';
import { runProcess } from './process.js';

/** Where the orchestrator-style runs mount their config and catalog files inside the container. */
export const inputDir = '/airbyte/input';

export interface ConnectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
}

export interface ConnectorRunOptions {
  /** JSON files to mount read-only under inputDir, by file name. */
  files?: Record<string, unknown>;
  /** Lines for stdin (the records and states of a write). */
  stdin?: string;
  timeoutMs?: number;
}

/**
 * Runs one connector command the way an orchestrator does: `docker run` with the config and catalog
 * mounted as files, records on stdin, the protocol read from stdout alone.
 *
 * This uses the docker CLI, not testcontainers: testcontainers 12 cannot attach a container's stdin, and
 * its log stream interleaves stdout with stderr, while the test must read stdout on its own.
 */
export async function runConnector(image: string, args: string[], options: ConnectorRunOptions = {}) {
  const hostDir = await mkdtemp(path.join(os.tmpdir(), 'connector-input-'));
  const name = `connector-test-${randomUUID()}`;
  try {
    // The connector runs as a non-root user, so the mounted files must be readable by others.
    await chmod(hostDir, 0o755);
    for (const [fileName, content] of Object.entries(options.files ?? {})) {
      const file = path.join(hostDir, fileName);
      await writeFile(file, JSON.stringify(content));
      await chmod(file, 0o644);
    }
    const dockerArgs = [
      'run',
      '--rm',
      '--name',
      name,
      '--network',
      'host',
      '--volume',
      `${hostDir}:${inputDir}:ro`,
    ];
    if (options.stdin !== undefined) dockerArgs.push('--interactive');
    dockerArgs.push(image, ...args);
    const result = await runProcess('docker', dockerArgs, {
      input: options.stdin,
      timeoutMs: options.timeoutMs ?? 120_000,
      // Killing the CLI would leave the container running; removing the container ends the CLI too.
      onTimeout: () => void runProcess('docker', ['rm', '--force', name]),
    });
    return { ...result, messages: parseLines(result.stdout) } satisfies ConnectorRun;
  } finally {
    await rm(hostDir, { recursive: true, force: true });
  }
}

/** Runs a shell command in the image in place of its entrypoint, to look inside it. */
export async function runInImage(image: string, script: string) {
  return runProcess('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '--entrypoint',
    'sh',
    image,
    '-c',
    script,
  ]);
}
