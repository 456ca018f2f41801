import type { PresenceCache } from './presence-cache.js';
import type { Change, Decision } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { Policy } from '../domain/policy.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import type { Clock } from '../shared/clock.js';
import type { AuditEvent, NewEvent } from '../domain/events.js';
import type {
  ChangeTransaction,
  EventSubscriber,
  NewOutboxMessage,
  Readers,
  Store,
  TransactionWith,
} from './ports.js';

/** What every use case receives. Built once by the composition root (src/context.ts). */
export interface AppDeps {
  readonly policy: Policy;
  readonly clock: Clock;
  readonly store: Store;
  readonly subscribers?: readonly EventSubscriber[];
  /** Who is away, kept for the read pages; told of every absence written here. */
  readonly presenceCache?: PresenceCache;
}

/**
 * Appends the events to the audit chain, with the outbox messages the subscribers
 * (notifications, GitHub statuses) plan for them, and has the subscribers told
 * after commit (dispatcher, live board). Every use case records its events
 * through here, as its last write.
 */
export async function recordEvents(
  tx: ChangeTransaction,
  deps: AppDeps,
  change: Change,
  events: readonly NewEvent[],
  at: string,
  /** Where the change's approvals count after the action, when the caller has it. */
  evaluation?: ApprovalEvaluation,
): Promise<AuditEvent[]> {
  const subscribers = deps.subscribers ?? [];
  const stored = await tx.events.append(events, { at, policyHash: deps.policy.hash });
  const messages: NewOutboxMessage[] = [];
  for (const subscriber of subscribers)
    if (subscriber.messagesFor)
      messages.push(...(await subscriber.messagesFor(tx, stored, change, evaluation)));
  tx.events.planMessages(messages, at);
  for (const subscriber of subscribers)
    if (subscriber.afterCommit) tx.afterCommit(() => subscriber.afterCommit?.(stored, change));
  return stored;
}

/**
 * Appends events about people rather than one change (absences) to the audit
 * chain, with the messages the subscribers plan for them.
 */
export async function recordPeopleEvents(
  tx: Readers & TransactionWith<'events'>,
  deps: AppDeps,
  events: readonly NewEvent[],
  at: string,
): Promise<AuditEvent[]> {
  const stored = await tx.events.append(events, { at, policyHash: deps.policy.hash });
  const messages: NewOutboxMessage[] = [];
  for (const subscriber of deps.subscribers ?? [])
    if (subscriber.messagesForPeople)
      messages.push(...(await subscriber.messagesForPeople(tx, stored)));
  tx.events.planMessages(messages, at);
  return stored;
}

/**
 * Loads a change for an action, with its current round's decisions, and locks it
 * until the transaction ends, so concurrent actions queue.
 */
export async function getChangeForUpdate(
  tx: TransactionWith<'changes'>,
  id: number,
): Promise<{ change: Change; decisions: Decision[] }> {
  const found = await tx.changes.findWithDecisions(id, { forUpdate: true });
  if (!found) throw new AppError('not_found', `no change CHG-${id}`);
  return found;
}

export function assertVersion(change: Change, expected: number | undefined): void {
  if (expected !== undefined && expected !== change.version) {
    throw new AppError(
      'stale_version',
      `CHG-${change.id} is at version ${change.version}, but this request was based on version ${expected}; reload it and try again`,
    );
  }
}

/**
 * Writes the change, with the decision it records if any; the version check backs
 * up the row lock, so a lost update can never slip through.
 */
export async function saveChange(
  tx: TransactionWith<'changes'>,
  change: Change,
  previous: Change,
  recorded: { decision?: Decision } = {},
): Promise<void> {
  // Readers keep changes by version (ChangeCache): a write that kept it would go unseen.
  if (change.version !== previous.version + 1)
    throw new Error(`saveChange: CHG-${change.id} must move to version ${previous.version + 1}`);
  if (!(await tx.changes.update(change, previous, recorded))) {
    throw new AppError(
      'stale_version',
      `CHG-${change.id} was changed by someone else meanwhile; reload it and try again`,
    );
  }
}
