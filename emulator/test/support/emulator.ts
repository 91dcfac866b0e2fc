/**
 * Starts an emulator on an ephemeral port for one test file and wraps its /_emulator control API, so every
 * assumption about that API lives in one place.
 */
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import type { ContactEnrolmentState, EnrolmentCall } from '../../src/control.js';
import type { Fixture } from '../../src/fixture.js';
import type { FaultSettings, SettingsPatch } from '../../src/settings.js';
import { call, client, type ApiResponse, type Client, type Credentials } from './http.js';
import { MAIN, NO_PROGRAMS, OTHER, testFixture } from './fixture.js';

export type Region = 'r1' | 'r2' | 'r3';

export interface TestEmulatorOptions {
  fixture?: Fixture | null;
  settings?: SettingsPatch;
  timeScale?: number;
}

export interface TestEmulator {
  emu: RunningEmulator;
  /** The main test user on its own region. */
  api: Client;
  as(credentials: Credentials | null, region?: Region | 'bare'): Client;
  control: ControlClient;
}

export async function startTestEmulator(options: TestEmulatorOptions = {}): Promise<TestEmulator> {
  const fixture = options.fixture === undefined ? testFixture() : options.fixture;
  const emu = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    ...(fixture ? { fixture } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
  });
  const as = (credentials: Credentials | null, region: Region | 'bare' = MAIN.region): Client =>
    client(region === 'bare' ? emu.url : emu.regionUrl(region), credentials);
  return { emu, api: as(MAIN), as, control: controlClient(emu.url) };
}

/** beforeAll/afterAll wiring; the returned getter is valid inside tests. */
export function useEmulator(options: TestEmulatorOptions = {}): () => TestEmulator {
  let running: TestEmulator | undefined;
  beforeAll(async () => {
    running = await startTestEmulator(options);
  });
  afterAll(async () => {
    await running?.emu.stop();
  });
  return () => {
    if (!running) throw new Error('emulator not started');
    return running;
  };
}

export const users = { MAIN, NO_PROGRAMS, OTHER };

function ok(response: ApiResponse, what: string): unknown {
  if (response.status < 200 || response.status > 299) {
    throw new Error(`control ${what} answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.json;
}

export interface LoggedRequest {
  method: string;
  path: string;
  region: string;
  endpoint: string;
  status: number;
  fault?: string;
}

export function controlClient(baseUrl: string) {
  const get = async (path: string) => ok(await call(baseUrl, 'GET', `/_emulator${path}`), `GET ${path}`);
  const send = async (method: string, path: string, body?: unknown) =>
    ok(await call(baseUrl, method, `/_emulator${path}`, { body: body ?? {} }), `${method} ${path}`);
  return {
    raw: (method: string, path: string, body?: unknown) =>
      call(baseUrl, method, `/_emulator${path}`, body === undefined ? {} : { body }),
    clock: () => get('/clock') as Promise<{ timeScale: number; now: string; nowMs: number }>,
    setClock: (patch: { timeScale?: number; advanceMs?: number }) => send('PUT', '/clock', patch),
    advance: (ms: number) => send('PUT', '/clock', { advanceMs: ms }),
    faults: () => get('/faults') as Promise<FaultSettings>,
    setFaults: (patch: Partial<FaultSettings>) => send('PUT', '/faults', patch),
    settings: () => get('/settings') as Promise<Record<string, unknown>>,
    setSettings: (patch: SettingsPatch) => send('PUT', '/settings', patch),
    enrolmentState: async (programId: number) =>
      ((await get(`/state/enrolments?programId=${programId}`)) as { contacts: ContactEnrolmentState[] })
        .contacts,
    enrolmentCalls: () => get('/enrolment-calls') as Promise<EnrolmentCall[]>,
    requests: () => get('/requests') as Promise<LoggedRequest[]>,
    clearRequests: () => send('DELETE', '/requests'),
    counters: () =>
      get('/counters') as Promise<{ total: number; byEndpoint: Record<string, Record<string, number>> }>,
    addressBooks: () => get('/address-books') as Promise<{ id: number; name: string; contacts: number[] }[]>,
    allowance: () => get('/allowance') as Promise<{ used: number; limit: number }>,
    resetAllowance: () => send('POST', '/reset-allowance'),
    resetRateLimits: () => send('POST', '/reset-rate-limits'),
    setContact: (id: number, patch: Record<string, unknown>) => send('PUT', `/contacts/${id}`, patch),
    setProgram: (id: number, patch: Record<string, unknown>) => send('PUT', `/programs/${id}`, patch),
  };
}

export type ControlClient = ReturnType<typeof controlClient>;

/**
 * Moves the emulated clock past the processing delay and polls until the enrolment leaves Processing. The
 * number of polls is bounded so a stuck enrolment fails the test instead of hanging it; nothing here asserts
 * how long anything took.
 */
export async function finishEnrolment(t: TestEmulator, id: string, advanceMs?: number): Promise<unknown> {
  await t.control.advance(advanceMs ?? (await processingMs(t, 'enrolmentProcessingMs')));
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await t.api.get(`/v2/programs/enrolments/${id}`);
    if (response.status === 200 && (response.json as { status?: string }).status === 'Finished') {
      return response.json;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`enrolment ${id} did not finish after the clock moved on`);
}

/** The emulator's current processing delay (emulated ms), so a test moves the clock exactly past it. */
async function processingMs(t: TestEmulator, setting: 'enrolmentProcessingMs' | 'importProcessingMs') {
  return (await t.control.settings())[setting] as number;
}

/** Same, for a v3 import. */
export async function finishImport(t: TestEmulator, id: string, advanceMs?: number): Promise<unknown> {
  await t.control.advance(advanceMs ?? (await processingMs(t, 'importProcessingMs')));
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await t.api.get(`/contacts/v3/import/${id}`);
    if (response.status === 200 && (response.json as { status?: string }).status !== 'NotFinished') {
      return response.json;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`import ${id} did not finish after the clock moved on`);
}
