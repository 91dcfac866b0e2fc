/**
 * The subset of the Airbyte protocol (protocol-models v0.18.0) this destination reads and prints.
 * Shapes follow reference/airbyte/airbyte_protocol.yaml; the contract test validates every
 * printed message against that schema, so these types are a convenience, not the source of truth.
 */

export type AirbyteLogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface AirbyteRecordMessage {
  namespace?: string;
  stream: string;
  /**
   * An object, says the protocol; the reader passes on whatever the line holds, and the pipeline
   * (record-preparation) rejects anything else as invalid_record, as one bad record, not a broken input.
   */
  data: unknown;
  emitted_at: number;
  meta?: unknown;
}

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface AirbyteStateStats {
  recordCount?: number;
  rejectedRecordCount?: number;
  /**
   * Named counts the platform sums per stream into the attempt's stats (airbyte-protocol 0.19's
   * `AdditionalStats`: an object of numbers; 0.18's AirbyteStateStats already allows extra properties).
   */
  additionalStats?: Record<string, number>;
}

export interface AirbyteStateMessage {
  type?: 'STREAM' | 'GLOBAL' | 'LEGACY';
  stream?: { stream_descriptor: StreamDescriptor; stream_state?: unknown };
  global?: { shared_state?: unknown; stream_states: unknown[] };
  data?: unknown;
  sourceStats?: AirbyteStateStats;
  destinationStats?: AirbyteStateStats;
  // The platform adds fields of its own (such as `id`); they must be echoed untouched.
  [key: string]: unknown;
}

export interface AirbyteTraceMessage {
  type: 'ERROR' | 'ESTIMATE' | 'STREAM_STATUS' | 'ANALYTICS';
  emitted_at: number;
  error?: {
    message: string;
    internal_message?: string;
    stack_trace?: string;
    failure_type?: 'system_error' | 'config_error' | 'transient_error';
  };
  [key: string]: unknown;
}

export interface AirbyteConnectionStatus {
  status: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

export interface DestinationOperation {
  object_name: string;
  sync_mode: 'append' | 'append_dedup' | 'overwrite' | 'update' | 'soft_delete';
  json_schema: Record<string, unknown>;
  matching_keys?: string[][];
}

export interface DestinationCatalog {
  operations: DestinationOperation[];
}

export interface ConfiguredAirbyteStream {
  stream: {
    name: string;
    namespace?: string;
    json_schema: Record<string, unknown>;
    supported_sync_modes: string[];
    [key: string]: unknown;
  };
  sync_mode: string;
  destination_sync_mode: string;
  destination_object_name?: string;
  /** Paths to the primary key's fields; in data activation, the matching key picked for the stream. */
  primary_key?: string[][];
  [key: string]: unknown;
}

export interface ConfiguredAirbyteCatalog {
  streams: ConfiguredAirbyteStream[];
}

export type AirbyteMessage =
  | { type: 'RECORD'; record: AirbyteRecordMessage }
  | { type: 'STATE'; state: AirbyteStateMessage }
  | { type: 'LOG'; log: { level: AirbyteLogLevel; message: string; stack_trace?: string } }
  | { type: 'TRACE'; trace: AirbyteTraceMessage }
  | { type: 'SPEC'; spec: Record<string, unknown> }
  | { type: 'CONNECTION_STATUS'; connectionStatus: AirbyteConnectionStatus }
  | { type: 'DESTINATION_CATALOG'; destination_catalog: DestinationCatalog }
  | { type: 'CONTROL'; control: Record<string, unknown> };
