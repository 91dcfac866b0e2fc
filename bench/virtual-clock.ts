/**
 * A discrete-event clock for the in-process benchmarks (issue 14). Its time stands still while the
 * process works and jumps to the next due timer once the process is idle, so the time it shows is
 * the sum of the waits a real sync has (latency, rate-tier pauses, processing, the allowance) however
 * loaded the machine is. The CPU the process spends is not in it: the report measures that apart and
 * adds it at 1×, as a real sync pays its own CPU at real speed.
 *
 * It is both the emulator's time source (startEmulator's `time`) and the connector's Clock, so the two
 * sides share one timeline.
 *
 * Idle is read from the event loop: every benchmark socket is loopback inside this process, so data a
 * side writes is readable by the other before the loop next blocks. A loop that spent QUIET_POLLS
 * consecutive short polls blocked in its event wait (eventLoopUtilization: next to no active time)
 * has nothing left to do but wait for a timer of this clock.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { TimeSource } from '../emulator/src/index.js';
import type { Clock } from '../src/time/clock.js';

/** Real milliseconds between idle checks. */
const POLL_MS = 1;
/** Consecutive quiet polls before time jumps (one could catch the loop between two callbacks). */
const QUIET_POLLS = 2;
/** Event-loop active time in one poll interval below which it counts as quiet (the poll itself costs µs). */
const QUIET_ACTIVE_MS = 0.2;

interface Timer {
  id: number;
  dueAt: number;
  fn: () => void;
}

export class VirtualClock implements Clock, TimeSource {
  private current: number;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;
  private poller: NodeJS.Timeout | undefined;
  private quiet = 0;
  private lastLoop: EventLoopUtilization = performance.eventLoopUtilization();
  private jumpCount = 0;

  constructor(startAt: number = Date.now()) {
    this.current = startAt;
  }

  now(): number {
    return this.current;
  }

  /** How many times time jumped (each one an idle check that found the process waiting). */
  get jumps(): number {
    return this.jumpCount;
  }

  after(ms: number, fn: () => void): () => void {
    if (!(ms > 0)) {
      // Nothing to wait for: run after the current work, as a zero timeout would, without a jump.
      const immediate = setImmediate(fn);
      return () => clearImmediate(immediate);
    }
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + ms, fn });
    this.arm();
    return () => {
      this.timers.delete(id);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Drops every pending timer (the benchmark is over). */
  stop(): void {
    this.timers.clear();
    if (this.poller) clearTimeout(this.poller);
    this.poller = undefined;
  }

  private arm(): void {
    if (this.poller || this.timers.size === 0) return;
    // Kept referenced: a pending timer of this clock is work the process still has to do.
    this.poller = setTimeout(() => this.poll(), POLL_MS);
  }

  private poll(): void {
    this.poller = undefined;
    const loop = performance.eventLoopUtilization(this.lastLoop);
    this.lastLoop = performance.eventLoopUtilization();
    this.quiet = loop.active < QUIET_ACTIVE_MS ? this.quiet + 1 : 0;
    if (this.quiet >= QUIET_POLLS && this.timers.size > 0) {
      this.quiet = 0;
      this.jump();
    }
    this.arm();
  }

  /** Moves to the earliest due time and runs every timer due then, in the order they were set. */
  private jump(): void {
    let earliest = Infinity;
    for (const timer of this.timers.values()) earliest = Math.min(earliest, timer.dueAt);
    this.current = Math.max(this.current, earliest);
    this.jumpCount++;
    const due = [...this.timers.values()]
      .filter((timer) => timer.dueAt <= this.current)
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    for (const timer of due) {
      this.timers.delete(timer.id);
      timer.fn();
    }
  }
}
