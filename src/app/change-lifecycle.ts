import { authorize, type Actor } from '../domain/authorization.js';
import type { Change } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { EventType } from '../domain/events.js';
import { freezesBlockingAt } from '../domain/freezes.js';
import { assertCanPerform, LIFECYCLE_TARGET, type LifecycleAction } from '../domain/lifecycle.js';
import {
  assertVersion,
  evaluateChange,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';
import type { Transaction } from './ports.js';

const EVENT_FOR: Record<LifecycleAction, EventType> = {
  withdraw: 'withdrawn',
  start: 'started',
  complete: 'completed',
  fail: 'failed',
  verify: 'verified',
};

/**
 * withdraw, start, complete, fail, verify: the moves after (or instead of) approval.
 * `within`: a transaction the caller holds (a GitHub delivery records itself and its effects in one).
 */
export async function moveChange(
  deps: AppDeps,
  actor: Actor,
  id: number,
  action: LifecycleAction,
  input: { comment?: string; version?: number } = {},
  within?: Transaction,
): Promise<Change> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const work = async (tx: Transaction): Promise<Change> => {
    const change = await getChangeForUpdate(tx, id);
    const decisions = await tx.changes.listDecisions(change.id, change.round);
    const approvers = decisions.filter((d) => d.verdict === 'approve').map((d) => d.person);
    authorize(actor, action, {
      change,
      decisions,
      evaluation: evaluateChange(deps.policy, change, decisions),
      approvers,
    });
    assertCanPerform(change.state, action);
    assertVersion(change, input.version);

    if (action === 'start') {
      const [freeze] = freezesBlockingAt(deps.policy, change, now);
      if (freeze) {
        throw new AppError(
          'change_frozen',
          `"${freeze.name}" is in force until ${freeze.to.toISOString()}; only ${freeze.allow.join(', ') || 'no'} changes may start`,
          [
            {
              path: 'type',
              message: `${change.type} changes may not start during "${freeze.name}"`,
            },
          ],
        );
      }
    }
    const next: Change = {
      ...change,
      state: LIFECYCLE_TARGET[action],
      version: change.version + 1,
      updatedAt: at,
    };
    await saveChange(tx, next, change);
    const comment = input.comment?.trim() || null;
    await recordEvents(
      tx,
      deps,
      next,
      [
        {
          changeId: id,
          type: EVENT_FOR[action],
          actor: actor.id,
          data: { comment, from: change.state },
        },
      ],
      at,
    );
    return next;
  };
  return within ? work(within) : deps.store.transaction(work);
}
