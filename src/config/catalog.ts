import { z } from 'zod';
import { ConfigError } from '../protocol/errors.js';
import type { ConfiguredAirbyteCatalog } from '../protocol/messages.js';

// Only what the write command relies on is checked; everything else the platform sends passes through.
const configuredStream = z.looseObject({
  stream: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    json_schema: z.record(z.string(), z.unknown()),
    supported_sync_modes: z.array(z.string()),
  }),
  sync_mode: z.string(),
  destination_sync_mode: z.string(),
  destination_object_name: z.string().optional(),
  primary_key: z.array(z.array(z.string())).optional(),
});

const configuredCatalog = z.looseObject({ streams: z.array(configuredStream) });

/** Validates the configured catalog given to `write --catalog`. */
export function parseCatalog(raw: unknown, file: string): ConfiguredAirbyteCatalog {
  const result = configuredCatalog.safeParse(raw);
  if (result.success) return result.data as ConfiguredAirbyteCatalog;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigError(
    `The catalog file ${file} is not a valid configured catalog (${problems}). It must be a JSON object whose ` +
      '"streams" list each configured stream with its stream, sync_mode and destination_sync_mode (and a ' +
      'primary_key, if any, as a list of field paths).',
    `catalog validation failed: ${problems}`,
  );
}
