import { pino, type Logger } from 'pino';
import type { AirbyteLogLevel } from './messages.js';
import { createRedactor } from './redact.js';
import type { ProtocolWriter } from './writer.js';

export type { Logger } from 'pino';

const LEVELS: Record<number, AirbyteLogLevel> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

// Structured fields that commonly carry credentials; pino censors them before serialising, and the text
// redactor below catches whatever slips through under another name.
const REDACT_PATHS = [
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.authorization',
  'password',
  'api_password',
  '*.password',
  '*.api_password',
];

/**
 * A pino logger whose every line becomes an Airbyte LOG message through the protocol writer, so logs
 * share stdout with the protocol without ever breaking its one-message-per-line rule. Bound fields are
 * appended to the message as compact JSON; an `err` field's stack goes into `stack_trace`.
 */
export function createLogger(
  writer: ProtocolWriter,
  options: { secrets?: string[]; level?: string } = {},
): Logger {
  const redact = createRedactor(options.secrets ?? []);
  const destination = {
    write(line: string): void {
      writer.write({ type: 'LOG', log: toAirbyteLog(line, redact) });
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: false,
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    destination,
  );
}

function toAirbyteLog(
  line: string,
  redact: (text: string) => string,
): { level: AirbyteLogLevel; message: string; stack_trace?: string } {
  const entry = JSON.parse(line) as Record<string, unknown>;
  const { level, msg, err, ...fields } = entry;
  let message = typeof msg === 'string' ? msg : '';
  let stack: string | undefined;
  if (err && typeof err === 'object') {
    const error = err as { message?: unknown; stack?: unknown };
    if (typeof error.message === 'string' && !message.includes(error.message)) {
      message = message ? `${message}: ${error.message}` : error.message;
    }
    if (typeof error.stack === 'string') stack = error.stack;
  }
  if (Object.keys(fields).length > 0) message = `${message} ${JSON.stringify(fields)}`;
  const log: { level: AirbyteLogLevel; message: string; stack_trace?: string } = {
    level: LEVELS[level as number] ?? 'INFO',
    message: redact(message),
  };
  if (stack !== undefined) log.stack_trace = redact(stack);
  return log;
}
