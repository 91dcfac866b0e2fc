import { describe, expect, it } from 'vitest';
import { airbyteMessageErrors } from './airbyte-schema.js';

// The contract tests are only as good as this validator: prove it rejects what the protocol forbids.
describe('the Airbyte protocol validator', () => {
  it('accepts valid messages', () => {
    expect(airbyteMessageErrors({ type: 'LOG', log: { level: 'INFO', message: 'hi' } })).toEqual([]);
    expect(
      airbyteMessageErrors({
        type: 'TRACE',
        trace: { type: 'ERROR', emitted_at: 1, error: { message: 'm', failure_type: 'config_error' } },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ type: 'LOG', log: { level: 'VERBOSE', message: 'hi' } }],
    [{ type: 'LOG', log: { level: 'INFO' } }],
    [{ type: 'BANANA' }],
    [
      {
        type: 'TRACE',
        trace: { type: 'ERROR', emitted_at: 1, error: { message: 'm', failure_type: 'oops' } },
      },
    ],
    [{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'MAYBE' } }],
    [{ type: 'SPEC', spec: { documentationUrl: 'not a uri', connectionSpecification: {} } }],
    [
      {
        type: 'DESTINATION_CATALOG',
        destination_catalog: { operations: [{ object_name: 'x', sync_mode: 'append' }] },
      },
    ],
  ])('rejects %j', (message) => {
    expect(airbyteMessageErrors(message).length).toBeGreaterThan(0);
  });
});
