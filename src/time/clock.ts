/**
 * Time as the connector sees it. Every wait (retries, polling, the allowance) goes through here so tests
 * can run the hour-long allowance window on an emulator whose clock runs faster than real time, and so
 * every wait can be cut short by the sync being stopped (SIGTERM aborts the signal).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => abortableDelay(ms, signal),
};

/** A clock that runs `scale` times faster than real time, anchored at `start` (e.g. an emulator's). */
export function scaledClock(scale: number, start: number = Date.now()): Clock {
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) * scale,
    sleep: (ms, signal) => abortableDelay(ms / scale, signal),
  };
}

/** The one delay of the connector: a timer that the signal cuts short (rejecting with its reason). */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
