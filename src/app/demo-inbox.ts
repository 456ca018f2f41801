import { formatChangeId } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { AppDeps } from './deps.js';

/** A message of the demo that waits for its recipient's working hours. */
export interface ScheduledMessage {
  readonly id: string;
  readonly kind: string;
  /** A person ("Lee Wong <lee@example.com>") or a channel of the policy. */
  readonly to: string;
  /** "Approval request for CHG-3". */
  readonly about: string;
  readonly notBefore: string;
}

const ABOUT: Record<string, string> = {
  'approval-requested': 'Approval request',
  reminder: 'Reminder',
  escalation: 'Escalation',
  'draft-from-pull-request': 'Draft from a pull request',
  'sign-in-link': 'Sign-in link',
  'external-invitation': 'Decision request (a supplier’s link)',
  agenda: 'Meeting agenda',
};

type Deps = Pick<AppDeps, 'store' | 'clock' | 'policy'>;

/** The demo's messages not yet due, soonest first: what the demo inbox shows as "waiting". */
export async function scheduledMessages(deps: Deps): Promise<ScheduledMessage[]> {
  const now = deps.clock.now().toISOString();
  const pending = await deps.store.read.outbox.list({ statuses: ['pending'], limit: 500 });
  return pending
    .filter((message) => message.nextAttemptAt > now)
    .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt))
    .map((message) => {
      const person = deps.policy.people.get(message.target);
      const topic = message.payload as { template?: string; eventType?: string };
      const what =
        (topic.template && ABOUT[topic.template]) ??
        (topic.eventType ? `Update: ${topic.eventType.replace(/-/g, ' ')}` : 'Notification');
      return {
        id: message.id,
        kind: message.kind,
        to: person ? `${person.name} <${person.email}>` : message.target,
        about: message.changeId === null ? what : `${what}: ${formatChangeId(message.changeId)}`,
        notBefore: message.nextAttemptAt,
      };
    });
}

/** Sends a waiting message now instead of in its recipient's working hours (demo mode only). */
export async function sendScheduledNow(
  deps: Deps & { readonly dispatcher: { wake(): void } },
  id: string,
): Promise<void> {
  if (!(await deps.store.direct.outbox.sendNow(id, deps.clock.now().toISOString())))
    throw new AppError('not_found', `no message ${id} is waiting to be sent`);
  deps.dispatcher.wake();
}
