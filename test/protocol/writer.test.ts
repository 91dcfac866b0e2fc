import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AirbyteMessage } from '../../src/protocol/messages.js';
import { ProtocolWriter } from '../../src/protocol/writer.js';

const log = (message: string): AirbyteMessage => ({ type: 'LOG', log: { level: 'INFO', message } });

async function readAll(stream: PassThrough): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('ProtocolWriter', () => {
  it('writes one JSON message per line, in call order', async () => {
    const out = new PassThrough();
    const writer = new ProtocolWriter(out);
    const collected = readAll(out);
    for (let i = 0; i < 100; i += 1) writer.write(log(`message ${i} with a\nnewline inside`));
    await writer.end();
    const lines = (await collected).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(100);
    lines.forEach((line, i) => expect(JSON.parse(line)).toEqual(log(`message ${i} with a\nnewline inside`)));
  });

  it('reports a full buffer and lets a producer wait, so a slow reader bounds memory', async () => {
    const highWaterMark = 1024;
    const received: string[] = [];
    let maxBuffered = 0;
    // A consumer that only takes a chunk when the test says so, like a stalled orchestrator.
    const pendingCallbacks: (() => void)[] = [];
    const out = new Writable({
      highWaterMark,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        pendingCallbacks.push(callback);
      },
    });
    const writer = new ProtocolWriter(out);
    const message = log('x'.repeat(200));
    const messageBytes = JSON.stringify(message).length + 1;

    let sawBackpressure = false;
    const producer = (async () => {
      for (let i = 0; i < 200; i += 1) {
        if (!writer.write(message)) {
          sawBackpressure = true;
          await writer.waitForDrain();
        }
        maxBuffered = Math.max(maxBuffered, out.writableLength);
      }
    })();
    // Release the consumer step by step until the producer has finished.
    let done = false;
    void producer.then(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      pendingCallbacks.shift()?.();
    }
    while (pendingCallbacks.length > 0) pendingCallbacks.shift()!();
    await writer.end();

    expect(sawBackpressure).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + messageBytes);
    expect(received.join('').split('\n').filter(Boolean)).toHaveLength(200);
  });

  it('resolves waitForDrain at once when nothing is buffered', async () => {
    const out = new PassThrough();
    const writer = new ProtocolWriter(out);
    await expect(writer.waitForDrain()).resolves.toBeUndefined();
  });

  it('does not crash when stdout fails, and reports the failure to a waiting producer', async () => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const writer = new ProtocolWriter(out);
    writer.write(log('first'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.write(log('second'))).toBe(false);
    await expect(writer.waitForDrain()).rejects.toThrow('EPIPE');
    await expect(writer.end()).resolves.toBeUndefined();
  });

  it('tells whether what was written reached the stream, and who listens hears of a failure once', async () => {
    let failing = false;
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(failing ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const writer = new ProtocolWriter(out);
    const heard: string[] = [];
    writer.onFailure((error) => heard.push(error.message));
    writer.write(log('first'));
    await expect(writer.delivered()).resolves.toBeUndefined();
    failing = true;
    writer.write(log('second'));
    await expect(writer.delivered()).rejects.toThrow('EPIPE');
    writer.onFailure((error) => heard.push(`late: ${error.message}`));
    expect(heard).toEqual(['write EPIPE', 'late: write EPIPE']);
  });
});
