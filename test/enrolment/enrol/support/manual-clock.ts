import type { Clock } from '../../../../src/time/clock.js';

/** A clock that only moves when something sleeps on it, recording each sleep. */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private current: number = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
