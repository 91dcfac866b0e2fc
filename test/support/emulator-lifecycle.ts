/**
 * Starting and stopping the in-process emulator around a file's tests: once for the whole file, or a fresh
 * one for every test (for tests that change the account or count its enrolments). Call the returned
 * function inside a test or hook to get the running emulator.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/src/index.js';

/** One emulator for all the tests of the calling file. */
export function emulatorForFile(options: EmulatorOptions = {}): () => RunningEmulator {
  return emulatorAround(beforeAll, afterAll, options);
}

/** A fresh emulator for each test of the calling file. */
export function emulatorForEachTest(options: EmulatorOptions = {}): () => RunningEmulator {
  return emulatorAround(beforeEach, afterEach, options);
}

function emulatorAround(
  before: typeof beforeAll,
  after: typeof afterAll,
  options: EmulatorOptions,
): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  before(async () => {
    emulator = await startEmulator(options);
  });
  after(async () => {
    await emulator?.stop();
    emulator = undefined;
  });
  return () => {
    if (emulator === undefined) throw new Error('the emulator is only running inside the tests');
    return emulator;
  };
}

/** A throw-away emulator for one test (its account changed, or started with other options), always stopped. */
export async function withEmulator<T>(
  use: (emulator: RunningEmulator) => Promise<T>,
  options: EmulatorOptions = {},
): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await use(emulator);
  } finally {
    await emulator.stop();
  }
}
