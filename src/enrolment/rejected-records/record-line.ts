/**
 * One rejected record as a line of the object written to storage: the layout of the Airbyte bulk CDK's
 * JSON Lines writer without root-level flattening (JsonFormattingWriter: `_airbyte_raw_id`,
 * `_airbyte_extracted_at`, `_airbyte_meta` {sync_id, changes}, `_airbyte_generation_id`, `_airbyte_data`),
 * so tools that read Airbyte's rejected records read these. Why the record was rejected goes in
 * `_airbyte_meta.rejection`, beside the CDK's own metadata.
 */
import { randomUUID } from 'node:crypto';

import type { RejectedRecord } from '../rejections.js';

export interface LineContext {
  /** The platform's job id as a number (the CDK's sync_id), or null outside the platform. */
  syncId: number | null;
  /** The stream's generation_id from the configured catalog (0 when the catalog has none). */
  generationId: number;
}

export function formatRecordLine(rejected: RejectedRecord, context: LineContext): string {
  return stringifyOrOmit(
    {
      _airbyte_raw_id: randomUUID(),
      _airbyte_extracted_at: rejected.emittedAt,
      _airbyte_meta: {
        sync_id: context.syncId,
        changes: [],
        rejection: { reason: rejected.reason, message: rejected.message },
      },
      _airbyte_generation_id: context.generationId,
      _airbyte_data: rejected.record,
    },
    '_airbyte_data',
  );
}

/**
 * JSON.parse accepts nesting deeper than JSON.stringify can write back (it overflows the stack). The
 * rejection still counts and is kept, with its reason; only the record's body is left out.
 */
export function stringifyOrOmit(entry: Record<string, unknown>, recordField = 'record'): string {
  try {
    return JSON.stringify(entry);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return JSON.stringify({
      ...entry,
      [recordField]: null,
      record_omitted: 'nested too deeply to write back',
    });
  }
}
