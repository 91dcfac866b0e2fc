import type { ConnectorConfig } from '../config/types.js';
import type { Logger } from '../protocol/logger.js';
import type { ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import type { ProtocolWriter } from '../protocol/writer.js';

/** Everything a command gets from the runner; commands never touch process.* themselves. */
export interface CommandContext {
  writer: ProtocolWriter;
  logger: Logger;
  /** Set for every command but `spec`. */
  config?: ConnectorConfig;
  /** Set for `write`. */
  catalog?: ConfiguredAirbyteCatalog;
  stdin: NodeJS.ReadableStream;
  /** Values that must never be printed (the password and its Basic auth token). */
  secrets: string[];
  /**
   * Aborted on SIGTERM/SIGINT. A command that observes it should stop taking new work, finish or give
   * up what is in flight, and then throw (usually a TransientError saying the sync was interrupted).
   */
  signal: AbortSignal;
}

/** The config, or a bug report if the runner did not provide it. */
export function requireConfig(ctx: CommandContext): ConnectorConfig {
  if (!ctx.config) throw new Error('this command needs a config, but the runner did not load one');
  return ctx.config;
}
