/**
 * Typed failures. Every failure that ends a command becomes exactly one TRACE ERROR whose
 * `failure_type` comes from the class, so the orchestrator knows whether to retry (transient),
 * ask the user to fix the configuration (config) or page the maintainers (system).
 *
 * `message` is what the user reads in the orchestrator's UI: it must say what to do.
 * `internalMessage` is for the maintainers: status codes, endpoint names, Dotdigital error codes.
 * Neither may contain a secret; the runner redacts both again before printing as a safety net.
 */
export type FailureType = 'config_error' | 'transient_error' | 'system_error';

export abstract class ConnectorError extends Error {
  abstract readonly failureType: FailureType;
  readonly internalMessage: string;

  constructor(message: string, internalMessage?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.internalMessage = internalMessage ?? message;
  }
}

/** The user must change the configuration (or the Dotdigital account) before a retry can succeed. */
export class ConfigError extends ConnectorError {
  readonly failureType = 'config_error' as const;
}

/** Retrying later may succeed (rate limits, allowance windows, 5xx, network). */
export class TransientError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
}

/** A bug or an unexpected answer: retrying will not help without a code change. */
export class SystemError extends ConnectorError {
  readonly failureType = 'system_error' as const;
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}
