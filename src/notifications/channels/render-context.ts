import { currentPresence } from '../../app/absences.js';
import { listConflicts } from '../../app/list-conflicts.js';
import type { PresenceCache } from '../../app/presence-cache.js';
import type { Store } from '../../app/ports.js';
import type { Presence } from '../../domain/absence.js';
import type { Change, Decision } from '../../domain/change.js';
import type { Conflicts } from '../../domain/conflicts.js';
import type { Policy } from '../../domain/policy.js';
import type { Clock } from '../../shared/clock.js';
import type { OutboundClient } from '../../shared/outbound-http.js';
import type { DemoInbox } from '../demo-inbox.js';

/** What deliverers need to render a message as the change is now and to send it. */
export interface DeliveryDeps {
  readonly policy: Policy;
  /** Reads the change as it is now; the e-mail deliverer also mints links as it sends. */
  readonly store: Pick<Store, 'read' | 'direct'>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly http: OutboundClient;
  /** Demo mode: every message is kept here, and a channel without a URL counts as delivered. */
  readonly inbox?: DemoInbox;
  /**
   * Who is away, as the board shows it (app/presence-cache.ts): a chat card shows it
   * and decides nothing by it. Without it, and for e-mail, it is read as stored now.
   */
  readonly presenceCache?: PresenceCache;
}

/**
 * The change as it is now, its round's decisions, who is away now, and what its
 * window collides with now. Who is away comes from `presenceCache` when given.
 */
export async function loadChange(
  deps: Pick<DeliveryDeps, 'store' | 'policy' | 'clock' | 'presenceCache'>,
  id: number | null,
): Promise<
  { change: Change; decisions: Decision[]; presence: Presence; conflicts: Conflicts } | undefined
> {
  if (id === null) return undefined;
  const repos = deps.store.read;
  const found = await repos.changes.findWithDecisions(id);
  if (!found) return undefined;
  const { change, decisions } = found;
  const [presence, conflicts] = await Promise.all([
    deps.presenceCache
      ? deps.presenceCache.presence(repos, deps.policy)
      : currentPresence(repos, deps.policy, deps.clock.now()),
    listConflicts(repos, deps.policy, change),
  ]);
  return { change, decisions, presence, conflicts };
}
