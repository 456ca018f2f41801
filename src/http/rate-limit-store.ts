import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Store } from '../app/ports.js';
import { countRequest } from '../app/rate-limits.js';
import type { Clock } from '../shared/clock.js';

/**
 * A store for @fastify/rate-limit that counts in the database (app/rate-limits.ts):
 * with several processes on one PostgreSQL database, a limit holds for all of them
 * together instead of once per process. Keys are the limiter's own (for sign-in
 * e-mails, the requester, and the requester with the address), so a window is one row.
 */
export function databaseRateLimitStore(store: Store, clock: Clock): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
      _max: number,
    ): void {
      countRequest({ store, clock }, key, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return DatabaseRateLimitStore;
}
