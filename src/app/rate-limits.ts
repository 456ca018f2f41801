import type { Clock } from '../shared/clock.js';
import type { Store } from './ports.js';

/**
 * Counts one request against `key` in a fixed window of `windowMs`, in the
 * database, so that a limit holds for every process together; returns the count
 * so far in the window and the milliseconds left of it.
 */
export async function countRequest(
  deps: { readonly store: Store; readonly clock: Clock },
  key: string,
  windowMs: number,
): Promise<{ current: number; ttl: number }> {
  const now = deps.clock.now().getTime();
  const { count, windowStartMs } = await deps.store.transaction((tx) =>
    tx.rateLimits.hit(key, windowMs, now),
  );
  return { current: count, ttl: windowStartMs + windowMs - now };
}
