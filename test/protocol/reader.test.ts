import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemError } from '../../src/protocol/errors.js';
import { readMessageBatches, readMessages, type NumberedMessage } from '../../src/protocol/reader.js';

const record = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'RECORD',
  record: {
    stream: 'audience',
    data: { email: `person${n}@example.com`, name: 'Zoë ✓', ...extra },
    emitted_at: 1,
  },
});
const state = (n: number) => ({ type: 'STATE', state: { type: 'LEGACY', data: { n } } });

async function collect(input: Readable, maxLineChars?: number): Promise<NumberedMessage[]> {
  const result: NumberedMessage[] = [];
  for await (const item of readMessages(input, maxLineChars ? { maxLineChars } : {})) result.push(item);
  return result;
}

/** The bytes of `text` cut into the given chunk sizes, so boundaries fall anywhere, even inside a character. */
function chunked(text: string, sizes: number[]): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i += 1) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(chunks);
}

async function failure(promise: Promise<unknown>): Promise<SystemError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SystemError);
  return error as SystemError;
}

describe('readMessages', () => {
  it('reads LF and CRLF lines, skips blank lines and keeps line numbers', async () => {
    const text = [
      JSON.stringify(record(1)),
      '',
      '   ',
      JSON.stringify(state(1)) + '\r',
      JSON.stringify(record(2)),
    ].join('\n');
    const messages = await collect(Readable.from([text + '\r\n\n']));
    expect(messages.map((m) => [m.lineNumber, m.message.type])).toEqual([
      [1, 'RECORD'],
      [4, 'STATE'],
      [5, 'RECORD'],
    ]);
    expect(messages[0]!.message).toEqual(record(1));
  });

  it('reads a last line without a newline', async () => {
    const messages = await collect(
      Readable.from([JSON.stringify(record(1)) + '\n' + JSON.stringify(state(7))]),
    );
    expect(messages.map((m) => m.message)).toEqual([record(1), state(7)]);
  });

  it('gives the same messages however the input is cut into chunks', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(i % 5 === 4 ? state(i) : record(i)));
    const text = lines.join('\r\n') + '\n';
    const expected = lines.map((line) => JSON.parse(line) as unknown);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
        async (sizes) => {
          const messages = await collect(chunked(text, sizes));
          expect(messages.map((m) => m.message)).toEqual(expected);
          expect(messages.map((m) => m.lineNumber)).toEqual(lines.map((_, i) => i + 1));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails on a line that is not JSON, naming the line and not quoting its content', async () => {
    const input = Readable.from([
      `${JSON.stringify(record(1))}\n\n{"type":"RECORD","record":{"data":{"email":"secret@x.com"}`,
    ]);
    const error = await failure(collect(input));
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('not valid JSON');
    expect(error.message).not.toContain('secret@x.com');
    expect(error.internalMessage).not.toContain('secret@x.com');
  });

  it('stops at the bad line: messages before it are delivered, none after', async () => {
    const text = [
      JSON.stringify(record(1)),
      JSON.stringify(state(1)),
      'not json',
      JSON.stringify(state(2)),
    ].join('\n');
    const seen: number[] = [];
    const error = await failure(
      (async () => {
        for await (const item of readMessages(Readable.from([text]))) seen.push(item.lineNumber);
      })(),
    );
    expect(seen).toEqual([1, 2]);
    expect(error.message).toContain('line 3');
  });

  it.each([
    ['[1,2]', 'not a JSON object'],
    ['"RECORD"', 'not a JSON object'],
    ['{"record":{}}', 'no string "type"'],
    ['{"type":"BANANA","banana":{}}', 'not an Airbyte message type'],
    ['{"type":"STATE"}', '"state"'],
    ['{"type":"STATE","state":[1]}', '"state"'],
    ['{"type":"RECORD","record":null}', '"record"'],
    ['{"type":"RECORD","record":{"data":{}}}', 'record.stream'],
    ['{"type":"TRACE","trace":"x"}', '"trace"'],
  ])('rejects %s as not an AirbyteMessage', async (line, problem) => {
    const error = await failure(collect(Readable.from([`${JSON.stringify(state(1))}\n${line}\n`])));
    expect(error.message).toContain('line 2');
    expect(error.message).toContain(problem);
  });

  it('passes a RECORD whose data is not an object on: the pipeline rejects it as one bad record', async () => {
    const lines = ['"x"', '42', 'null', '[1]'].map(
      (data) => `{"type":"RECORD","record":{"stream":"s","data":${data},"emitted_at":1}}`,
    );
    lines.push('{"type":"RECORD","record":{"stream":"s","emitted_at":1}}');
    const messages = await collect(Readable.from([lines.join('\n') + '\n']));
    expect(messages.map((m) => (m.message.type === 'RECORD' ? m.message.record.data : 'other'))).toEqual([
      'x',
      42,
      null,
      [1],
      undefined,
    ]);
  });

  it('fails clearly on a line longer than the limit', async () => {
    const long = JSON.stringify(record(1, { blob: 'x'.repeat(5000) }));
    const error = await failure(collect(chunked(`${JSON.stringify(state(1))}\n${long}\n`, [64]), 1000));
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('longer than 1000 characters');
  });

  it('fails on an over-long last line that has no newline', async () => {
    const error = await failure(collect(Readable.from(['y'.repeat(50)]), 10));
    expect(error.message).toContain('line 1');
  });

  it('reads string chunks as well as buffers', async () => {
    const input = Readable.from(
      [JSON.stringify(record(1)).slice(0, 10), JSON.stringify(record(1)).slice(10) + '\n'],
      {
        objectMode: true,
      },
    );
    expect((await collect(input)).map((m) => m.message)).toEqual([record(1)]);
  });
});

describe('readMessageBatches', () => {
  it('yields the same messages as readMessages, grouped, and the good ones before a bad line', async () => {
    const text = [JSON.stringify(record(1)), JSON.stringify(state(1)), '{bad', JSON.stringify(state(2))].join(
      '\n',
    );
    const seen: number[] = [];
    const error = await failure(
      (async () => {
        for await (const batch of readMessageBatches(Readable.from([text])))
          seen.push(...batch.map((m) => m.lineNumber));
      })(),
    );
    expect(seen).toEqual([1, 2]);
    expect(error.message).toContain('line 3');
  });
});
