/**
 * The connector as users run it: a Docker image, driven by an orchestrator through files, stdin and
 * stdout, against the Dotdigital emulator in a container of its own. One file on purpose: its set-up
 * (engine, base image, two image builds) is the slow part, and test files run in separate processes.
 * Runs on a machine with no Docker engine too (see scripts/ensure-docker.sh; needs root or sudo).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inspectImage, repoRoot, setUpTimeouts, type ImageInspection } from './support/docker.js';
import { readImageContents, type ImageContents } from './support/image-contents.js';
import { runConnector, inputDir, type ConnectorRun } from './support/connector-container.js';
import { startEmulatorContainer, type EmulatorContainer } from './support/emulator-container.js';
import { prepareImages, type PreparedImages } from './support/images.js';
import { PlatformDestination } from './support/platform-launcher.js';
import { airbyteMessageErrors } from './support/protocol-schema.js';
import { timed } from './support/timing.js';
// The emulator's built-in sample account; the emulator container is built from the same source.
import { SAMPLE } from '../emulator/src/fixture.js';
import { catalog, contactId, reachable } from '../test/cli/write-harness.js';

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// On a fresh machine the set-up installs an engine and builds three images: its steps' own limits, and a
// minute for inspecting the result. vitest's default hook limit is far shorter.
const setUpTimeoutMs =
  setUpTimeouts.engineMs + setUpTimeouts.baseImageMs + 2 * setUpTimeouts.imageBuildMs + 60_000;

let images: PreparedImages;
let inspection: ImageInspection;
let contents: ImageContents;

beforeAll(async () => {
  images = await prepareImages();
  inspection = await inspectImage(images.connector);
  contents = await readImageContents(images.connector);
}, setUpTimeoutMs);

describe('the connector image', () => {
  it('runs as a non-root user', () => {
    expect(inspection.Config.User).toBeTruthy();
    expect(inspection.Config.User).not.toMatch(/^(0|root)(:|$)/);
    expect(contents.uid).not.toBe(0);
  });

  it('sets AIRBYTE_ENTRYPOINT to exec its entrypoint, with an absolute script path', () => {
    const variable = inspection.Config.Env?.find((entry) => entry.startsWith('AIRBYTE_ENTRYPOINT='));
    expect(variable).toBeDefined();
    const entrypoint = inspection.Config.Entrypoint ?? [];
    // `exec`: the platform evals the variable in a subshell it later kills; node must be that process.
    expect(variable?.slice('AIRBYTE_ENTRYPOINT='.length)).toBe(`exec ${entrypoint.join(' ')}`);
    expect(entrypoint[0]).toBe('node');
    // V8 flags may come between node and the script (the image caps the young generation).
    expect(entrypoint.slice(1, -1).every((arg) => arg.startsWith('--'))).toBe(true);
    expect(entrypoint.at(-1)).toMatch(/^\/airbyte\/integration_code\/.+\.js$/);
  });

  it('is labelled with the Airbyte name and the package version', () => {
    const labels = inspection.Config.Labels ?? {};
    expect(labels['io.airbyte.name']).toBe('dotdigitalprograms/destination-dotdigital-programs');
    expect(labels['io.airbyte.version']).toBe(packageJson.version);
  });

  it('agrees with metadata.yaml on the repository and version', () => {
    const metadataPath = path.join(repoRoot, 'metadata.yaml');
    const metadata = parse(readFileSync(metadataPath, 'utf8')) as {
      data: { dockerRepository: string; dockerImageTag: string };
    };
    const labels = inspection.Config.Labels ?? {};
    expect(labels['io.airbyte.name']).toBe(metadata.data.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(metadata.data.dockerImageTag);
  });

  it('holds the runtime dependencies and no dev dependencies', () => {
    for (const name of Object.keys(packageJson.dependencies)) expect(contents.packages).toContain(name);
    for (const name of Object.keys(packageJson.devDependencies))
      expect(contents.packages).not.toContain(name);
    expect(contents.packages).not.toContain('typescript');
    // Scope folders left by a dev package (such as @vitest) count as dev dependencies too.
    const devScopes = new Set(
      Object.keys(packageJson.devDependencies)
        .filter((name) => name.startsWith('@'))
        .map((name) => name.split('/')[0]),
    );
    expect(contents.packages.filter((name) => devScopes.has(name))).toEqual([]);
  });

  it('holds the built connector, its spec and package.json, and nothing else of the repository', () => {
    expect(contents.appFiles).toContain('dist/src/main.js');
    expect(contents.appFiles).toContain('spec.json');
    expect(contents.appFiles).toContain('package.json');
    const topLevel = new Set(contents.appFiles.map((file) => file.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['dist', 'node_modules', 'package.json', 'spec.json']);
    const distTopLevel = new Set(
      contents.appFiles.filter((file) => file.startsWith('dist/')).map((file) => file.split('/')[1]),
    );
    // dist/spec.json is the copy that src/commands/spec.ts imports.
    expect([...distTopLevel].sort()).toEqual(['spec.json', 'src']);
  });

  it('holds no tests, source maps or TypeScript sources', () => {
    const offending = contents.appFiles.filter(
      (file) =>
        /\.(test|spec)\.[cm]?js$/.test(file) ||
        /(^|\/)(test|tests|__tests__|integration_tests)(\/|$)/.test(file) ||
        file.endsWith('.map') ||
        /\.[cm]?ts$/.test(file),
    );
    expect(offending).toEqual([]);
    expect(contents.dependencyDevFiles).toEqual([]);
  });

  it('stays small', () => {
    const megabytes = inspection.Size / 1e6;
    console.log(`[container tests] connector image size: ${megabytes.toFixed(0)} MB`);
    // The stand-in base alone is about 214 MB (Debian minbase and Node 24); the official
    // slim base is of the same order. The connector adds about 30 MB of code and runtime dependencies.
    expect(megabytes).toBeLessThan(400);
  });
});

describe('the connector in its container, run as an orchestrator runs it, against the emulator container', () => {
  let emulator: EmulatorContainer;
  const wrongPassword = 'Not-The-Sample-Password-41';

  beforeAll(async () => {
    emulator = await timed('emulator container start', () => startEmulatorContainer(images.emulator));
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  const config = (overrides: Record<string, unknown> = {}) => ({
    api_user: SAMPLE.apiUser,
    api_password: SAMPLE.password,
    region: 'auto',
    base_url: emulator.url,
    program_id: 1001,
    ...overrides,
  });

  /** Every stdout line is a valid AirbyteMessage, and no password shows anywhere. */
  function expectCleanProtocol(run: ConnectorRun) {
    for (const message of run.messages)
      expect(airbyteMessageErrors(message), JSON.stringify(message)).toEqual([]);
    for (const secret of [SAMPLE.password, wrongPassword]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
  }

  const ofType = (run: ConnectorRun, type: string) => run.messages.filter((message) => message.type === type);

  it('spec prints the specification in spec.json', async () => {
    const run = await runConnector(images.connector, ['spec']);
    expectCleanProtocol(run);
    expect(run.code).toBe(0);
    const specs = ofType(run, 'SPEC');
    expect(specs).toHaveLength(1);
    const specJson = JSON.parse(readFileSync(path.join(repoRoot, 'spec.json'), 'utf8')) as unknown;
    expect(specs[0]?.spec).toEqual(specJson);
  });

  it('check succeeds for the sample account, whose region it discovers', async () => {
    const run = await runConnector(images.connector, ['check', '--config', `${inputDir}/config.json`], {
      files: { 'config.json': config() },
    });
    expectCleanProtocol(run);
    expect(run.code).toBe(0);
    const statuses = ofType(run, 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.connectionStatus).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('check fails with a message about the password when it is wrong, and never prints it', async () => {
    const run = await runConnector(images.connector, ['check', '--config', `${inputDir}/config.json`], {
      files: { 'config.json': config({ api_password: wrongPassword }) },
    });
    expectCleanProtocol(run);
    const statuses = ofType(run, 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    const status = statuses[0]?.connectionStatus as { status: string; message?: string };
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/password/i);
  });

  it('discover lists the active programs as destination operations', async () => {
    const run = await runConnector(images.connector, ['discover', '--config', `${inputDir}/config.json`], {
      files: { 'config.json': config() },
    });
    expectCleanProtocol(run);
    expect(run.code).toBe(0);
    const catalogs = ofType(run, 'DESTINATION_CATALOG');
    expect(catalogs).toHaveLength(1);
    const operations = (catalogs[0]?.destination_catalog as { operations: { object_name: string }[] })
      .operations;
    // Sample programs 1001 and 1002 are Active; 1003 (Draft), 1004 (Deactivated) and 1005 (ReadOnly) are not.
    const names = operations.map((operation) => operation.object_name);
    expect(names.some((name) => name.includes('1001'))).toBe(true);
    expect(names.some((name) => name.includes('1002'))).toBe(true);
    for (const inactive of ['1003', '1004', '1005'])
      expect(names.some((name) => name.includes(inactive))).toBe(false);
  });

  it('write enrols the records read from stdin and echoes each state with its stats', async () => {
    const discovered = await runConnector(
      images.connector,
      ['discover', '--config', `${inputDir}/config.json`],
      {
        files: { 'config.json': config() },
      },
    );
    const operations = (
      ofType(discovered, 'DESTINATION_CATALOG')[0]?.destination_catalog as {
        operations: { object_name: string; json_schema: Record<string, unknown> }[];
      }
    ).operations;
    const operation = operations.find((candidate) => candidate.object_name.includes('1001'));
    expect(operation).toBeDefined();
    const discoveredCatalog = {
      streams: [
        {
          stream: {
            name: 'audience',
            json_schema: operation?.json_schema,
            supported_sync_modes: ['full_refresh'],
          },
          sync_mode: 'full_refresh',
          destination_sync_mode: 'append',
          destination_object_name: operation?.object_name,
        },
      ],
    };
    const emittedAt = Date.parse('2026-01-01T00:00:00Z');
    const record = (data: Record<string, unknown>) =>
      JSON.stringify({ type: 'RECORD', record: { stream: 'audience', data, emitted_at: emittedAt } });
    const state = (id: number) =>
      JSON.stringify({
        type: 'STATE',
        state: {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'audience' }, stream_state: { cursor: id } },
          id,
        },
      });
    const firstWindow = [SAMPLE.firstContactId, SAMPLE.firstContactId + 1, SAMPLE.firstContactId + 2];
    const secondWindow = [SAMPLE.firstContactId + 3, SAMPLE.firstContactId + 4];
    const stdin = [
      ...firstWindow.map((contactId) => record({ contact_id: contactId })),
      state(1),
      ...secondWindow.map((contactId) => record({ contact_id: contactId })),
      record({ email: 'not an email address' }),
      state(2),
      '',
    ].join('\n');

    // No config program_id: the program comes from the configured stream's destination_object_name.
    const run = await runConnector(
      images.connector,
      ['write', '--config', `${inputDir}/config.json`, '--catalog', `${inputDir}/catalog.json`],
      {
        files: { 'config.json': config({ program_id: undefined }), 'catalog.json': discoveredCatalog },
        stdin,
      },
    );
    expectCleanProtocol(run);
    expect(run.code, run.stderr).toBe(0);

    const states = ofType(run, 'STATE').map(
      (message) =>
        message.state as {
          id: number;
          stream: { stream_state: unknown };
          destinationStats: { recordCount: number; rejectedRecordCount: number };
        },
    );
    expect(states.map((echoed) => echoed.id)).toEqual([1, 2]);
    expect(states.map((echoed) => echoed.stream.stream_state)).toEqual([{ cursor: 1 }, { cursor: 2 }]);
    // The platform's rule: recordCount + rejectedRecordCount is the records before each state.
    expect(
      states.map(
        (echoed) => echoed.destinationStats.recordCount + echoed.destinationStats.rejectedRecordCount,
      ),
    ).toEqual([3, 3]);
    // The malformed email at least is rejected; sample contacts that cannot be enrolled may be too.
    expect(states[1]?.destinationStats.rejectedRecordCount).toBeGreaterThanOrEqual(1);

    // Every record is accounted for: enrolled in the emulator, or counted as rejected.
    const response = await fetch(`${emulator.url}/_emulator/state/enrolments?programId=1001`);
    const enrolled = ((await response.json()) as { contacts: { contactId: number }[] }).contacts.map(
      (contact) => contact.contactId,
    );
    expect(enrolled.length).toBeGreaterThan(0);
    for (const contactId of enrolled) expect([...firstWindow, ...secondWindow]).toContain(contactId);
    const rejected = states.reduce((sum, echoed) => sum + echoed.destinationStats.rejectedRecordCount, 0);
    expect(enrolled.length + rejected).toBe(firstWindow.length + secondWindow.length + 1);
  });

  describe('as the platform runs it: sh -c with named pipes, uid 1000, 0.5 CPU, 2 GiB, stopped by kill', () => {
    const platformCatalog = catalog();
    const record = (data: Record<string, unknown>) =>
      JSON.stringify({ type: 'RECORD', record: { stream: 'audience', data, emitted_at: 1_767_225_600_000 } });
    const state = (id: number, records: number) =>
      JSON.stringify({
        type: 'STATE',
        state: {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'audience' }, stream_state: { cursor: id } },
          id,
          sourceStats: { recordCount: records },
        },
      });
    const statesOf = (messages: Record<string, unknown>[]) =>
      messages
        .filter((message) => message.type === 'STATE')
        .map(
          (message) =>
            message.state as {
              id: number;
              destinationStats: { recordCount: number; rejectedRecordCount: number };
            },
        );
    const errorsOf = (messages: Record<string, unknown>[]) =>
      messages
        .filter((message) => message.type === 'TRACE')
        .map(
          (message) => message.trace as { type: string; error?: { failure_type: string; message: string } },
        )
        .filter((trace) => trace.type === 'ERROR');

    it('a whole write: every state echoed with the platform’s counts, exit code 0 in exitCode.txt', async () => {
      const audience = reachable(6, 200).map(contactId);
      const destination = await PlatformDestination.start(images.connector, {
        config: config(),
        catalog: platformCatalog,
      });
      await destination.send([
        ...audience.slice(0, 3).map((id) => record({ contact_id: id })),
        state(1, 3),
        ...audience.slice(3).map((id) => record({ contact_id: id })),
        record({ email: 'not an email address' }),
        state(2, 4),
      ]);
      destination.endInput();
      const result = await destination.result();
      for (const message of result.messages)
        expect(airbyteMessageErrors(message), JSON.stringify(message)).toEqual([]);
      expect(errorsOf(result.messages), result.stderr.slice(-2000)).toEqual([]);
      expect(result.exitCodeFile).toBe('0');
      expect(result.container.code).toBe(0);
      const states = statesOf(result.messages);
      expect(states.map((echoed) => echoed.id)).toEqual([1, 2]);
      // The platform's checksum: recordCount + rejectedRecordCount is the source's count.
      expect(
        states.map(
          (echoed) => echoed.destinationStats.recordCount + echoed.destinationStats.rejectedRecordCount,
        ),
      ).toEqual([3, 4]);
      expect(states[1]?.destinationStats.rejectedRecordCount).toBeGreaterThanOrEqual(1);
    });

    it('the platform’s kill reaches node: true states echoed, a transient_error TRACE, a non-zero exit', async () => {
      const audience = reachable(8, 300).map(contactId);
      const destination = await PlatformDestination.start(images.connector, {
        // What is under test is the stop reaching node. Contacts mode keeps the first state to one enrolment
        // call: on an account whose answers name nobody, auto mode would stage a list for these 4 contacts
        // (import, member check, rename, two processing waits), which at 0.5 CPU outlasts the test's minute.
        config: config({ enrolment_mode: 'contacts' }),
        catalog: platformCatalog,
      });
      await destination.send([...audience.slice(0, 4).map((id) => record({ contact_id: id })), state(1, 4)]);
      await destination.waitFor((messages) => statesOf(messages).length === 1, 90_000);
      // Mid-sync: more records, stdin left open, as when the orchestrator cancels or times out an attempt.
      await destination.send(audience.slice(4).map((id) => record({ contact_id: id })));
      const killedAt = Date.now();
      await destination.terminate();
      const result = await destination.result();
      console.log(
        `[container tests] platform stop to exit: ${((Date.now() - killedAt) / 1000).toFixed(1)} s`,
      );
      for (const message of result.messages)
        expect(airbyteMessageErrors(message), JSON.stringify(message)).toEqual([]);
      // Node heard SIGTERM: it says so in one TRACE (without exec, the shell dies and node prints nothing).
      const errors = errorsOf(result.messages);
      expect(errors, result.stdout.slice(-2000)).toHaveLength(1);
      expect(errors[0]?.error).toMatchObject({ failure_type: 'transient_error' });
      expect(errors[0]?.error?.message).toMatch(/interrupted/);
      expect(statesOf(result.messages).map((echoed) => echoed.id)).toEqual([1]);
      expect(result.exitCodeFile).toMatch(/^[1-9][0-9]*$/);
      expect(result.container.code).toBe(Number(result.exitCodeFile));
    });
  });

  it('write with an unusable config ends with a config_error trace and a non-zero exit', async () => {
    const run = await runConnector(
      images.connector,
      ['write', '--config', `${inputDir}/config.json`, '--catalog', `${inputDir}/catalog.json`],
      {
        files: { 'config.json': config({ region: 'r9' }), 'catalog.json': { streams: [] } },
        stdin: '',
      },
    );
    expectCleanProtocol(run);
    expect(run.code).not.toBe(0);
    const traces = ofType(run, 'TRACE').map((message) => message.trace as { type: string; error?: unknown });
    const errors = traces.filter((trace) => trace.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toMatchObject({ failure_type: 'config_error' });
  });
});
