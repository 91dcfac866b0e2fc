import { reportCheckFailed } from '../commands/check-status.js';
import type { CommandContext } from '../commands/context.js';
import { parseCatalog } from '../config/catalog.js';
import { readJsonFile } from '../config/load.js';
import { parseConfig, unknownConfigFields } from '../config/parse.js';
import { ConfigError, TransientError } from '../protocol/errors.js';
import { createLogger, type Logger } from '../protocol/logger.js';
import { createRedactor, secretsFor } from '../protocol/redact.js';
import { objectStorageSecrets } from '../config/object-storage.js';
import { errorTrace } from '../protocol/trace.js';
import { parseCommandLine, USAGE, UsageError, type Invocation } from './usage.js';
import { ProtocolWriter } from '../protocol/writer.js';

export interface RunnerIo {
  argv: readonly string[];
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Aborted when the orchestrator asks the connector to stop (SIGTERM/SIGINT). */
  signal?: AbortSignal;
  /** Report uncaught exceptions as a TRACE system_error and exit; only the real process wants this. */
  exitOnUncaught?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

type CommandName = Exclude<Invocation['command'], 'help'>;

type Command = (ctx: CommandContext) => Promise<void>;

// Loaded on demand: a command pays only for its own dependencies, and a module that fails to load
// becomes a TRACE error like any other failure instead of a raw stack trace on stderr.
const COMMANDS: Record<CommandName, { load: () => Promise<Command>; stopsOnSignal: boolean }> = {
  spec: { load: async () => (await import('../commands/spec.js')).runSpec, stopsOnSignal: false },
  check: { load: async () => (await import('../commands/check.js')).runCheck, stopsOnSignal: false },
  discover: { load: async () => (await import('../commands/discover.js')).runDiscover, stopsOnSignal: false },
  // write watches ctx.signal itself so it can echo the states that are already true before stopping.
  write: { load: async () => (await import('../commands/write.js')).runWrite, stopsOnSignal: true },
};

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/**
 * Runs one connector command from a command line and returns the exit code. Every outcome, including
 * a bad command line, a broken config file and a crash, reaches stdout as protocol messages only.
 */
export async function runConnector(io: RunnerIo): Promise<number> {
  const writer = new ProtocolWriter(io.stdout);
  const envLevel = io.env?.LOG_LEVEL?.toLowerCase();
  const level = envLevel && LOG_LEVELS.has(envLevel) ? envLevel : 'info';
  const signal = io.signal ?? new AbortController().signal;
  let secrets: string[] = [];
  let logger: Logger = createLogger(writer, { level });
  const fail = (error: unknown): void => {
    writer.write(errorTrace(error, createRedactor(secrets)));
  };
  const removeCrashHandlers = io.exitOnUncaught
    ? installCrashHandlers(writer, () => secrets)
    : () => undefined;

  let invocation: Invocation;
  try {
    invocation = parseCommandLine(io.argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    logger.info(USAGE);
    fail(error);
    return finish(writer, EXIT_USAGE, removeCrashHandlers);
  }
  if (invocation.command === 'help') {
    logger.info(USAGE);
    return finish(writer, EXIT_OK, removeCrashHandlers);
  }

  const command = invocation.command;
  try {
    const ctx: CommandContext = { writer, logger, stdin: io.stdin, secrets, signal };
    if ('configPath' in invocation) {
      const raw = await readJsonFile(invocation.configPath, 'config');
      // Known before validation, so even a config that fails to parse cannot leak its password.
      secrets = isObject(raw)
        ? [...secretsFor(raw.api_user, raw.api_password), ...objectStorageSecrets(raw)]
        : [];
      logger = createLogger(writer, { level, secrets });
      Object.assign(ctx, { logger, secrets });
      ctx.config = parseConfig(raw);
      const unknown = unknownConfigFields(raw);
      if (unknown.length > 0) {
        logger.warn(
          `The configuration has fields this connector does not know, which are ignored: ${unknown.join(', ')}. ` +
            'Check their spelling against the spec.',
        );
      }
    }
    if ('catalogPath' in invocation) {
      ctx.catalog = parseCatalog(
        await readJsonFile(invocation.catalogPath, 'catalog'),
        invocation.catalogPath,
      );
    }
    const { load, stopsOnSignal } = COMMANDS[command];
    const run = await load();
    await (stopsOnSignal ? run(ctx) : untilAborted(run(ctx), signal, command));
    return finish(writer, EXIT_OK, removeCrashHandlers);
  } catch (error) {
    if (command === 'check' && error instanceof ConfigError) {
      // A config the user must fix is an answer to "check", not a failure of it.
      logger.info(`Check failed: ${error.internalMessage}`);
      reportCheckFailed(writer, createRedactor(secrets)(error.message));
      return finish(writer, EXIT_OK, removeCrashHandlers);
    }
    fail(error);
    return finish(writer, EXIT_FAILED, removeCrashHandlers);
  }
}

async function finish(
  writer: ProtocolWriter,
  code: number,
  removeCrashHandlers: () => void,
): Promise<number> {
  removeCrashHandlers();
  await writer.end();
  return code;
}

/** Short commands are simply abandoned on a stop signal: there is nothing to save. */
function untilAborted(work: Promise<void>, signal: AbortSignal, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        new TransientError(
          `The ${command} command was stopped before it finished (the connector received a stop signal). Run it again.`,
          `${command} interrupted: ${String((signal.reason as Error | undefined)?.message ?? 'aborted')}`,
        ),
      );
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function installCrashHandlers(writer: ProtocolWriter, secrets: () => string[]): () => void {
  const onCrash = (error: unknown): void => {
    writer.write(errorTrace(error, createRedactor(secrets())));
    process.exit(EXIT_FAILED);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
