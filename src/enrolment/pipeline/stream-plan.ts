/**
 * Which program each configured stream enrols into, and which identifier decides for it. It runs before
 * any network call, so a catalog that enrolment cannot honour fails at once instead of after records
 * were read.
 */
import { PROGRAM_OBJECT_NAME_FORM, programIdFromObjectName } from '../../config/program-object-name.js';
import type { ConnectorConfig, IdentifierKind } from '../../config/types.js';
import { ConfigError } from '../../protocol/errors.js';
import type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from '../../protocol/messages.js';
import { DISCOVER_FIELD_NAMES } from '../mapping.js';

export interface StreamPlan {
  name: string;
  namespace?: string;
  programId: number;
  /** Configured from discover: the data-activation field names apply. */
  dataActivation: boolean;
  /**
   * The matching key picked for a data-activation stream (its primary_key): that identifier decides
   * ahead of the configured precedence.
   */
  decidingIdentifier?: IdentifierKind;
}

/** Throws ConfigError naming the stream and what to change. */
export function planStreams(catalog: ConfiguredAirbyteCatalog, config: ConnectorConfig): StreamPlan[] {
  return catalog.streams.map((configured) => {
    const name = configured.stream.name;
    if (configured.destination_sync_mode !== 'append') {
      throw new ConfigError(
        `Stream "${name}" is configured with destination sync mode "${configured.destination_sync_mode}", but this ` +
          'destination only supports "append": enrolling a contact into a program cannot be undone or overwritten, ' +
          'and a contact leaving the audience is not un-enrolled. Set the destination sync mode to append.',
      );
    }
    let programId = config.programId;
    const objectName = configured.destination_object_name;
    if (objectName !== undefined) {
      programId = programIdFromObjectName(objectName);
      if (programId === undefined) {
        throw new ConfigError(
          `Stream "${name}" maps to destination object "${objectName}", which is not a program of this ` +
            `destination. Pick one of the ${PROGRAM_OBJECT_NAME_FORM} objects that discover lists.`,
        );
      }
    }
    if (programId === undefined) {
      throw new ConfigError(
        `Stream "${name}" has no program to enrol into. Set program_id in the configuration, or map the stream to ` +
          `one of the ${PROGRAM_OBJECT_NAME_FORM} objects that discover lists.`,
      );
    }
    const plan: StreamPlan = {
      name,
      ...(configured.stream.namespace !== undefined ? { namespace: configured.stream.namespace } : {}),
      programId,
      dataActivation: objectName !== undefined,
    };
    // Outside data activation, primary_key is the source's own key, not a choice of identifier.
    if (objectName !== undefined) {
      const deciding = decidingIdentifier(configured, config);
      if (deciding !== undefined) plan.decidingIdentifier = deciding;
    }
    return plan;
  });
}

/** The identifier a data-activation stream's primary_key (its matching key) names, if it has one. */
function decidingIdentifier(
  configured: ConfiguredAirbyteStream,
  config: ConnectorConfig,
): IdentifierKind | undefined {
  const key = configured.primary_key;
  if (key === undefined || key.length === 0) return undefined;
  const kinds = Object.keys(DISCOVER_FIELD_NAMES) as IdentifierKind[];
  const field = key.length === 1 && key[0]!.length === 1 ? key[0]![0] : undefined;
  const kind = kinds.find(
    (candidate) => field === DISCOVER_FIELD_NAMES[candidate] || field === config.mapping.fields[candidate],
  );
  if (kind === undefined) {
    const keys = kinds.map((candidate) => DISCOVER_FIELD_NAMES[candidate]).join(', ');
    throw new ConfigError(
      `Stream "${configured.stream.name}" is matched on ${JSON.stringify(key)}, which is not one of this ` +
        `destination's matching keys. Pick one of ${keys} as the stream's matching key.`,
    );
  }
  return kind;
}
