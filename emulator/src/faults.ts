/**
 * Decides, per API call, whether to inject a fault: queued faults first (deterministic, for tests that
 * need "the next enrolment call fails"), then random ones.
 *
 * A random fault is a function of (seed, the request, how many times that same request was seen before),
 * not of a generator shared by every call: a client's calls interleave differently from run to run (its
 * concurrency, its backoff jitter, the machine's load), and a shared sequence would hand the faults to
 * different calls each time. Drawn per request, a seed replays: the n-th `GET /contacts/v3/email/x` gets
 * the same fault in every run.
 */
import { createRng, hashToUnit } from './rng.js';
import type { FaultSettings } from './settings.js';

/** Occurrence counters by request hash; collisions only merge two requests' counts, still deterministically. */
const OCCURRENCE_SLOTS = 1 << 16;

/** FNV-1a, 32-bit: a stable hash of the request key. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'status'; status: number; code?: string; delayMs: number }
  | { kind: 'rateLimit'; delayMs: number }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'dropMidResponse'; delayMs: number };

export class FaultInjector {
  private occurrences = new Uint32Array(OCCURRENCE_SLOTS);
  private seededWith: number;

  constructor(private readonly faults: FaultSettings) {
    this.seededWith = faults.seed;
  }

  /** Restarts the fault sequence (a new seed, or the same one again), so a test can replay a run. */
  reseed(): void {
    this.seededWith = this.faults.seed;
    this.occurrences.fill(0);
  }

  /** Real milliseconds moving `bytes` of request and response body takes (`latencyPerKbMs`). */
  transferDelayMs(bytes: number): number {
    return (this.faults.latencyPerKbMs * bytes) / 1024;
  }

  /**
   * `requestKey` names the request as the client sent it (method, path with region, query), so repeats of
   * one request are told apart from other requests to the same endpoint.
   */
  decide(endpoint: string, requestKey: string = endpoint): FaultDecision {
    const f = this.faults;
    if (f.seed !== this.seededWith) this.reseed();
    let delayMs = f.latencyMs;
    const queued = f.queue.findIndex((q) => !q.endpoint || q.endpoint === endpoint);
    if (queued >= 0) {
      const q = f.queue.splice(queued, 1)[0]!;
      if (q.kind === 'status') {
        const decision: FaultDecision = { kind: 'status', status: q.status ?? f.errorStatus, delayMs };
        if (q.code) decision.code = q.code;
        return decision;
      }
      return { kind: q.kind, delayMs };
    }
    if (f.endpoints.length > 0 && !f.endpoints.includes(endpoint)) return { kind: 'none', delayMs };
    const keyHash = hashKey(requestKey);
    const slot = keyHash & (OCCURRENCE_SLOTS - 1);
    const occurrence = this.occurrences[slot]!;
    this.occurrences[slot] = occurrence + 1;
    const rng = createRng(Math.floor(hashToUnit(f.seed ^ keyHash, occurrence) * 2 ** 32));
    if (f.latencySpikeRate > 0 && rng() < f.latencySpikeRate) delayMs += f.latencySpikeMs;
    if (f.dropRate > 0 && rng() < f.dropRate) return { kind: 'drop', delayMs };
    if (f.errorRate > 0 && rng() < f.errorRate) return { kind: 'status', status: f.errorStatus, delayMs };
    if (f.rateLimitRate > 0 && rng() < f.rateLimitRate) return { kind: 'rateLimit', delayMs };
    if (f.dropMidResponseRate > 0 && rng() < f.dropMidResponseRate)
      return { kind: 'dropMidResponse', delayMs };
    return { kind: 'none', delayMs };
  }
}
