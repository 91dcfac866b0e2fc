/**
 * JSON Lines appended to a local file (`rejected_records.destination: local_file`), for self-hosted runs.
 * Writes are synchronous and batched: flushNow() writes what is buffered before a state goes out, so the
 * rejections a state covers are in the file by then.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

import { ConfigError } from '../../protocol/errors.js';
import type { RejectedRecord } from '../rejections.js';
import { stringifyOrOmit } from './record-line.js';
import type { RejectionSink } from './sink.js';

/** Write when this much is buffered, so memory stays small however many records are rejected. */
const FILE_BUFFER_LIMIT = 256 * 1024;

export class JsonLinesFileSink implements RejectionSink {
  private buffer: string[] = [];
  private buffered = 0;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  static open(path: string): JsonLinesFileSink {
    try {
      return new JsonLinesFileSink(openSync(path, 'a'), path);
    } catch (error) {
      throw new ConfigError(
        `Cannot open the rejected-records file ${path} for appending: ${(error as Error).message}. Set rejected_records.path to a writable file path.`,
        undefined,
        { cause: error },
      );
    }
  }

  add(rejected: RejectedRecord): void {
    const line = stringifyOrOmit({
      record: rejected.record,
      stream: rejected.stream,
      reason: rejected.reason,
      message: rejected.message,
      emitted_at: rejected.emittedAt,
      rejected_at: new Date().toISOString(),
    });
    this.buffer.push(line, '\n');
    this.buffered += line.length + 1;
    if (this.buffered >= FILE_BUFFER_LIMIT) this.flushNow();
  }

  flushNow(): boolean {
    if (this.buffer.length === 0) return true;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    try {
      writeSync(this.fd, chunk);
    } catch (error) {
      throw new ConfigError(
        `Could not write rejected records to ${this.path}: ${(error as Error).message}. Check rejected_records.path and the free disk space.`,
        undefined,
        { cause: error },
      );
    }
    return true;
  }

  flush(): Promise<void> {
    try {
      this.flushNow();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  backpressure(): null {
    return null;
  }

  close(): Promise<void> {
    try {
      this.flushNow();
    } finally {
      closeSync(this.fd);
    }
    return Promise.resolve();
  }
}
