import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether timeoutMs passed before the child ended (it was then made to end). */
  timedOut: boolean;
}

export interface ProcessOptions {
  /** Written to the child's stdin, then closed. Without it stdin is closed at once (CI has no terminal). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Copy the child's stderr to ours as it comes, so slow set-up steps show progress in CI logs. */
  echoStderr?: boolean;
  /**
   * Called when the child has not ended after timeoutMs; it must make the child end. By default the
   * child's whole process group is killed: a grandchild still holding the output pipes would otherwise
   * keep the run from ending.
   */
  onTimeout?: () => void;
  timeoutMs?: number;
}

/** Runs a program to completion and collects its output; never rejects on a non-zero exit. */
export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // A process group of its own, so that a time-out can end everything the child started.
      detached: options.timeoutMs !== undefined && !options.onTimeout,
    });
    let timedOut = false;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echoStderr) process.stderr.write(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            (options.onTimeout ?? (() => killGroup(child.pid)))();
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    // A child that exits without reading its stdin must not turn into an EPIPE error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}

/** Like runProcess, but a non-zero exit is an error that carries the child's stderr. */
export async function runProcessOrThrow(command: string, args: string[], options: ProcessOptions = {}) {
  const result = await runProcess(command, args, options);
  if (result.code !== 0) {
    const ending = result.timedOut
      ? `did not end within ${(options.timeoutMs ?? 0) / 1000} s`
      : `exited with ${result.code}`;
    throw new Error(
      `${command} ${args.join(' ')} ${ending}:\n${(result.stdout + result.stderr).slice(-4000)}`,
    );
  }
  return result;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
