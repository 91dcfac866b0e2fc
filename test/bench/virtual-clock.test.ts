/**
 * The benchmark's discrete-event clock (bench/virtual-clock.ts): time passes through the waits only,
 * never through the work the process does, and it shares one timeline between the emulator and a client.
 * Every assertion is on the virtual clock's readings, which do not depend on the machine's speed.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../bench/virtual-clock.js';
import { startEmulator } from '../../emulator/src/index.js';

const HOUR = 3_600_000;

/** Keeps the event loop busy for about `ms` of real time in 1 ms slices, as a sync's CPU work would. */
async function busyFor(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 1;
    while (performance.now() < slice) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the virtual clock', () => {
  it('passes an hour-long wait at once and reads exactly the hour afterwards', async () => {
    const clock = new VirtualClock(0);
    await clock.sleep(HOUR);
    expect(clock.now()).toBe(HOUR);
    clock.stop();
  });

  it('does not move while the process works: a short wait ends only after the work', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const slept = clock.sleep(5).then(() => order.push(`slept at ${clock.now()}`));
    await busyFor(60);
    order.push(`worked until ${clock.now()}`);
    await slept;
    expect(order).toEqual(['worked until 0', 'slept at 5']);
    clock.stop();
  });

  it('runs timers in due order and lets an aborted sleep go', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const stop = new AbortController();
    const aborted = clock.sleep(50, stop.signal).catch(() => 'aborted');
    await Promise.all([
      clock.sleep(30).then(() => seen.push(clock.now())),
      clock.sleep(10).then(() => seen.push(clock.now())),
      (async () => {
        await clock.sleep(20);
        stop.abort();
      })(),
    ]);
    expect(await aborted).toBe('aborted');
    expect(seen).toEqual([10, 30]);
    clock.stop();
  });

  it('is the emulator time source: a call takes its injected latency and transfer, however long the process worked', async () => {
    const clock = new VirtualClock(0);
    const emu = await startEmulator({ time: clock, settings: { faults: { latencyMs: 120 } } });
    try {
      const auth = `Basic ${Buffer.from(`${emu.sample.apiUser}:${emu.sample.password}`).toString('base64')}`;
      const get = async (path: string) => {
        const started = clock.now();
        const response = await request(`${emu.regionUrl(emu.sample.region)}${path}`, {
          headers: { authorization: auth },
        });
        const text = await response.body.text();
        return { status: response.statusCode, text, tookMs: clock.now() - started };
      };
      // A longer timer pending meanwhile must not be jumped to while the call is on its way.
      const later = clock.sleep(10_000);
      const plain = await get('/contacts/v3?limit=20');
      expect(plain.status, plain.text).toBe(200);
      expect(plain.tookMs).toBe(120);

      emu.control.setFaults({ latencyPerKbMs: 4 });
      const [sized] = await Promise.all([get('/contacts/v3?limit=20'), busyFor(30)]);
      expect(sized.tookMs).toBeCloseTo(120 + (4 * Buffer.byteLength(sized.text)) / 1024, 6);
      await later;
      expect(clock.now()).toBe(10_000);
    } finally {
      await emu.stop();
      clock.stop();
    }
  });
});
