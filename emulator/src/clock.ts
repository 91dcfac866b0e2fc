/**
 * The emulator's clock. Emulated time runs `timeScale` times faster than real time and can be pushed
 * forward by hand, so hour-long limits and multi-day program rules can be exercised in seconds.
 * Every time-dependent rule (rate windows, the enrolment allowance, processing delays, journeys)
 * reads this clock and schedules through it, never through Date.now() or setTimeout directly.
 */
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
  private realTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: { timeScale?: number; startAt?: number } = {}) {
    this.scale = validScale(options.timeScale ?? 1);
    this.realAnchor = Date.now();
    this.emulatedAnchor = options.startAt ?? this.realAnchor;
  }

  get timeScale(): number {
    return this.scale;
  }

  now(): number {
    return this.emulatedAnchor + (Date.now() - this.realAnchor) * this.scale;
  }

  setTimeScale(scale: number): void {
    const current = this.now();
    this.scale = validScale(scale);
    this.realAnchor = Date.now();
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
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  private reschedule(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    if (this.stopped || this.timers.size === 0) return;
    let earliest = Infinity;
    for (const timer of this.timers.values()) earliest = Math.min(earliest, timer.dueAt);
    const realDelay = Math.max(0, Math.ceil((earliest - this.now()) / this.scale));
    // Node caps timer delays at 2^31-1 ms; a longer wait is simply re-armed when it fires.
    this.realTimer = setTimeout(() => this.fireDue(), Math.min(realDelay, 2_000_000_000));
    this.realTimer.unref();
  }

  private fireDue(): void {
    this.realTimer = undefined;
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
