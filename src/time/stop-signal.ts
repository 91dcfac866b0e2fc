import { setMaxListeners } from 'node:events';

/**
 * The stop signal as the many waits of one sync listen to it. Node prints MaxListenersExceededWarning on
 * stderr once more than ten listeners are on one signal, and a busy sync has more than ten requests in
 * flight, rate-limit pauses, retry pauses and polls waiting at once, each listening for the stop. They
 * listen to this signal instead, which has no such limit; one listener on the caller's signal feeds it,
 * and release() takes that one off again. Each wait still removes its own listener when it ends
 * (abortableDelay in clock.ts), so nothing piles up here either.
 */
export interface SharedStopSignal {
  readonly signal: AbortSignal;
  /** Detaches from the caller's signal; this one then never aborts. Idempotent. */
  release(): void;
}

export function shareStopSignal(outer: AbortSignal): SharedStopSignal {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const forward = (): void => inner.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  return { signal: inner.signal, release: () => outer.removeEventListener('abort', forward) };
}
