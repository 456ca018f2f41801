import { randomUUID } from 'node:crypto';
import { evaluateChange } from '../app/deps.js';
import type { Store } from '../app/ports.js';
import type { Change } from '../domain/change.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planNudge } from './plan.js';

const PAGE = 500;

/**
 * Finds pending changes whose approvers have not answered within the type's
 * `remindAfter` (then `escalateAfter`) and writes one reminder (escalation) per
 * approval round. The nudge row is claimed in the same transaction as the
 * outbox rows, so two processes never both send it, and a crash sends none
 * rather than half.
 */
export function nudgeScheduler(deps: {
  store: Store;
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
  intervalMs?: number;
}): () => Promise<void> {
  const types = [...deps.policy.changeTypes.values()].filter(
    (t) => t.remindAfterMs !== undefined || t.escalateAfterMs !== undefined,
  );
  const intervalMs = deps.intervalMs ?? 30_000;
  let lastRun = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = deps.clock.now();
    if (types.length === 0 || now.getTime() - lastRun < intervalMs) return;
    lastRun = now.getTime();
    let beforeId: number | undefined;
    for (;;) {
      const page = await deps.store.read.changes.list({
        states: ['pending'],
        types: types.map((t) => t.id),
        beforeId,
        limit: PAGE,
      });
      for (const change of page) await nudge(deps, change, now);
      if (page.length < PAGE) return;
      beforeId = page.at(-1)!.id;
    }
  };
}

async function nudge(
  deps: { store: Store; policy: Policy; emailEnabled: boolean },
  change: Change,
  now: Date,
): Promise<void> {
  const type = deps.policy.changeTypes.get(change.type);
  if (!type || !change.requestedAt) return;
  const waited = now.getTime() - Date.parse(change.requestedAt);
  const due = [
    ...(type.remindAfterMs !== undefined && waited >= type.remindAfterMs
      ? (['reminder'] as const)
      : []),
    ...(type.escalateAfterMs !== undefined && waited >= type.escalateAfterMs
      ? (['escalation'] as const)
      : []),
  ];
  for (const kind of due) {
    await deps.store.transaction(async (tx) => {
      if (
        !(await tx.nudges.claim({
          changeId: change.id,
          round: change.round,
          kind,
          at: now.toISOString(),
        }))
      )
        return;
      const current = await tx.changes.find(change.id);
      if (!current || current.state !== 'pending' || current.round !== change.round) return;
      const decisions = await tx.changes.listDecisions(current.id, current.round);
      const messages = planNudge(
        { policy: deps.policy, now, emailEnabled: deps.emailEnabled, newId: randomUUID },
        current,
        evaluateChange(deps.policy, current, decisions),
        kind,
      );
      await tx.outbox.enqueue(messages, now.toISOString());
    });
  }
}
