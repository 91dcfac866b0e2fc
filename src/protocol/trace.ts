import { isConnectorError } from './errors.js';
import type { AirbyteMessage } from './messages.js';

/**
 * The one TRACE ERROR that ends a failed command. Connector errors carry their own user message and
 * failure type; anything else is a bug, reported as a system error with the original text kept for
 * the maintainers. Every text is passed through `redact` as a last line of defence for secrets.
 */
export function errorTrace(
  error: unknown,
  redact: (text: string) => string,
  now = Date.now(),
): AirbyteMessage {
  const stack = stackOf(error);
  if (isConnectorError(error)) {
    return trace(now, {
      message: redact(error.message),
      internal_message: redact(error.internalMessage),
      failure_type: error.failureType,
      ...(stack ? { stack_trace: redact(stack) } : {}),
    });
  }
  const internal =
    error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${String(error)}`;
  return trace(now, {
    message:
      'The connector stopped on an unexpected error. This is a bug in the connector; please report it with the logs of this run.',
    internal_message: redact(internal),
    failure_type: 'system_error',
    ...(stack ? { stack_trace: redact(stack) } : {}),
  });
}

function trace(
  now: number,
  error: NonNullable<Extract<AirbyteMessage, { type: 'TRACE' }>['trace']['error']>,
): AirbyteMessage {
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at: now, error } };
}

/** The error's stack followed by its causes' stacks, which is where the origin of a wrapped error is. */
function stackOf(error: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    parts.push(
      depth === 0 ? (current.stack ?? String(current)) : `Caused by: ${current.stack ?? String(current)}`,
    );
    current = current.cause;
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}
