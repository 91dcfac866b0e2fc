import type { ProtocolWriter } from '../protocol/writer.js';

/** A check that found something the user must fix: Airbyte expects FAILED with the reason, and exit 0. */
export function reportCheckFailed(writer: ProtocolWriter, message: string): void {
  writer.write({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message } });
}
