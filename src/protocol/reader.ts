import { StringDecoder } from 'node:string_decoder';
import { SystemError } from './errors.js';
import { describeJsonError } from './json-error.js';
import type { AirbyteMessage } from './messages.js';

/** Longest stdin line accepted; a record larger than this is almost certainly a broken upstream. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** Which object field carries each message type's payload. */
const PAYLOAD_KEY: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  TRACE: 'trace',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  CONTROL: 'control',
  DESTINATION_CATALOG: 'destination_catalog',
};

export interface NumberedMessage {
  lineNumber: number;
  message: AirbyteMessage;
  /** Characters of the line it came from: what backpressure counts, besides messages. */
  size: number;
}

/**
 * Streams AirbyteMessages from stdin, one per line. Lines are split here rather than with node:readline
 * because readline buffers a line of any length; this splitter holds at most one partial line and
 * fails once that passes `maxLineChars`, so memory is bounded by the line, never by the input.
 */
export async function* readMessages(
  input: NodeJS.ReadableStream,
  options: { maxLineChars?: number } = {},
): AsyncIterable<NumberedMessage> {
  for await (const batch of readMessageBatches(input, options)) yield* batch;
}

/**
 * The same messages as readMessages, grouped by input chunk. A hot loop should prefer this: one await per
 * chunk instead of one per message makes reading several times cheaper than the per-message iterator.
 * On a bad line, the messages before it are yielded first, then the error is thrown.
 */
export async function* readMessageBatches(
  input: NodeJS.ReadableStream,
  options: { maxLineChars?: number } = {},
): AsyncIterable<NumberedMessage[]> {
  const maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lineNumber = 0;

  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const batch: NumberedMessage[] = [];
    let failure: unknown;
    try {
      let start = 0;
      let newline = text.indexOf('\n', start);
      while (newline !== -1) {
        const piece = text.slice(start, newline);
        const line = partial.length > 0 ? partial + piece : piece;
        partial = '';
        lineNumber += 1;
        if (line.length > maxLineChars) throw lineTooLong(lineNumber, maxLineChars);
        const message = parseLine(line, lineNumber);
        if (message) batch.push({ lineNumber, message, size: line.length });
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      partial += text.slice(start);
      if (partial.length > maxLineChars) throw lineTooLong(lineNumber + 1, maxLineChars);
    } catch (error) {
      failure = error;
    }
    if (batch.length > 0) yield batch;
    if (failure !== undefined) throw failure;
  }

  partial += decoder.end();
  if (partial.length > 0) {
    lineNumber += 1;
    if (partial.length > maxLineChars) throw lineTooLong(lineNumber, maxLineChars);
    const message = parseLine(partial, lineNumber);
    if (message) yield [{ lineNumber, message, size: partial.length }];
  }
}

/** Null for a blank line (CRLF endings and whitespace-only lines are tolerated). */
export function parseLine(rawLine: string, lineNumber: number): AirbyteMessage | null {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (line.trim().length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw invalidLine(lineNumber, `it is not valid JSON (${describeJsonError(error)})`);
  }
  const problem = messageProblem(parsed);
  if (problem) throw invalidLine(lineNumber, problem);
  return parsed as AirbyteMessage;
}

function messageProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  const type = value.type;
  if (typeof type !== 'string') return 'it has no string "type" field';
  const key = PAYLOAD_KEY[type];
  if (!key) return `its type "${type.slice(0, 40)}" is not an Airbyte message type`;
  const payload = value[key];
  if (!isObject(payload)) return `a ${type} message needs an object in its "${key}" field`;
  // record.data is not judged here: a record that is not an object is rejected by the pipeline as
  // invalid_record and counted, rather than ending the sync.
  if (type === 'RECORD' && typeof payload.stream !== 'string') {
    return 'a RECORD message needs a string "record.stream"';
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The line's content is left out of the messages: records carry personal data (emails, phone numbers).
function invalidLine(lineNumber: number, problem: string): SystemError {
  return new SystemError(
    `Input line ${lineNumber} is not a valid Airbyte message: ${problem}. The sync stopped there; ` +
      'this points to a problem in the source or the platform, not in this destination.',
    `stdin line ${lineNumber}: ${problem}`,
  );
}

function lineTooLong(lineNumber: number, maxLineChars: number): SystemError {
  return new SystemError(
    `Input line ${lineNumber} is longer than ${maxLineChars} characters, the most this destination accepts ` +
      'for one message. The sync stopped there; check the source for oversized records.',
    `stdin line ${lineNumber} exceeds ${maxLineChars} characters`,
  );
}
