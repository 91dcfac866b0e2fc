import { describe, expect, it } from 'vitest';
import { ConfigError, TransientError } from '../../src/protocol/errors.js';
import { createRedactor } from '../../src/protocol/redact.js';
import { errorTrace } from '../../src/protocol/trace.js';
import { airbyteMessageErrors } from '../contract/airbyte-schema.js';

const redact = createRedactor(['s3cret-pw']);

describe('errorTrace', () => {
  it('keeps a connector error’s failure type, user message and internal message', () => {
    const message = errorTrace(new TransientError('Try again later.', 'GET /v2/programs 503'), redact, 1000);
    expect(airbyteMessageErrors(message)).toEqual([]);
    expect(message).toMatchObject({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: 1000,
        error: {
          message: 'Try again later.',
          internal_message: 'GET /v2/programs 503',
          failure_type: 'transient_error',
        },
      },
    });
  });

  it('reports anything else as a system error with the original message kept internal', () => {
    const message = errorTrace(new TypeError('x is undefined'), redact);
    expect(airbyteMessageErrors(message)).toEqual([]);
    const error = (message as { trace: { error: Record<string, string> } }).trace.error;
    expect(error.failure_type).toBe('system_error');
    expect(error.message).toContain('bug');
    expect(error.internal_message).toBe('TypeError: x is undefined');
    expect(error.stack_trace).toContain('trace.test.ts');
  });

  it('includes the causes in the stack trace and redacts every text', () => {
    const cause = new Error('socket closed for s3cret-pw');
    const message = errorTrace(new ConfigError('bad s3cret-pw', 'internal s3cret-pw', { cause }), redact);
    const text = JSON.stringify(message);
    expect(text).not.toContain('s3cret-pw');
    expect(text).toContain('Caused by: Error: socket closed for ***');
  });

  it('copes with a thrown non-error', () => {
    const message = errorTrace('just a string', redact);
    expect(airbyteMessageErrors(message)).toEqual([]);
  });
});
