/**
 * The destination container as the Airbyte platform runs it, reproduced from its source (airbytehq/
 * airbyte-platform):
 *
 * - airbyte-workload-launcher/src/main/kotlin/pods/factories/ReplicationContainerFactory.kt, createDestination:
 *   `.withCommand("sh", "-c", mainCommand)`, `.withWorkingDir(DEST_DIR)`, and
 *   `rootlessContainerSecurityContext()`, which is uid/gid 1000 (context/WorkloadSecurityContextProvider.kt:
 *   `ROOTLESS_USER_ID = 1000L`, `ROOTLESS_GROUP_ID = 1000L`). The image's ENTRYPOINT is not used.
 * - pods/factories/ContainerCommandFactory.kt, destination() and connectorCommandWrapper(): the script
 *   below, word for word with its constants filled in (FileConstants.kt: DEST_DIR "/dest", pipes "stdin",
 *   "stdout", "stderr", CONNECTOR_CONFIG_FILE "connectorConfig.json", CATALOG_FILE "catalog.json",
 *   TERMINATION_MARKER_FILE "TERMINATED", EXIT_CODE_FILE "exitCode.txt"; TERMINATION_CHECK_INTERVAL_SECONDS 10).
 * - airbyte-workload-init-container/src/main/kotlin/system/FileClient.kt, makeNamedPipes: stdin, stdout and
 *   stderr are named pipes (mkfifo, mode 0666) in /dest, made before the connector starts.
 * - airbyte-container-orchestrator/…/worker/io/ContainerIOHandle.kt, terminate(): the orchestrator stops
 *   the connector by writing the TERMINATED marker, on which the script's loop runs `kill $CHILD_PID`.
 * - airbyte-server/src/main/resources/application.yml, `destination-api`: cpu-limit 0.5, memory-limit 2Gi.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseLines } from '../../test/support/cli.js';
import { runProcess, runProcessOrThrow, type ProcessResult } from './process.js';

export const DEST_DIR = '/dest';
const ROOTLESS_UID = 1000;
/** The platform's limits for an API destination (application.yml, destination-api). */
export const PLATFORM_CPU_LIMIT = '0.5';
export const PLATFORM_MEMORY_LIMIT = '2g';

/** ContainerCommandFactory.destination(), wrapped by connectorCommandWrapper(), constants filled in. */
export const PLATFORM_DESTINATION_SCRIPT = `# fail loudly if entry point not set
if [ -z "$AIRBYTE_ENTRYPOINT" ]; then
  echo "Entrypoint was not set! AIRBYTE_ENTRYPOINT must be set in the container."
  exit 127
else
  echo "Using AIRBYTE_ENTRYPOINT: $AIRBYTE_ENTRYPOINT"
fi

# run connector in background and store PID
(eval "$AIRBYTE_ENTRYPOINT write --config /dest/connectorConfig.json --catalog /dest/catalog.json" 2> stderr > stdout < stdin) &
CHILD_PID=$!

# run busy loop in background that checks for termination file and if present kills the connector operation and exits
(while true; do if [ -f TERMINATED ]; then kill $CHILD_PID; exit 0; fi; sleep 10; done) &

# wait on connector operation
wait $CHILD_PID
EXIT_CODE=$?

# write its exit code to a file for the sidecar
echo $EXIT_CODE > TEMP_EXIT_CODE.txt
# use a swap file to make creation and writing atomic
mv TEMP_EXIT_CODE.txt exitCode.txt

# propagate connector exit code by assuming it
exit $EXIT_CODE`;

export interface PlatformWriteResult {
  /** The pod's main container (the script's shell). */
  container: ProcessResult;
  /** exitCode.txt, which the sidecar reads: the connector operation's exit code. */
  exitCodeFile: string;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
}

/**
 * A destination container started the platform's way. The test plays the orchestrator: it writes to the
 * stdin pipe, reads the stdout and stderr pipes, and may stop the connector with terminate().
 */
export class PlatformDestination {
  stdout = '';
  stderr = '';
  private stdinPipe!: WriteStream;
  private finished!: Promise<PlatformWriteResult>;

  private constructor(
    private readonly hostDir: string,
    readonly name: string,
  ) {}

