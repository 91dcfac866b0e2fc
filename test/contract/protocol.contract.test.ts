import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE } from '../../emulator/src/index.js';
import { emulatorForFile } from '../support/emulator-lifecycle.js';
import { emulatorConfig, FileBox, runChecked, SAMPLE_SECRETS } from './cli-env.js';

/**
 * The protocol contract: whatever path a command takes, every line it prints validates against
 * airbyte_protocol.yaml's AirbyteMessage (runChecked asserts that, an empty stderr, and no secret in the
 * output). The assertions here pin the shape of each outcome: which message types, in which number, and the
 * exit code. The write success path lives in write.contract.test.ts.
 */
const emulator = emulatorForFile();
const files = new FileBox();

afterAll(() => files.remove());

const catalog = (objectName?: string) => ({
  streams: [
    {
      stream: { name: 'audience', json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
      ...(objectName ? { destination_object_name: objectName } : {}),
    },
  ],
});

type Case = {
  name: string;
  args: () => string[];
  stdin?: string;
  code: number;
  /** Message types other than LOG, in order. */
  types: string[];
  failure?: string;
  status?: string;
  /** Text the TRACE error's message must contain. */
  says?: string;
};

const config = (overrides: Record<string, unknown> = {}) => files.json(emulatorConfig(emulator(), overrides));

const cases: Case[] = [
  { name: 'spec', args: () => ['spec'], code: 0, types: ['SPEC'] },
  { name: 'help', args: () => ['--help'], code: 0, types: [] },
  { name: 'usage: no command', args: () => [], code: 2, types: ['TRACE'], failure: 'config_error' },
  {
    name: 'usage: unknown command',
    args: () => ['read'],
    code: 2,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'usage: missing --config',
    args: () => ['check'],
    code: 2,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'usage: write without --catalog',
    args: () => ['write', '--config', config()],
    code: 2,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'check ok',
    args: () => ['check', '--config', config({ program_id: 1001 })],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'SUCCEEDED',
  },
  {
    name: 'check ok without program',
    args: () => ['check', '--config', config()],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'SUCCEEDED',
  },
  {
    name: 'check bad config',
    args: () => ['check', '--config', config({ region: 'mars' })],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'check unreadable config',
    args: () => ['check', '--config', `${files.dir}/absent.json`],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'check bad password',
    args: () => ['check', '--config', config({ api_password: 'Wr0ng-Password!' })],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'check no Programs permission',
    args: () => [
      'check',
      '--config',
      config({ api_user: SAMPLE.noProgramsApiUser, api_password: SAMPLE.noProgramsPassword }),
    ],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'check missing program',
    args: () => ['check', '--config', config({ program_id: 999999 })],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'check draft program',
    args: () => ['check', '--config', config({ program_id: 1003 })],
    code: 0,
    types: ['CONNECTION_STATUS'],
    status: 'FAILED',
  },
  {
    name: 'discover ok',
    args: () => ['discover', '--config', config()],
    code: 0,
    types: ['DESTINATION_CATALOG'],
  },
  {
    name: 'discover bad config',
    args: () => ['discover', '--config', config({ dry_run: 'yes' })],
    code: 1,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'discover config not JSON',
    args: () => ['discover', '--config', files.json('{"api_user": ')],
    code: 1,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'write bad config',
    args: () => ['write', '--config', config({ enrolment_mode: 'fast' }), '--catalog', files.json(catalog())],
    code: 1,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'write bad catalog',
    args: () => ['write', '--config', config({ program_id: 1002 }), '--catalog', files.json({ stream: [] })],
    code: 1,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'write catalog not JSON',
    args: () => ['write', '--config', config({ program_id: 1002 }), '--catalog', files.json('streams: []')],
    code: 1,
    types: ['TRACE'],
    failure: 'config_error',
  },
  {
    name: 'write malformed stdin line',
    args: () => [
      'write',
      '--config',
      config({ dry_run: true }),
      '--catalog',
      files.json(catalog('program_1002')),
    ],
    stdin:
      '{"type":"RECORD","record":{"stream":"audience","data":{"email":"a@example.com"},"emitted_at":1}}\n{oops\n',
    code: 1,
    types: ['TRACE'],
    failure: 'system_error',
    says: 'Input line 2 is not a valid Airbyte message',
  },
];

describe('every command prints only valid Airbyte messages', () => {
  it.each(cases)('$name', async ({ args, stdin, code, types, failure, status, says }) => {
    const result = await runChecked(args(), SAMPLE_SECRETS, stdin === undefined ? {} : { stdin });
    expect(result.code).toBe(code);
    expect(result.messages.map((m) => m.type).filter((type) => type !== 'LOG')).toEqual(types);
    const trace = result.messages.find((m) => m.type === 'TRACE') as
      { trace: { error: { failure_type: string; message: string; internal_message: string } } } | undefined;
    if (failure) {
      expect(trace!.trace.error.failure_type).toBe(failure);
      expect(trace!.trace.error.message.length).toBeGreaterThan(20);
      expect(trace!.trace.error.internal_message).toBeTruthy();
    }
    if (says) expect(trace!.trace.error.message).toContain(says);
    if (status) {
      const message = result.messages.find((m) => m.type === 'CONNECTION_STATUS') as {
        connectionStatus: { status: string; message: string };
      };
      expect(message.connectionStatus.status).toBe(status);
      expect(message.connectionStatus.message.length).toBeGreaterThan(20);
    }
  });
});
