import { afterAll, describe, expect, it } from 'vitest';
import { emulatorForFile } from '../support/emulator-lifecycle.js';
import { catalog } from '../cli/write-harness.js';
import { emulatorConfig, FileBox, runChecked } from './cli-env.js';

/**
 * The write success paths of the protocol contract: runChecked validates every stdout line against
 * airbyte_protocol.yaml's AirbyteMessage, requires an empty stderr and no secret in the output.
 */
const emulator = emulatorForFile({ timeScale: 100 });
const files = new FileBox();

afterAll(() => files.remove());

const configuredCatalog = catalog([{ objectName: 'program_1002' }]);

const stdin = [
  { type: 'RECORD', record: { stream: 'audience', data: { contact_id: 100001 }, emitted_at: 1 } },
  { type: 'RECORD', record: { stream: 'audience', data: { email: 'user2@example.com' }, emitted_at: 1 } },
  { type: 'RECORD', record: { stream: 'audience', data: { email: 'not-an-email' }, emitted_at: 1 } },
  {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: 1,
      stream_status: { stream_descriptor: { name: 'audience' }, status: 'RUNNING' },
    },
  },
  {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: { name: 'audience' }, stream_state: { cursor: 1 } },
      id: 1,
      sourceStats: { recordCount: 3 },
    },
  },
  { type: 'STATE', state: { type: 'GLOBAL', global: { shared_state: { c: 2 }, stream_states: [] }, id: 2 } },
  { type: 'STATE', state: { type: 'LEGACY', data: { c: 3 } } },
]
  .map((m) => JSON.stringify(m))
  .join('\n');

describe('write contract', () => {
  it.each([
    ['a real sync', {}],
    ['a dry run', { dry_run: true }],
  ])('%s prints only valid Airbyte messages: STATE and LOG, no TRACE', async (_label, overrides) => {
    const config = files.json(emulatorConfig(emulator(), overrides));
    const result = await runChecked(
      ['write', '--config', config, '--catalog', files.json(configuredCatalog)],
      [emulator().sample.password],
      { stdin },
    );
    expect(result.code).toBe(0);
    const types = new Set(result.messages.map((m) => m.type));
    expect([...types].every((t) => t === 'STATE' || t === 'LOG')).toBe(true);
    const states = result.messages.filter((m) => m.type === 'STATE');
    expect(states).toHaveLength('dry_run' in overrides ? 0 : 3);
  });
});
