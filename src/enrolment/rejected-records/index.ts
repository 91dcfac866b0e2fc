/**
 * Builds the sink the config asks for: none, the local JSON Lines file, S3 (Airbyte's
 * object_storage_config), or both of the last two.
 */
import type { ConnectorConfig } from '../../config/types.js';
import type { ConfiguredAirbyteCatalog } from '../../protocol/messages.js';
import { streamKey } from '../pipeline/checkpoints.js';
import { JsonLinesFileSink } from './local-file-sink.js';
import { runIds, runPrefix } from './object-keys.js';
import { createS3Client } from './s3-client.js';
import { S3RejectionSink } from './s3-sink.js';
import { DiscardingSink, TeeSink, type RejectionSink } from './sink.js';

export type { RejectionSink } from './sink.js';
export { DurableRelease } from './durable-release.js';

export interface SinkContext {
  catalog?: ConfiguredAirbyteCatalog;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function createRejectionSink(
  config: Pick<ConnectorConfig, 'rejectedRecords' | 'objectStorage'>,
  context: SinkContext = {},
): RejectionSink {
  const sinks: RejectionSink[] = [];
  if (config.rejectedRecords.type === 'file') sinks.push(JsonLinesFileSink.open(config.rejectedRecords.path));
  const storage = config.objectStorage;
  if (storage.type === 's3') {
    const now = context.now ?? (() => new Date());
    const ids = runIds(context.env ?? process.env, now());
    const generationIds = new Map<string, number>();
    for (const configured of context.catalog?.streams ?? []) {
      const generation = configured.generation_id;
      generationIds.set(
        streamKey(configured.stream.name, configured.stream.namespace),
        typeof generation === 'number' ? generation : 0,
      );
    }
    sinks.push(
      new S3RejectionSink({
        client: createS3Client(storage),
        storage,
        prefix: runPrefix(storage.bucketPath, ids),
        syncId: ids.syncId,
        generationIds,
        now,
      }),
    );
  }
  if (sinks.length === 0) return new DiscardingSink();
  return sinks.length === 1 ? sinks[0]! : new TeeSink(sinks);
}
