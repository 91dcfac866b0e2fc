import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE, type RunningEmulator } from '../../emulator/src/index.js';
import { emulatorForFile, withEmulator } from '../support/emulator-lifecycle.js';
import {
  emulatorConfig,
  FileBox,
  ofType,
  only,
  runChecked,
  traceError,
  SAMPLE_SECRETS,
} from '../contract/cli-env.js';

const emulator = emulatorForFile();
const files = new FileBox();

interface Operation {
  object_name: string;
  sync_mode: string;
  json_schema: {
    additionalProperties: unknown;
    title: string;
    description: string;
    properties: Record<string, { type: unknown; description: string }>;
  };
  matching_keys: string[][];
}

afterAll(() => files.remove());

async function discover(target: RunningEmulator = emulator()): Promise<Operation[]> {
  const result = await runChecked(
    ['discover', '--config', files.json(emulatorConfig(target))],
    SAMPLE_SECRETS,
  );
  expect(result.code).toBe(0);
  expect(ofType(result, 'TRACE')).toEqual([]);
  return (only(result, 'DESTINATION_CATALOG').destination_catalog as { operations: Operation[] }).operations;
}

describe('discover', () => {
  it('lists one append operation per Active program, with the identifier fields and matching keys', async () => {
    const operations = await discover();
    expect(operations.map((op) => op.object_name)).toEqual([
      'Welcome journey (program 1001)',
      'Every-time journey (program 1002)',
    ]);
    for (const operation of operations) {
      // Exactly the fields the connector reads: the platform's field mapping offers nothing else.
      expect(operation.json_schema.additionalProperties).toBe(false);
      expect(operation.sync_mode).toBe('append');
      expect(operation.matching_keys).toEqual([['contact_id'], ['email'], ['mobile_number']]);
      const { properties } = operation.json_schema;
      expect(Object.keys(properties).sort()).toEqual(['contact_id', 'email', 'mobile_number']);
      expect(properties.contact_id!.type).toEqual(['integer', 'string']);
      expect(properties.email!.type).toBe('string');
      expect(properties.mobile_number!.type).toBe('string');
      for (const property of Object.values(properties))
        expect(property.description.length).toBeGreaterThan(10);
    }
    expect(operations[0]!.json_schema.title).toContain('Welcome journey');
    expect(operations[0]!.json_schema.description).toContain('"Welcome journey" (ID 1001)');
  });

  it('names a renamed program by its new name (the id in it still decides), and follows status changes', async () => {
    await withEmulator(async (changing) => {
      changing.control.updateProgram(1001, { name: 'Renamed welcome' });
      changing.control.updateProgram(1002, { status: 'Deactivated' });
      changing.control.updateProgram(1003, { status: 'Active' });
      const operations = await discover(changing);
      expect(operations.map((op) => op.object_name)).toEqual([
        'Renamed welcome (program 1001)',
        'Draft journey (program 1003)',
      ]);
      expect(operations[0]!.json_schema.title).toContain('Renamed welcome');
    });
  });

  it('prints an empty catalog when no program is Active', async () => {
    await withEmulator(async (quiet) => {
      quiet.control.updateProgram(1001, { status: 'Draft' });
      quiet.control.updateProgram(1002, { status: 'ReadOnly' });
      expect(await discover(quiet)).toEqual([]);
    });
  });

  it('fails with a config_error TRACE and exit 1 on a bad config', async () => {
    const result = await runChecked(
      ['discover', '--config', files.json(emulatorConfig(emulator(), { list_mode_threshold: -3 }))],
      SAMPLE_SECRETS,
    );
    expect(result.code).toBe(1);
    expect(ofType(result, 'DESTINATION_CATALOG')).toEqual([]);
    const error = traceError(result);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toContain('"list_mode_threshold" must be at least 1');
  });

  it('fails with a config_error naming the file when the config file is missing', async () => {
    const result = await runChecked(['discover', '--config', `${files.dir}/missing.json`], SAMPLE_SECRETS);
    expect(result.code).toBe(1);
    expect(traceError(result)).toMatchObject({ failure_type: 'config_error' });
    expect(traceError(result).message).toContain(`${files.dir}/missing.json`);
  });

  it('fails with the 401 message when the password is wrong', async () => {
    const config = emulatorConfig(emulator(), { api_password: 'Wr0ng-Password!' });
    const result = await runChecked(['discover', '--config', files.json(config)], SAMPLE_SECRETS);
    expect(result.code).toBe(1);
    expect(traceError(result)).toMatchObject({ failure_type: 'config_error' });
    expect(traceError(result).message).toContain("The API user's password was rejected by Dotdigital (401)");
  });

  it('fails with a config_error when the API user lacks the Programs permission', async () => {
    const config = emulatorConfig(emulator(), {
      api_user: SAMPLE.noProgramsApiUser,
      api_password: SAMPLE.noProgramsPassword,
    });
    const result = await runChecked(['discover', '--config', files.json(config)], SAMPLE_SECRETS);
    expect(result.code).toBe(1);
    expect(traceError(result)).toMatchObject({ failure_type: 'config_error' });
    expect(traceError(result).message).toContain('Programs permission');
  });
});
