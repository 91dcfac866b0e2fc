import type { AirbyteMessage } from './messages.js';

/**
 * The only code that writes to stdout. Each message becomes one JSON line, in call order. Because
 * serialisation and `out.write` happen synchronously in one call, messages can never interleave.
 *
 * Backpressure is the caller's job, made easy: `write` returns false once the stream's buffer is above
 * its high-water mark and `waitForDrain` resolves when it has emptied, so a slow reader of stdout holds
 * the producer back instead of growing memory.
 */
export class ProtocolWriter {
  private failure: Error | undefined;
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private readonly endStream: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream,
    options: { endStream?: boolean } = {},
  ) {
    // Ending process.stdout is not ours to do: Node keeps it open until the process exits.
    this.endStream = options.endStream ?? out !== process.stdout;
    // A reader that went away (EPIPE) must not crash the process with an unhandled 'error' event;
    // the failure is remembered and reported to whoever waits on the writer next.
    out.on('error', (error: Error) => {
      if (this.failure !== undefined) return;
      this.failure = error;
      for (const listener of this.failureListeners.splice(0)) listener(error);
    });
  }

  /** Runs `listener` once stdout fails (the reader went away), at once if it already has. */
  onFailure(listener: (error: Error) => void): void {
    if (this.failure !== undefined) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  /**
   * Resolves once everything written so far has been handed to the OS; rejects if stdout has failed.
   * Writing to a pipe nobody reads fails at the write, so after a write this says whether it could be heard.
   */
  delivered(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.out.write('', (error?: Error | null) => {
        const failure = error ?? this.failure;
        if (failure) reject(failure);
        else resolve();
      });
    });
  }

  write(message: AirbyteMessage): boolean {
    if (this.failure) return false;
    return this.out.write(JSON.stringify(message) + '\n');
  }

  /** Resolves once the stream can take more; rejects if stdout has failed (the reader is gone). */
  waitForDrain(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if (!needsDrain(this.out)) return resolve();
      const onDrain = (): void => {
        this.out.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        this.out.off('drain', onDrain);
        reject(error);
      };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
    });
  }

  /** Flushes everything written so far (and closes the stream unless it is process.stdout). */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failure) return resolve();
      const done = (): void => resolve();
      if (this.endStream) {
        this.out.end(done);
      } else {
        // An empty write's callback runs after every earlier write has been handed to the OS.
        this.out.write('', done);
      }
    });
  }
}

function needsDrain(out: NodeJS.WritableStream): boolean {
  return (out as Partial<{ writableNeedDrain: boolean }>).writableNeedDrain === true;
}
