import type { Clock } from '../shared/clock.js';
import { RecentlyUsed } from '../shared/recently-used.js';

/**
 * Credentials this process checked in the last few seconds, by the digest of
 * their secret. Every API request proves who it is, and looking its token or
 * session up is a database round trip: on PostgreSQL as costly as the board
 * query the request came for. Clients send requests in bursts (a board loads
 * its columns together, a pipeline polls the gate), so most lookups repeat.
 *
 * Only what was found is kept; a token created a moment ago, by the CLI or by
 * another process, works at once. A credential ended in this process is
 * forgotten at once (`forget`); one ended elsewhere (`token revoke`, a
 * sign-out served by another process) stops working within `ttlMs`.
 */
export class CredentialCache<T extends object> {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #entries: RecentlyUsed<string, { value: T; at: number }>;
  /** Moves on every `forget`: a lookup that began before one must not bring back what it forgot. */
  #generation = 0;

  constructor(clock: Clock, options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#clock = clock;
    this.#ttlMs = options.ttlMs ?? CREDENTIAL_TTL_MS;
    this.#entries = new RecentlyUsed(options.maxEntries ?? 10_000);
  }

  /** The stored credential, from memory while fresh, else from `load` (and remembered if found). */
  async get(digest: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = this.#clock.now().getTime();
    const entry = this.#entries.get(digest);
    // A clock set back makes an entry look younger than it is: read it again.
    if (entry && now >= entry.at && now < entry.at + this.#ttlMs) return entry.value;
    const generation = this.#generation;
    const value = await load();
    if (value && generation === this.#generation) this.#entries.set(digest, { value, at: now });
    else this.#entries.delete(digest);
    return value;
  }

  /**
   * After a write to the credential (say, "last used"): keep `next` in place of
   * `previous`, unless the entry has been forgotten or reloaded meanwhile.
   */
  update(digest: string, previous: T, next: T): void {
    const entry = this.#entries.get(digest);
    if (entry?.value === previous) entry.value = next;
  }

  forget(digest: string): void {
    this.#generation++;
    this.#entries.delete(digest);
  }

  forgetWhere(matches: (value: T) => boolean): void {
    this.#generation++;
    for (const [digest, { value }] of [...this.#entries.entries()])
      if (matches(value)) this.#entries.delete(digest);
  }
}

/** How long a credential ended elsewhere may still be accepted here. */
export const CREDENTIAL_TTL_MS = 5_000;
