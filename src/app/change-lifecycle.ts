import type { Actor } from '../domain/authorization.js';
import { earlyStartAllowances, openGroups } from '../domain/approval.js';
import { formatChangeId, type Change } from '../domain/change.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import { AppError } from '../domain/errors.js';
import type { EventType } from '../domain/events.js';
import { freezesBlockingAt } from '../domain/freezes.js';
import { LIFECYCLE_TARGET, type LifecycleAction } from '../domain/lifecycle.js';
import { assertReviewed, reviewAfter } from '../domain/reviews.js';
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
    ({ change, evaluation, decisions }, now) => {
      if (action === 'start') assertNotFrozen(deps, change, new Date(now));
      if (action === 'verify') {
        assertNoApprovalOpen(deps, change, evaluation);
        assertReviewed(change);
      }
      const review =
        action === 'complete' || action === 'fail'
          ? reviewAfter(deps.policy, change, action, decisions, now)
          : change.review;
      return {
        change: { ...change, state: LIFECYCLE_TARGET[action], ...(review && { review }) },
        events: [
          {
            changeId: id,
            type: EVENT_FOR[action],
            actor: actor.id,
            data: {
              comment: input.comment?.trim() || null,
              from: change.state,
              ...(review && review !== change.review && { reviewDue: review.due }),
            },
          },
        ],
      };
    },
    within,
  );
}

/** A change started early is verified only once every approval it needs is in (PRODUCT.md, "early start"). */
function assertNoApprovalOpen(deps: AppDeps, change: Change, evaluation: ApprovalEvaluation): void {
  if (!earlyStartAllowances(deps.policy, change, evaluation).approvalsOpen) return;
  const open = openGroups(evaluation);
  throw new AppError(
    'invalid_state',
    `cannot verify ${formatChangeId(change.id)} yet: it was started early and still waits for ${open.join(', ')}; it can be verified once every approval is in`,
    open.map((group) => ({ path: 'requirements', message: `${group} has not approved yet` })),
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
