/**
 * Which program each configured stream enrols into. It runs before any network call, so a catalog that
 * enrolment cannot honour fails at once instead of after records were read.
 */
import type { ConnectorConfig } from '../../config/types.js';
import { ConfigError } from '../../protocol/errors.js';
import type { ConfiguredAirbyteCatalog } from '../../protocol/messages.js';

export interface StreamPlan {
  name: string;
  namespace?: string;
  programId: number;
  /** Configured from discover: the data-activation field names apply. */
  dataActivation: boolean;
}

const PROGRAM_OBJECT_NAME = /^program_([1-9][0-9]{0,9})$/;

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
      const match = PROGRAM_OBJECT_NAME.exec(objectName);
      if (!match) {
        throw new ConfigError(
          `Stream "${name}" maps to destination object "${objectName}", which is not a program of this ` +
            'destination. Pick one of the program_<id> objects that discover lists.',
        );
      }
      programId = Number(match[1]);
    }
    if (programId === undefined) {
      throw new ConfigError(
        `Stream "${name}" has no program to enrol into. Set program_id in the configuration, or map the stream to ` +
          'one of the program_<id> objects that discover lists.',
      );
    }
    return {
      name,
      ...(configured.stream.namespace !== undefined ? { namespace: configured.stream.namespace } : {}),
      programId,
      dataActivation: objectName !== undefined,
    };
  });
}
