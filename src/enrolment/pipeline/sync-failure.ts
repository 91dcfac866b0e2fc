/**
 * The first error that stops the sync. Every stage checks it before starting new work, and waits for
 * ordinary work race `failed` so a failure takes the shutdown path at once instead of behind them.
 */
export class SyncFailure {
  /** The first error; undefined while the sync is healthy. */
  error: unknown = undefined;
  /** Resolves when the sync fails. */
  readonly failed: Promise<void>;
  private markFailed: () => void = () => undefined;

  /** `onFail` runs once, on the first failure: it stops whatever could keep the sync from ending. */
  constructor(private readonly onFail: () => void) {
    this.failed = new Promise<void>((resolve) => (this.markFailed = resolve));
  }

  fail(error: unknown): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.markFailed();
    this.onFail();
  }
}
