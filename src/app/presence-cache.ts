import { presenceAt, type Presence } from '../domain/absence.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { CREDENTIAL_TTL_MS, CredentialCache } from './credential-cache.js';
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
  /** One entry: the list of who is away, with a credential's lifetime and forgetting. */
  readonly #kept: CredentialCache<readonly StoredAbsence[]>;
  readonly #clock: Clock;

  constructor(clock: Clock, ttlMs = CREDENTIAL_TTL_MS) {
    this.#clock = clock;
    this.#kept = new CredentialCache(clock, { ttlMs, maxEntries: 1 });
  }

  async presence(repos: Pick<Readers, 'absences'>, policy: Policy): Promise<Presence> {
    const now = this.#clock.now();
    const absences = await this.#kept.get(ABSENCES, () => repos.absences.list());
    return presenceAt(policy, absences ?? [], now);
  }

  forget(): void {
    this.#kept.forget(ABSENCES);
  }
}

const ABSENCES = 'absences';
