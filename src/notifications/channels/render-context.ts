import type { Repositories } from '../../app/ports.js';
import type { Change, Decision } from '../../domain/change.js';
import type { Policy } from '../../domain/policy.js';
import type { Clock } from '../../shared/clock.js';
import type { OutboundClient } from '../../shared/outbound-http.js';

/** What deliverers need to render a message as the change is now and to send it. */
export interface DeliveryDeps {
  readonly policy: Policy;
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly http: OutboundClient;
}

export async function loadChange(
  repos: Repositories,
  id: number | null,
): Promise<{ change: Change; decisions: Decision[] } | undefined> {
  if (id === null) return undefined;
  const change = await repos.changes.find(id);
  if (!change) return undefined;
  return { change, decisions: await repos.changes.listDecisions(id, change.round) };
}
