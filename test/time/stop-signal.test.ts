/**
 * Every wait on the stop signal takes its listener off when it ends, and the many waits of a busy sync
 * listen through one listener on the caller's signal: more than ten on one signal makes Node print
 * MaxListenersExceededWarning on stderr.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, SAMPLE, type RunningEmulator } from '../../emulator/src/index.js';
import { createDotdigitalClient } from '../../src/dotdigital/client.js';
import { abortableDelay } from '../../src/time/clock.js';
import { shareStopSignal } from '../../src/time/stop-signal.js';
import { captureLogger, FAST_RETRY, testConfig } from '../dotdigital/support/fixtures.js';

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

/** The most abort listeners the signal held at any one time. */
function watchListeners(signal: AbortSignal): () => number {
  let most = 0;
  const add = signal.addEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    add(...args);
    most = Math.max(most, listeners(signal));
  }) as typeof signal.addEventListener;
  return () => most;
}

describe('waits on the stop signal', () => {
  it('leave no listener behind, one after another or a thousand at once', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 1000; i += 1) await abortableDelay(0, stop.signal);
    expect(listeners(stop.signal)).toBe(0);
    setMaxListeners(0, stop.signal); // this test means to put a thousand on it at once
    await Promise.all(Array.from({ length: 1000 }, () => abortableDelay(0, stop.signal)));
    expect(listeners(stop.signal)).toBe(0);
  });

  it('a shared signal holds one listener on the caller’s for any number of waits, and none once released', async () => {
    const stop = new AbortController();
    const shared = shareStopSignal(stop.signal);
    const waits = Array.from({ length: 1000 }, () => abortableDelay(60_000, shared.signal));
    expect(listeners(shared.signal)).toBe(1000);
    expect(listeners(stop.signal)).toBe(1);
    stop.abort(new Error('received SIGTERM'));
    for (const outcome of await Promise.allSettled(waits)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'received SIGTERM' } });
    }
    expect(listeners(shared.signal)).toBe(0);

    const later = new AbortController();
    shareStopSignal(later.signal).release();
    expect(listeners(later.signal)).toBe(0);
  });
});

describe('the Dotdigital client on the stop signal', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('keeps at most one listener on it however many calls are in flight, and none after close', async () => {
    const stop = new AbortController();
    const most = watchListeners(stop.signal);
    const config = testConfig({
      apiUser: SAMPLE.apiUser,
      password: SAMPLE.password,
      region: 'auto',
      baseUrl: emulator.url,
    });
    const client = await createDotdigitalClient(config, {
      logger: captureLogger().logger,
      retry: FAST_RETRY,
      signal: stop.signal,
    });
    await Promise.all(Array.from({ length: 30 }, () => client.getProgram(1002)));
    await client.close();
    expect(most()).toBe(1);
    expect(listeners(stop.signal)).toBe(0);
  });
});
