/**
 * The emulator's clock. Emulated time runs `timeScale` times faster than real time and can be pushed
 * forward by hand, so hour-long limits and multi-day program rules can be exercised in seconds.
 * Every time-dependent rule (rate windows, the enrolment allowance, processing delays, journeys, the
 * injected latency) reads this clock and schedules through it, never through Date.now() or setTimeout
 * directly.
 */

/**
 * What "real time" is for the clock: the machine's by default. An in-process benchmark passes a
 * discrete-event clock instead, so emulated time passes through the waits only, never through the CPU
 * work of the process it shares with the connector.
 */
export interface TimeSource {
  now(): number;
  /** Calls `fn` once `ms` of this source's time has passed; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** The machine's time; its timers never keep the process alive on their own. */
export const machineTime: TimeSource = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  id: number;
  dueAt: number;
  fn: () => void;
}

export class EmulatorClock {
  private scale: number;
  /** Emulated time at the moment `realAnchor` was taken. */
  private emulatedAnchor: number;
  private realAnchor: number;
  private readonly timers = new Map<number, PendingTimer>();
  private nextTimerId = 1;
  private cancelRealTimer: (() => void) | undefined;
  private stopped = false;
  private readonly source: TimeSource;

  constructor(options: { timeScale?: number; startAt?: number; source?: TimeSource } = {}) {
    this.source = options.source ?? machineTime;
    this.scale = validScale(options.timeScale ?? 1);
    this.realAnchor = this.source.now();
    this.emulatedAnchor = options.startAt ?? this.realAnchor;
  }

  get timeScale(): number {
    return this.scale;
  }

  now(): number {
    return this.emulatedAnchor + (this.source.now() - this.realAnchor) * this.scale;
  }

  setTimeScale(scale: number): void {
    const current = this.now();
    this.scale = validScale(scale);
    this.realAnchor = this.source.now();
    this.emulatedAnchor = current;
    this.reschedule();
  }

  /** Jumps emulated time forward; timers that fall due run on the next tick. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advanceMs must be a non-negative number');
    this.emulatedAnchor += ms;
    this.reschedule();
  }

  /** Real milliseconds a client must wait for `emulatedMs` of emulated time to pass. */
  toRealMs(emulatedMs: number): number {
    return emulatedMs / this.scale;
  }

  /** Resolves after `realMs` of real time (the time source's), e.g. an injected latency. */
  pause(realMs: number): Promise<void> {
    return new Promise((resolve) => this.source.after(realMs, resolve));
  }

  /** Runs `fn` once `delayMs` of emulated time has passed. */
  schedule(delayMs: number, fn: () => void): number {
    const id = this.nextTimerId++;
    this.timers.set(id, { id, dueAt: this.now() + Math.max(0, delayMs), fn });
    this.reschedule();
    return id;
  }

  cancel(id: number): void {
    this.timers.delete(id);
  }

  stop(): void {
    this.stopped = true;
    this.timers.clear();
    this.cancelRealTimer?.();
    this.cancelRealTimer = undefined;
  }

  private reschedule(): void {
    this.cancelRealTimer?.();
    this.cancelRealTimer = undefined;
    if (this.stopped || this.timers.size === 0) return;
    let earliest = Infinity;
    for (const timer of this.timers.values()) earliest = Math.min(earliest, timer.dueAt);
    const realDelay = Math.max(0, Math.ceil((earliest - this.now()) / this.scale));
    // Node caps timer delays at 2^31-1 ms; a longer wait is simply re-armed when it fires.
    this.cancelRealTimer = this.source.after(Math.min(realDelay, 2_000_000_000), () => this.fireDue());
  }

  private fireDue(): void {
    this.cancelRealTimer = undefined;
    const now = this.now();
    const due = [...this.timers.values()].filter((t) => t.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of due) {
      this.timers.delete(timer.id);
      timer.fn();
    }
    this.reschedule();
  }
}

function validScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError('timeScale must be a positive number');
  return scale;
}
