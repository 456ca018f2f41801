import { randomUUID } from 'node:crypto';
import { evaluateChange } from '../app/deps.js';
import type { EventSubscriber } from '../app/ports.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planNotifications } from './plan.js';

/** Writes the notifications an action causes into the outbox, in the action's own transaction. */
export function notificationSubscriber(deps: {
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
}): EventSubscriber {
  return {
    async onEvents(tx, events, change) {
      // Round 0 is a draft that was never submitted: nobody can have decided on it.
      const decisions =
        change.round === 0 ? [] : await tx.changes.listDecisions(change.id, change.round);
      const now = deps.clock.now();
      const messages = planNotifications(
        { policy: deps.policy, now, emailEnabled: deps.emailEnabled, newId: randomUUID },
        change,
        evaluateChange(deps.policy, change, decisions),
        events,
      );
      await tx.outbox.enqueue(messages, now.toISOString());
    },
  };
}
