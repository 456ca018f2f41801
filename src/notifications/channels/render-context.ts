import { currentPresence } from '../../app/absences.js';
import { listConflicts } from '../../app/list-conflicts.js';
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
}

/** The change as it is now, its round's decisions, who is away now, and what its window collides with now. */
export async function loadChange(
  deps: Pick<DeliveryDeps, 'store' | 'policy' | 'clock'>,
  id: number | null,
): Promise<
  { change: Change; decisions: Decision[]; presence: Presence; conflicts: Conflicts } | undefined
> {
  if (id === null) return undefined;
  const repos = deps.store.read;
  const change = await repos.changes.find(id);
  if (!change) return undefined;
  const [decisions, presence, conflicts] = await Promise.all([
    repos.changes.listDecisions(id, change.round),
    currentPresence(repos, deps.policy, deps.clock.now()),
    listConflicts(repos, deps.policy, change),
  ]);
  return { change, decisions, presence, conflicts };
}
