const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Turns SIGTERM/SIGINT into an AbortSignal, so a command can stop cleanly (echo the states that are
 * true, then fail with a retryable error) instead of dying mid-write. A second signal means the
 * orchestrator will not wait any longer: exit at once with the conventional 128 + signal number.
 */
export function installShutdownSignals(): AbortSignal {
  const controller = new AbortController();
  for (const name of Object.keys(SIGNAL_NUMBERS) as (keyof typeof SIGNAL_NUMBERS)[]) {
    process.on(name, () => {
      if (controller.signal.aborted) process.exit(128 + SIGNAL_NUMBERS[name]);
      controller.abort(new Error(`received ${name}`));
    });
  }
  return controller.signal;
}
