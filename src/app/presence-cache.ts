import { presenceAt, type Presence } from '../domain/absence.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { CREDENTIAL_TTL_MS } from './credential-cache.js';
import type { Readers, StoredAbsence } from './ports.js';

/**
 * Who is away, as the board and a change's page show it. Every such page needs
 * the absences (who stands in for whom), and reading them is a round trip of its
 * own: on PostgreSQL as costly as the page's own query. So the list is kept for
 * a few seconds. An absence set or ended in this process is seen at once
 * (`forget`, when it is written and again when it commits); one set through
 * another process within `ttlMs`, as for credentials. Decisions never read
 * from here: they read who is away inside their own transaction.
 */
export class PresenceCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #kept: { absences: readonly StoredAbsence[]; at: number } | undefined;
  /** Moves on every `forget`: a read that began before one must not bring back what it forgot. */
  #generation = 0;

  constructor(clock: Clock, ttlMs = CREDENTIAL_TTL_MS) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  async presence(repos: Pick<Readers, 'absences'>, policy: Policy): Promise<Presence> {
    const now = this.#clock.now();
    const at = now.getTime();
    let kept = this.#kept;
    // A clock set back makes the list look younger than it is: read it again.
    if (!kept || at < kept.at || at >= kept.at + this.#ttlMs) {
      const generation = this.#generation;
      kept = { absences: await repos.absences.list(), at };
      if (generation === this.#generation) this.#kept = kept;
    }
    return presenceAt(policy, kept.absences, now);
  }

  forget(): void {
    this.#generation++;
    this.#kept = undefined;
  }
}
