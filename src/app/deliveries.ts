import { AppError } from '../domain/errors.js';
import type { Person } from '../domain/policy.js';
import type { AppDeps } from './deps.js';
import type { OutboxMessage, OutboxStatus } from './ports.js';

function assertAdmin(actor: Person): void {
  if (!actor.admin) throw new AppError('forbidden', 'only admins may see and manage deliveries');
}

export async function listDeliveries(
  deps: AppDeps,
  actor: Person,
  filter: { statuses?: readonly OutboxStatus[]; changeId?: number; limit: number },
): Promise<{ items: OutboxMessage[]; counts: Record<OutboxStatus, number> }> {
  assertAdmin(actor);
  const [items, counts] = await Promise.all([
    deps.store.read.outbox.list(filter),
    deps.store.read.outbox.countByStatus(),
  ]);
  return { items, counts };
}

/** Puts a failed or dead delivery back in the queue, due now, with a fresh attempt count. */
export async function retryDelivery(
  deps: AppDeps,
  actor: Person | 'local-admin',
  id: string,
): Promise<OutboxMessage> {
  if (actor !== 'local-admin') assertAdmin(actor);
  const message = await deps.store.read.outbox.find(id);
  if (!message) throw new AppError('not_found', `no delivery ${id}`);
  if (!(await deps.store.direct.outbox.retry(id, deps.clock.now().toISOString()))) {
    throw new AppError(
      'invalid_state',
      `delivery ${id} is ${message.status}; only failed and dead deliveries can be retried`,
    );
  }
  return (await deps.store.read.outbox.find(id))!;
}
