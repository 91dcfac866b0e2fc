import type { Clock } from '../../time/clock.js';

/**
 * Time during which at least one caller was waiting, measured on a clock. Several enrolments are
 * confirmed at once; summing their waits would report more waiting than the sync's own duration.
 */
export class WaitSpan {
  private active = 0;
  private since = 0;
  private total = 0;

  constructor(private readonly clock: Clock) {}

  /** A clock whose sleeps count towards this span. */
  measuring(): Clock {
    return {
      now: () => this.clock.now(),
      sleep: async (ms, signal) => {
        this.enter();
        try {
          await this.clock.sleep(ms, signal);
        } finally {
          this.leave();
        }
      },
    };
  }

  totalMs(): number {
    return this.total + (this.active > 0 ? this.clock.now() - this.since : 0);
  }

  private enter(): void {
    if (this.active++ === 0) this.since = this.clock.now();
  }

  private leave(): void {
    if (--this.active === 0) this.total += this.clock.now() - this.since;
  }
}
