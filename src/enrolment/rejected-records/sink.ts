/**
 * Where rejected records go. A sink takes records without blocking and makes them durable when asked;
 * a state is echoed only after the sink says the rejected records before it are durable (see
 * durable-release.ts), so a rejection the orchestrator counts is one a user can find.
 */
import type { RejectedRecord } from '../rejections.js';

export interface RejectionSink {
  /** Takes one rejected record; never blocks (see backpressure()). */
  add(rejected: RejectedRecord): void;
  /**
   * Makes everything added so far durable if that can be done at once, and says whether it is: true lets
   * a state go out without waiting. A sink that must wait for a remote store returns false.
   */
  flushNow(): boolean;
  /** Resolves once everything added before the call is durable; rejects when it cannot be made so. */
  flush(): Promise<void>;
  /** A promise to await before taking more input while the sink is behind, or null when it is not. */
  backpressure(): Promise<void> | null;
  /** Flushes and lets go of files and connections. */
  close(): Promise<void>;
}

export class DiscardingSink implements RejectionSink {
  add(): void {}
  flushNow(): boolean {
    return true;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  backpressure(): null {
    return null;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Both the local file and object storage, when a self-hosted run asks for both. */
export class TeeSink implements RejectionSink {
  constructor(private readonly sinks: readonly RejectionSink[]) {}

  add(rejected: RejectedRecord): void {
    for (const sink of this.sinks) sink.add(rejected);
  }

  flushNow(): boolean {
    let durable = true;
    for (const sink of this.sinks) durable = sink.flushNow() && durable;
    return durable;
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.flush()));
  }

  backpressure(): Promise<void> | null {
    const waits = this.sinks.map((sink) => sink.backpressure()).filter((wait) => wait !== null);
    return waits.length === 0 ? null : Promise.all(waits).then(() => undefined);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.close()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