  static async start(
    image: string,
    files: { config: unknown; catalog: unknown },
    options: { env?: Record<string, string> } = {},
  ): Promise<PlatformDestination> {
    const hostDir = await mkdtemp(path.join(os.tmpdir(), 'platform-dest-'));
    const destination = new PlatformDestination(hostDir, `platform-dest-${randomUUID()}`);
    // The init container's work: config files and the three named pipes, writable by uid 1000.
    await writeFile(path.join(hostDir, 'connectorConfig.json'), JSON.stringify(files.config));
    await writeFile(path.join(hostDir, 'catalog.json'), JSON.stringify(files.catalog));
    for (const pipe of ['stdin', 'stdout', 'stderr']) {
      await runProcessOrThrow('mkfifo', ['-m', '0666', path.join(hostDir, pipe)]);
    }
    await chown(hostDir, ROOTLESS_UID, ROOTLESS_UID);
    await chmod(hostDir, 0o755);
    const args = [
      'run',
      '--rm',
      '--name',
      destination.name,
      '--network',
      'host',
      '--user',
      `${ROOTLESS_UID}:${ROOTLESS_UID}`,
      '--cpus',
      PLATFORM_CPU_LIMIT,
      '--memory',
      PLATFORM_MEMORY_LIMIT,
      '--volume',
      `${hostDir}:${DEST_DIR}`,
      '--workdir',
      DEST_DIR,
      '--entrypoint',
      'sh',
    ];
    for (const [name, value] of Object.entries(options.env ?? {})) args.push('--env', `${name}=${value}`);
    args.push(image, '-c', PLATFORM_DESTINATION_SCRIPT);
    const container = runProcess('docker', args, {
      timeoutMs: 240_000,
      onTimeout: () => void runProcess('docker', ['rm', '--force', destination.name]),
    });
    // The orchestrator's ends of the pipes. Opening a pipe waits for the other end, in libuv's pool.
    const stdoutDone = destination.drain('stdout', (chunk) => (destination.stdout += chunk));
    const stderrDone = destination.drain('stderr', (chunk) => (destination.stderr += chunk));
    destination.stdinPipe = createWriteStream(path.join(hostDir, 'stdin'));
    destination.stdinPipe.on('error', () => undefined);
    destination.finished = (async () => {
      const result = await container;
      await Promise.all([stdoutDone, stderrDone]);
      const exitCodeFile = await readFile(path.join(hostDir, 'exitCode.txt'), 'utf8').catch(() => '');
      return {
        container: result,
        exitCodeFile: exitCodeFile.trim(),
        stdout: destination.stdout,
        stderr: destination.stderr,
        messages: parseLines(destination.stdout),
      };
    })();
    return destination;
  }

  private drain(pipe: string, onChunk: (chunk: string) => void): Promise<void> {
    return new Promise((resolve) => {
      const stream = createReadStream(path.join(this.hostDir, pipe), { encoding: 'utf8' });
      stream.on('data', (chunk) => onChunk(String(chunk)));
      stream.on('error', () => resolve());
      stream.on('close', () => resolve());
    });
  }

  /** Writes lines to the connector's stdin pipe (waiting while the pipe is full). */
  async send(lines: string[]): Promise<void> {
    const text = lines.map((line) => `${line}\n`).join('');
    if (!this.stdinPipe.write(text))
      await new Promise<void>((resolve) => this.stdinPipe.once('drain', () => resolve()));
  }

  /** The end of the input (AirbyteDestination.notifyEndOfInput closes the pipe). */
  endInput(): void {
    this.stdinPipe.end();
  }

  /** Protocol messages read from stdout so far. */
  messages(): Record<string, unknown>[] {
    return parseLines(this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1));
  }

  async waitFor(
    predicate: (messages: Record<string, unknown>[]) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages())) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting on the connector's stdout:\n${this.stdout.slice(-3000)}\n${this.stderr.slice(-3000)}`,
        );
      }
      await sleep(100);
    }
  }

  /** ContainerIOHandle.terminate(): the marker file on which the script kills the connector. */
  async terminate(): Promise<void> {
    await writeFile(path.join(this.hostDir, 'TERMINATED'), 'TERMINATE');
  }

  async result(): Promise<PlatformWriteResult> {
    try {
      return await this.finished;
    } finally {
      this.stdinPipe.destroy();
      await rm(this.hostDir, { recursive: true, force: true });
    }
  }
}
