/**
 * Rejected records streamed to S3 (`object_storage_config.storage_type: S3`), one object per stream
 * between two flushes, through lib-storage's multipart upload: records go into a stream the upload reads
 * in 5 MiB parts, so memory stays a few parts however many records are rejected.
 *
 * An object is durable (and readable) only once its upload completes, so flush() completes every open
 * object; the next rejection starts a new one. A state is echoed only after that (durable-release.ts).
 */
import { PassThrough } from 'node:stream';

import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

import type { S3ObjectStorage } from '../../config/object-storage.js';
import type { StreamDescriptor } from '../../protocol/messages.js';
import { streamKey } from '../pipeline/checkpoints.js';
import type { RejectedRecord } from '../rejections.js';
import { objectKey } from './object-keys.js';
import { formatRecordLine } from './record-line.js';
import { translateS3Error } from './s3-client.js';
import type { RejectionSink } from './sink.js';

/** S3's smallest part; larger parts would only hold more memory. */
const PART_SIZE = 5 * 1024 * 1024;
/** Bytes buffered ahead of the upload before the reader is asked to wait. */
const BUFFER_LIMIT = 1024 * 1024;

export interface S3SinkOptions {
  client: S3Client;
  storage: S3ObjectStorage;
  /** `<bucket_path>/<job>/<attempt>` (object-keys.ts). */
  prefix: string;
  /** The CDK's sync_id: the platform's job id. */
  syncId: number | null;
  /** generation_id per stream key, from the configured catalog. */
  generationIds: ReadonlyMap<string, number>;
  now?: () => Date;
}

interface OpenObject {
  readonly key: string;
  readonly body: PassThrough;
  readonly done: Promise<void>;
  readonly generationId: number;
}

export class S3RejectionSink implements RejectionSink {
  private readonly open = new Map<string, OpenObject>();
  /** Uploads ended by a flush and not yet complete. */
  private readonly completing = new Set<Promise<void>>();
  private part = 0;
  private failure: unknown;
  /** Objects completed, for the summary and the tests. */
  readonly written: string[] = [];

  constructor(private readonly options: S3SinkOptions) {}

  add(rejected: RejectedRecord): void {
    // After a failed upload the sync is ending with that error and no later state goes out.
    if (this.failure !== undefined) return;
    const key = streamKey(rejected.stream.name, rejected.stream.namespace);
    const object = this.open.get(key) ?? this.start(key, rejected.stream);
    const line = formatRecordLine(rejected, {
      syncId: this.options.syncId,
      generationId: object.generationId,
    });
    object.body.write(`${line}\n`);
  }

  flushNow(): boolean {
    return this.failure === undefined && this.open.size === 0 && this.completing.size === 0;
  }

  async flush(): Promise<void> {
    for (const object of this.open.values()) {
      object.body.end();
      const done = object.done.finally(() => this.completing.delete(done));
      this.completing.add(done);
    }
    this.open.clear();
    await Promise.all([...this.completing]);
    if (this.failure !== undefined) throw this.failure;
  }

  backpressure(): Promise<void> | null {
    for (const object of this.open.values()) {
      if (object.body.writableLength < BUFFER_LIMIT) continue;
      return new Promise<void>((resolve) => {
        object.body.once('drain', resolve);
        // A failed upload stops reading its stream: do not wait for a drain that never comes.
        object.done.then(resolve, resolve);
      });
    }
    return null;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.options.client.destroy();
    }
  }

  private start(key: string, stream: StreamDescriptor): OpenObject {
    const { client, storage, prefix } = this.options;
    const startedAt = (this.options.now ?? (() => new Date()))();
    const objectName = objectKey(prefix, stream, startedAt, this.part++);
    const body = new PassThrough({ writableHighWaterMark: BUFFER_LIMIT });
    const upload = new Upload({
      client,
      params: { Bucket: storage.bucket, Key: objectName, Body: body, ContentType: 'application/jsonl' },
      partSize: PART_SIZE,
      queueSize: 1,
    });
    const done = upload.done().then(
      () => {
        this.written.push(objectName);
      },
      (error: unknown) => {
        this.failure ??= translateS3Error(
          error,
          storage,
          `store rejected records as ${objectName}`,
          'transient',
        );
        body.resume(); // nobody reads it any more: let writes fall through instead of piling up
        throw this.failure;
      },
    );
    done.catch(() => undefined); // observed by flush(); a failure before it must not crash the process
    const object: OpenObject = {
      key: objectName,
      body,
      done,
      generationId: this.options.generationIds.get(key) ?? 0,
    };
    this.open.set(key, object);
    return object;
  }
}
