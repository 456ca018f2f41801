import { randomUUID } from 'node:crypto';
import { evaluateChange } from '../app/deps.js';
import type { EventSubscriber } from '../app/ports.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planNotifications } from './plan.js';

/** The notifications an action causes, written to the outbox in the action's own transaction. */
export function notificationSubscriber(deps: {
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
}): EventSubscriber {
  return {
    async messagesFor(tx, events, change) {
      // Nobody can have decided yet in round 0 (a draft never submitted) or in the
      // round a submission has just opened.
      const freshRound = change.round === 0 || events.some((e) => e.type === 'submitted');
      const decisions = freshRound ? [] : await tx.changes.listDecisions(change.id, change.round);
      const now = deps.clock.now();
      return planNotifications(
        { policy: deps.policy, now, emailEnabled: deps.emailEnabled, newId: randomUUID },
        change,
        evaluateChange(deps.policy, change, decisions),
        events,
      );
    },
  };
}
