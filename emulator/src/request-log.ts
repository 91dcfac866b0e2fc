/** A bounded ring buffer of recent API calls, plus counters per endpoint and status that are never trimmed. */
export interface LoggedRequest {
  seq: number;
  /** Emulated time the call arrived. */
  at: string;
  method: string;
  path: string;
  region: string;
  endpoint: string;
  apiUser?: string;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  fault?: string;
  durationMs: number;
}

export class RequestLog {
  private buffer: LoggedRequest[] = [];
  private next = 0;
  private seq = 0;
  private readonly counters = new Map<string, Map<number, number>>();
  private servingCpuMicros = 0;

  constructor(private capacity: number) {}

  /**
   * Runs the synchronous part of answering a call (parsing, the handler, writing the answer) and counts
   * its CPU time: an in-process benchmark subtracts it from its own, since the real service's work is
   * not the connector's (the injected latency stands in for it).
   */
  serving<T>(work: () => T): T {
    const before = process.cpuUsage();
    try {
      return work();
    } finally {
      const spent = process.cpuUsage(before);
      this.servingCpuMicros += spent.user + spent.system;
    }
  }

  /** CPU milliseconds spent in `serving` since the log was cleared. */
  servingCpuMs(): number {
    return this.servingCpuMicros / 1000;
  }

  record(entry: Omit<LoggedRequest, 'seq'>): void {
    const full = { ...entry, seq: ++this.seq };
    if (this.buffer.length < this.capacity) this.buffer.push(full);
    else this.buffer[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    let byStatus = this.counters.get(entry.endpoint);
    if (!byStatus) this.counters.set(entry.endpoint, (byStatus = new Map()));
    byStatus.set(entry.status, (byStatus.get(entry.status) ?? 0) + 1);
  }

  /** Oldest first. */
  recent(limit = this.capacity): LoggedRequest[] {
    const ordered =
      this.buffer.length < this.capacity
        ? this.buffer
        : [...this.buffer.slice(this.next), ...this.buffer.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  counts(): { total: number; byEndpoint: Record<string, Record<string, number>> } {
    const byEndpoint: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const [endpoint, byStatus] of this.counters) {
      const row: Record<string, number> = {};
      for (const [status, n] of byStatus) {
        row[String(status)] = n;
        total += n;
      }
      byEndpoint[endpoint] = row;
    }
    return { total, byEndpoint };
  }

  clear(capacity = this.capacity): void {
    this.capacity = Math.max(1, capacity);
    this.buffer = [];
    this.next = 0;
    this.counters.clear();
    this.servingCpuMicros = 0;
  }
}
