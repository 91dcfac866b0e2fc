import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/protocol/logger.js';
import { ProtocolWriter } from '../../src/protocol/writer.js';

async function capture(run: (logger: ReturnType<typeof createLogger>) => void, secrets: string[] = []) {
  const out = new PassThrough();
  const writer = new ProtocolWriter(out);
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  run(createLogger(writer, { secrets, level: 'trace' }));
  await writer.end();
  return text
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as { type: string; log: { level: string; message: string; stack_trace?: string } },
    );
}

describe('createLogger', () => {
  it('turns every pino level into the matching Airbyte LOG level', async () => {
    const messages = await capture((logger) => {
      logger.fatal('f');
      logger.error('e');
      logger.warn('w');
      logger.info('i');
      logger.debug('d');
      logger.trace('t');
    });
    expect(messages.map((m) => [m.type, m.log.level, m.log.message])).toEqual([
      ['LOG', 'FATAL', 'f'],
      ['LOG', 'ERROR', 'e'],
      ['LOG', 'WARN', 'w'],
      ['LOG', 'INFO', 'i'],
      ['LOG', 'DEBUG', 'd'],
      ['LOG', 'TRACE', 't'],
    ]);
  });

  it('honours the level', async () => {
    const out = new PassThrough();
    const writer = new ProtocolWriter(out);
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLogger(writer, { level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    await writer.end();
    expect(text).not.toContain('hidden');
    expect(text).toContain('shown');
  });

  it('appends bound fields to the message', async () => {
    const [message] = await capture((logger) =>
      logger.child({ program: 1001 }).info({ batch: 3 }, 'Enrolled'),
    );
    expect(message!.log.message).toBe('Enrolled {"program":1001,"batch":3}');
  });

  it('puts an error stack in stack_trace and redacts secrets from message, fields and stack', async () => {
    const secret = 'S3cr3t!pw';
    const [message] = await capture(
      (logger) => {
        const error = new Error(`call failed for ${secret}`);
        logger.error({ err: error, url: `https://u:${secret}@host/`, note: secret }, `while using ${secret}`);
      },
      [secret],
    );
    const text = JSON.stringify(message);
    expect(text).not.toContain(secret);
    expect(message!.log.message).toContain('while using ***: call failed for ***');
    expect(message!.log.stack_trace).toContain('Error: call failed for ***');
    expect(message!.log.stack_trace).toContain('logger.test.ts');
  });

  it('censors authorization headers and password fields even when their values are unknown', async () => {
    const [message] = await capture((logger) =>
      logger.info(
        {
          headers: { authorization: 'Token unknown-value' },
          req: { headers: { authorization: 'x1' } },
          password: 'pw1',
        },
        'request',
      ),
    );
    expect(message!.log.message).not.toMatch(/unknown-value|x1|pw1/);
  });
});
