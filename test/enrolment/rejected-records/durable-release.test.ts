import { describe, expect, it } from 'vitest';

import { DurableRelease } from '../../../src/enrolment/rejected-records/durable-release.js';
import type { RejectionSink } from '../../../src/enrolment/rejected-records/sink.js';
import type { AirbyteStateMessage } from '../../../src/protocol/messages.js';

/** A sink whose flushes the test completes (or fails) by hand, as a slow object store would. */
class HeldSink implements RejectionSink {
  added = 0;
  durableUpTo = 0;
  readonly flushes: { covers: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  add(): void {
    this.added++;
  }
  flushNow(): boolean {
    return this.added === this.durableUpTo && this.flushes.length === 0;
  }
  flush(): Promise<void> {
    const covers = this.added;
    return new Promise<void>((resolve, reject) => {
      this.flushes.push({
        covers,
        resolve: () => {
          this.durableUpTo = covers;
          this.flushes.splice(this.flushes.indexOf(entry), 1);
          resolve();
        },
        reject,
      });
      const entry = this.flushes.at(-1)!;
    });
  }
  backpressure(): null {
    return null;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const state = (cursor: number): AirbyteStateMessage => ({ type: 'LEGACY', data: { cursor } });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function gate(sink: RejectionSink) {
  const echoed: number[] = [];
  const failures: unknown[] = [];
  const release = new DurableRelease(
    sink,
    (s) => echoed.push((s.data as { cursor: number }).cursor),
    (error) => failures.push(error),
  );
  return { release, echoed, failures };
}

describe('durable release of states', () => {
  it('echoes a state at once when nothing was rejected since the last flush', () => {
    const { release, echoed } = gate(new HeldSink());
    release.release(state(1));
    expect(echoed).toEqual([1]);
  });

  it('holds a state until the rejected records before it are durable, and keeps the order', async () => {
    const sink = new HeldSink();
    const { release, echoed } = gate(sink);
    sink.add();
    release.release(state(1));
    expect(echoed).toEqual([]);
    // A later state waits behind the first, whatever was rejected before it.
    release.release(state(2));
    sink.add();
    release.release(state(3));
    await tick();
    expect(echoed).toEqual([]);
    expect(sink.flushes).toHaveLength(1);
    expect(sink.flushes[0]!.covers).toBe(1);
    sink.flushes[0]!.resolve();
    await tick();
    // States released while a flush runs wait for the next one: the gate cannot tell which of the
    // records added meanwhile they cover, so it never guesses.
    expect(echoed).toEqual([1]);
    expect(sink.flushes).toHaveLength(1);
    expect(sink.flushes[0]!.covers).toBe(2);
    sink.flushes[0]!.resolve();
    await release.drained();
    expect(echoed).toEqual([1, 2, 3]);
    // Durable again: the next state goes out synchronously.
    release.release(state(4));
    expect(echoed).toEqual([1, 2, 3, 4]);
  });

  it('never echoes a state whose rejected records could not be stored, nor any after it', async () => {
    const sink = new HeldSink();
    const { release, echoed, failures } = gate(sink);
    sink.add();
    release.release(state(1));
    await tick();
    sink.flushes[0]!.reject(new Error('bucket gone'));
    await release.drained();
    release.release(state(2));
    await tick();
    expect(echoed).toEqual([]);
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).message).toBe('bucket gone');
  });
});
