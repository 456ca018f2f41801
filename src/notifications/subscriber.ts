import { randomUUID } from 'node:crypto';
import { evaluateChange } from '../domain/approval.js';
import type { EventSubscriber, Readers } from '../app/ports.js';
import type { Change } from '../domain/change.js';
import type { AuditEvent } from '../domain/events.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planNotifications } from './plan.js';

/** The notifications an action causes, written to the outbox in the action's own transaction. */
/** For a caller that did not pass it: the change's round, read and evaluated here. */
async function evaluationOf(
  tx: Readers,
  policy: Policy,
  change: Change,
  events: readonly AuditEvent[],
): Promise<ApprovalEvaluation> {
  // Nobody can have decided yet in round 0 (a draft never submitted) or in the
  // round a submission has just opened.
  const freshRound = change.round === 0 || events.some((e) => e.type === 'submitted');
  const decisions = freshRound ? [] : await tx.changes.listDecisions(change.id, change.round);
  return evaluateChange(policy, change, decisions);
}

export function notificationSubscriber(deps: {
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
  demoInbox?: boolean;
}): EventSubscriber {
  return {
    async messagesFor(tx, events, change, evaluation) {
      return planNotifications(
        {
          policy: deps.policy,
          now: deps.clock.now(),
          emailEnabled: deps.emailEnabled,
          demoInbox: deps.demoInbox,
          newId: randomUUID,
        },
        change,
        evaluation ?? (await evaluationOf(tx, deps.policy, change, events)),
        events,
      );
    },
  };
}
