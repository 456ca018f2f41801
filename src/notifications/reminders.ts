import { randomUUID } from 'node:crypto';
import { evaluateChange, statesTakingDecisions, takesDecisions } from '../domain/approval.js';
import { currentPresence } from '../app/absences.js';
import type {
  Metrics,
  NewOutboxMessage,
  ReviewNudgeKind,
  Store,
  Transaction,
} from '../app/ports.js';
import type { Presence } from '../domain/absence.js';
import type { Change } from '../domain/change.js';
import type { ChangeType, Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planNudge } from './plan.js';

const PAGE = 200;
type NudgeKind = 'reminder' | 'escalation';

/**
 * Finds changes waiting for approvals (pending, or started early with approvals
 * still open) whose approvers have not answered within the type's
 * `remindAfter` (then `escalateAfter`) and writes one reminder (escalation) per
 * approval round. The database answers "who is due and not yet nudged", so a
 * board with thousands of pending changes costs one indexed query per type when
 * nothing is due. The nudge row is claimed in the same transaction as the
 * outbox rows: two processes never both send it, and a crash sends none rather
 * than half.
 */
export function nudgeScheduler(deps: {
  store: Store;
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
  intervalMs?: number;
  metrics?: Pick<Metrics, 'nudgeSent'>;
}): () => Promise<void> {
  // Worked out per round: a policy applied since may have other types and delays.
  const scheduleOf = (policy: Policy) =>
    [...policy.changeTypes.values()].flatMap((type) => [
      ...(type.remindAfterMs !== undefined
        ? [{ type, kind: 'reminder' as const, afterMs: type.remindAfterMs }]
        : []),
      ...(type.escalateAfterMs !== undefined
        ? [{ type, kind: 'escalation' as const, afterMs: type.escalateAfterMs }]
        : []),
    ]);
  const intervalMs = deps.intervalMs ?? 30_000;
  let lastRun = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = deps.clock.now();
    const schedule = scheduleOf(deps.policy);
    if (schedule.length === 0 || now.getTime() - lastRun < intervalMs) return;
    lastRun = now.getTime();
    for (const { type, kind, afterMs } of schedule) await nudgeDue(deps, type, kind, afterMs, now);
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
  type: ChangeType,
  kind: NudgeKind,
  afterMs: number,
  now: Date,
): Promise<void> {
  const requestedBefore = new Date(now.getTime() - afterMs).toISOString();
  for (;;) {
    const due = await deps.store.read.changes.listDueForNudge({
      type: type.id,
      states: statesTakingDecisions(deps.policy, type.id),
      kind,
      requestedBefore,
      limit: PAGE,
    });
    for (const change of due) await nudge(deps, change, kind, now);
    if (due.length < PAGE) return;
  }
}

async function nudge(deps: NudgeDeps, change: Change, kind: NudgeKind, now: Date): Promise<void> {
  const sent = await nudgeOnce(
    deps.store,
    deps.policy,
    change,
    kind,
    now,
    async (tx, current, presence) => {
      if (current.round !== change.round) return [];
      const decisions = await tx.changes.listDecisions(current.id, current.round);
      const evaluation = evaluateChange(deps.policy, current, decisions, presence);
      // Claimed all the same: a change started early whose approvals are all in is not nudged again.
      if (!takesDecisions(deps.policy, current, evaluation)) return [];
      return planNudge(
        { policy: deps.policy, now, emailEnabled: deps.emailEnabled, newId: randomUUID, presence },
        current,
        evaluation,
        kind,
      );
    },
  );
  if (sent) deps.metrics?.nudgeSent(kind);
}

/**
 * One nudge of a change's round, sent once: claimed (`nudges`) in the same
 * transaction as the outbox rows `plan` makes of the change as it is now, so
 * two processes never both send it, and a crash sends none rather than half.
 * True when this call wrote it (claimed, and with something to send), once committed.
 */
export async function nudgeOnce(
  store: Store,
  policy: Policy,
  change: Change,
  kind: NudgeKind | ReviewNudgeKind,
  now: Date,
  plan: (tx: Transaction, current: Change, presence: Presence) => Promise<NewOutboxMessage[]>,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const at = now.toISOString();
    if (!(await tx.nudges.claim({ changeId: change.id, round: change.round, kind, at })))
      return false;
    const current = await tx.changes.find(change.id);
    if (!current) return false;
    const presence = await currentPresence(tx, policy, now);
    const messages = await plan(tx, current, presence);
    await tx.outbox.enqueue(messages, at);
    return messages.length > 0;
  });
}
