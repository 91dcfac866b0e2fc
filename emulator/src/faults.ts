/**
 * Decides, per API call, whether to inject a fault: queued faults first (deterministic, for tests that
 * need "the next enrolment call fails"), then random ones drawn from a seeded generator so a run with
 * the same settings and the same sequence of calls injects the same faults.
 */
import { createRng, type Rng } from './rng.js';
import type { FaultSettings } from './settings.js';

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'status'; status: number; delayMs: number }
  | { kind: 'rateLimit'; delayMs: number }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'dropMidResponse'; delayMs: number };

export class FaultInjector {
  private rng: Rng;
  private seededWith: number;

  constructor(private readonly faults: FaultSettings) {
    this.seededWith = faults.seed;
    this.rng = createRng(faults.seed);
  }

  /** Re-seeds when the seed setting changed, so a test can restart the same fault sequence. */
  reseed(): void {
    this.seededWith = this.faults.seed;
    this.rng = createRng(this.faults.seed);
  }

  decide(endpoint: string): FaultDecision {
    const f = this.faults;
    if (f.seed !== this.seededWith) this.reseed();
    let delayMs = f.latencyMs;
    const queued = f.queue.findIndex((q) => !q.endpoint || q.endpoint === endpoint);
    if (queued >= 0) {
      const q = f.queue.splice(queued, 1)[0]!;
      if (q.kind === 'status') return { kind: 'status', status: q.status ?? f.errorStatus, delayMs };
      return { kind: q.kind, delayMs };
    }
    if (f.endpoints.length > 0 && !f.endpoints.includes(endpoint)) return { kind: 'none', delayMs };
    if (f.latencySpikeRate > 0 && this.rng() < f.latencySpikeRate) delayMs += f.latencySpikeMs;
    if (f.dropRate > 0 && this.rng() < f.dropRate) return { kind: 'drop', delayMs };
    if (f.errorRate > 0 && this.rng() < f.errorRate)
      return { kind: 'status', status: f.errorStatus, delayMs };
    if (f.rateLimitRate > 0 && this.rng() < f.rateLimitRate) return { kind: 'rateLimit', delayMs };
    if (f.dropMidResponseRate > 0 && this.rng() < f.dropMidResponseRate)
      return { kind: 'dropMidResponse', delayMs };
    return { kind: 'none', delayMs };
  }
}
