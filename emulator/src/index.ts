/** startEmulator: builds the state from a fixture (or the sample) and serves it on 127.0.0.1. */
import type { AddressInfo } from 'node:net';
import { EmulatorClock, type TimeSource } from './clock.js';
import { EmulatorControl } from './control.js';
import { FaultInjector } from './faults.js';
import { loadFixture, readFixture, sampleFixture, type Fixture } from './fixture.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import { createEmulatorServer } from './server.js';
import { applySettingsPatch, defaultSettings, type SettingsPatch } from './settings.js';
import type { Region } from './state/account.js';
import { World } from './state/world.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** A fixture object, or a path to a fixture JSON file. Without one the sample account is served. */
  fixture?: Fixture | string;
  /** Contacts generated for the sample account (default 3000); ignored with a fixture. */
  contacts?: number;
  /** Seed of the sample account's generator and of generated ids (default 7). */
  seed?: number;
  timeScale?: number;
  /** What the time scale multiplies: the machine's time by default, a benchmark's virtual clock in-process. */
  time?: TimeSource;
  settings?: SettingsPatch;
  /** Origin written into ApiEndpoint and paging links instead of the request's Host header. */
  publicOrigin?: string;
}

export interface RunningEmulator {
  /** http://HOST:PORT — the bare root, an alias of r1. */
  url: string;
  regionUrl(region: Region): string;
  sample: { apiUser: string; password: string; region: Region };
  control: EmulatorControl;
  stop(): Promise<void>;
}

export { EmulatorControl } from './control.js';
export type { Fixture } from './fixture.js';
export { SAMPLE } from './fixture.js';
export { generatedContact, generatedEmail, generatedMobile } from './generate.js';
export type { TimeSource } from './clock.js';
export type { EmulatorSettings, FaultSettings, SettingsPatch } from './settings.js';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const fixture =
    typeof options.fixture === 'string'
      ? await readFixture(options.fixture)
      : (options.fixture ?? sampleFixture({ contacts: options.contacts, seed: options.seed }));
  const settings = defaultSettings();
  if (fixture.settings) applySettingsPatch(settings, fixture.settings);
  if (options.settings) applySettingsPatch(settings, options.settings);
  const clock = new EmulatorClock({
    timeScale: options.timeScale ?? 1,
    ...(options.time ? { source: options.time } : {}),
  });
  const world = new World(settings, clock, options.seed ?? fixture.seed ?? 7);
  loadFixture(world, fixture);
  const limiter = new RateLimiter(settings, clock);
  const faults = new FaultInjector(settings.faults);
  const log = new RequestLog(settings.requestLogSize);
  const control = new EmulatorControl(world, limiter, faults, log);
  const server = createEmulatorServer({
    world,
    limiter,
    faults,
    log,
    control,
    publicOrigin: options.publicOrigin,
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  const main = world.accounts[0]!;
  const mainUser = main.users[0]!;
  return {
    url,
    regionUrl: (region) => `${url}/${region}`,
    sample: {
      apiUser: mainUser.username,
      password: mainUser.password,
      region: main.region,
    },
    control,
    stop: async () => {
      clock.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
