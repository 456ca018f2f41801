import type { Clock } from '../shared/clock.js';

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
export class CredentialCache<T> {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { value: T; until: number }>();

  constructor(clock: Clock, options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#clock = clock;
    this.#ttlMs = options.ttlMs ?? CREDENTIAL_TTL_MS;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** The stored credential, from memory while fresh, else from `load` (and remembered if found). */
  async get(digest: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = this.#clock.now().getTime();
    const entry = this.#entries.get(digest);
    if (entry && entry.until > now) return entry.value;
    if (entry) this.#entries.delete(digest);
    const value = await load();
    if (value) this.#remember(digest, value, now);
    return value;
  }

  /** After a write to the credential (say, "last used"): keep what the database now holds. */
  update(digest: string, value: T): void {
    const entry = this.#entries.get(digest);
    if (entry) entry.value = value;
  }

  forget(digest: string): void {
    this.#entries.delete(digest);
  }

  forgetWhere(matches: (value: T) => boolean): void {
    for (const [digest, { value }] of this.#entries)
      if (matches(value)) this.#entries.delete(digest);
  }

  #remember(digest: string, value: T, now: number): void {
    // Oldest first: Map keeps insertion order.
    if (this.#entries.size >= this.#maxEntries)
      this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(digest, { value, until: now + this.#ttlMs });
  }
}

/** How long a credential ended elsewhere may still be accepted here. */
export const CREDENTIAL_TTL_MS = 5_000;
