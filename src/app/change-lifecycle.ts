import type { Actor } from '../domain/authorization.js';
import type { Change } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { EventType } from '../domain/events.js';
import { freezesBlockingAt } from '../domain/freezes.js';
import { LIFECYCLE_TARGET, type LifecycleAction } from '../domain/lifecycle.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';
import type { ChangeTransaction } from './ports.js';

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
export function moveChange(
  deps: AppDeps,
  actor: Actor,
  id: number,
  action: LifecycleAction,
  input: { comment?: string; version?: number } = {},
  within?: ChangeTransaction,
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action, version: input.version },
    ({ change }, now) => {
      if (action === 'start') assertNotFrozen(deps, change, new Date(now));
      return {
        change: { ...change, state: LIFECYCLE_TARGET[action] },
        events: [
          {
            changeId: id,
            type: EVENT_FOR[action],
            actor: actor.id,
            data: { comment: input.comment?.trim() || null, from: change.state },
          },
        ],
      };
    },
    within,
  );
}

/** A change may not start inside a freeze that does not allow its type. */
function assertNotFrozen(deps: AppDeps, change: Change, now: Date): void {
  const [freeze] = freezesBlockingAt(deps.policy, change, now);
  if (!freeze) return;
  throw new AppError(
    'change_frozen',
    `"${freeze.name}" is in force until ${freeze.to.toISOString()}; only ${freeze.allow.join(', ') || 'no'} changes may start`,
    [{ path: 'type', message: `${change.type} changes may not start during "${freeze.name}"` }],
  );
}
