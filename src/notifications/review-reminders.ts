import { randomUUID } from 'node:crypto';
import type { Metrics, ReviewNudgeKind, Store } from '../app/ports.js';
import type { Change } from '../domain/change.js';
import type { Policy } from '../domain/policy.js';
import { isReviewPending } from '../domain/reviews.js';
import type { Clock } from '../shared/clock.js';
import { planReviewNudge } from './plan.js';
import { nudgeOnce } from './reminders.js';

const PAGE = 200;

/**
 * Overdue post-implementation reviews are reminded like approvals: the
 * requester hears once the review is past due, and the type's escalation group
 * (`escalateTo`) once it is `escalateAfter` past due. As with approval nudges
 * (reminders.ts), the database answers "which are due and not yet nudged", and
 * each nudge is claimed in the transaction that writes its outbox rows, so two
 * processes never both send it.
 */
export function reviewReminderScheduler(deps: {
  store: Store;
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
  intervalMs?: number;
  metrics?: Pick<Metrics, 'nudgeSent'>;
}): () => Promise<void> {
  // Worked out per round: a policy applied since may escalate differently.
  const escalationsOf = (policy: Policy) =>
    [...policy.changeTypes.values()].flatMap((type) =>
      type.escalateTo !== undefined && type.escalateAfterMs !== undefined
        ? [{ type: type.id, afterMs: type.escalateAfterMs }]
        : [],
    );
  const intervalMs = deps.intervalMs ?? 30_000;
  let lastRun = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = deps.clock.now();
    if (now.getTime() - lastRun < intervalMs) return;
    lastRun = now.getTime();
    await nudgeDue(deps, 'review-reminder', now.toISOString(), undefined, now);
    for (const { type, afterMs } of escalationsOf(deps.policy))
      await nudgeDue(
        deps,
        'review-escalation',
        new Date(now.getTime() - afterMs).toISOString(),
        type,
        now,
      );
  };
}

interface NudgeDeps {
  store: Store;
  policy: Policy;
  emailEnabled: boolean;
  metrics?: Pick<Metrics, 'nudgeSent'>;
}

async function nudgeDue(
  deps: NudgeDeps,
  kind: ReviewNudgeKind,
  dueBefore: string,
  type: string | undefined,
  now: Date,
): Promise<void> {
  for (;;) {
    const due = await deps.store.read.changes.listReviewsDue({
      kind,
      dueBefore,
      limit: PAGE,
      ...(type !== undefined && { type }),
    });
    for (const change of due) await nudge(deps, change, kind, now);
    if (due.length < PAGE) return;
  }
}

async function nudge(
  deps: NudgeDeps,
  change: Change,
  kind: ReviewNudgeKind,
  now: Date,
): Promise<void> {
  const ctx = { policy: deps.policy, now, emailEnabled: deps.emailEnabled, newId: randomUUID };
  const sent = await nudgeOnce(
    deps.store,
    deps.policy,
    change,
    kind,
    now,
    (_tx, current, presence) =>
      Promise.resolve(
        isReviewPending(current) ? planReviewNudge({ ...ctx, presence }, current, kind) : [],
      ),
  );
  if (sent) deps.metrics?.nudgeSent(kind);
}
