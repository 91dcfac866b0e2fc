/**
 * Whether anybody still hears the states. The platform learns that records are done only from the
 * states on stdout: once stdout is closed (the orchestrator went away), an enrolment or a staging-list
 * deletion would be work no saved state covers, so a retry would bring those records again. The sync
 * therefore stops at the first sign of a closed stdout, and checks for one before each such act.
 */
import type { Logger } from 'pino';

import { TransientError } from '../../protocol/errors.js';
import type { AirbyteMessage } from '../../protocol/messages.js';
import type { SyncFailure } from './sync-failure.js';

/** What the pipeline needs of the protocol writer (ProtocolWriter satisfies it). */
export interface MessageSink {
  write(message: AirbyteMessage): boolean;
  waitForDrain(): Promise<void>;
  /** Resolves once everything written so far reached the OS; rejects once stdout has failed. */
  delivered?(): Promise<void>;
  /** Runs the listener once stdout fails. */
  onFailure?(listener: (error: Error) => void): void;
}

export function outputClosedError(cause: unknown): TransientError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TransientError(
    'The platform stopped reading the connector’s output (stdout was closed), so no state could reach it any ' +
      'more. The sync stopped there: nothing more is enrolled or cleaned up. The next attempt continues from ' +
      'the last state the platform received.',
    `stdout failed: ${detail}`,
    { cause },
  );
}

export class OutputWatch {
  constructor(
    private readonly out: MessageSink,
    private readonly failure: SyncFailure,
    private readonly logger: Logger,
    /** Resolves once every state the ledger released so far has been written (they may wait for the rejection sink). */
    private readonly statesWritten: () => Promise<void> = async () => undefined,
  ) {
    out.onFailure?.((error) => failure.fail(outputClosedError(error)));
  }

  /** True once what was written so far (the states just echoed) reached stdout; false, and the sync fails, if not. */
  async heard(): Promise<boolean> {
    try {
      await this.statesWritten();
      await this.out.delivered?.();
      return true;
    } catch (error) {
      this.failure.fail(outputClosedError(error));
      return false;
    }
  }

  /**
   * Says `note` on stdout and waits for it to get there: a closed stdout only shows when written to, so
   * this is asked right before an act that cannot be undone.
   */
  async stillHeard(note: string): Promise<boolean> {
    if (this.failure.error !== undefined) return false;
    this.logger.info(note);
    return this.heard();
  }
}
