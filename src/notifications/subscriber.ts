import { randomUUID } from 'node:crypto';
import { earlyStartTypes, evaluateChange } from '../domain/approval.js';
import { currentPresence } from '../app/absences.js';
import type { EventSubscriber, NewOutboxMessage, Readers } from '../app/ports.js';
import type { Presence } from '../domain/absence.js';
import type { Change } from '../domain/change.js';
import type { AuditEvent } from '../domain/events.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { planApprovalRequest, planNotifications, type NotificationTopic } from './plan.js';

/** The notifications an action causes, written to the outbox in the action's own transaction. */
/** For a caller that did not pass it: the change's round, read and evaluated here. */
async function evaluationOf(
  tx: Readers,
  policy: Policy,
  change: Change,
  events: readonly AuditEvent[],
  presence: Presence,
): Promise<ApprovalEvaluation> {
  // Nobody can have decided yet in round 0 (a draft never submitted) or in the
  // round a submission has just opened.
  const freshRound = change.round === 0 || events.some((e) => e.type === 'submitted');
  const decisions = freshRound ? [] : await tx.changes.listDecisions(change.id, change.round);
  return evaluateChange(policy, change, decisions, presence);
}

/**
 * Changes `person` could decide, pending or started early with approvals open
 * (storage's pre-filter: a requirement from one of their groups).
 */
export async function openFor(tx: Readers, policy: Policy, person: string): Promise<Change[]> {
  const groups = [...policy.groups]
    .filter(([, members]) => members.includes(person))
    .map(([g]) => g);
  return tx.changes.list({
    awaiting: { person, groups, startedTypes: earlyStartTypes(policy) },
    limit: OPEN_FOR_ONE,
  });
}

/** Changes one person is asked about at once; beyond it the reminders still reach them. */
const OPEN_FOR_ONE = 500;

/** Whether `person` was already asked (or reminded) about this round, or will be: nobody is asked twice. */
async function wasAsked(tx: Readers, change: Change, person: string): Promise<boolean> {
  const messages = await tx.outbox.list({
    changeId: change.id,
    statuses: ['pending', 'sending', 'sent', 'failed'],
    limit: 1_000,
  });
  return messages.some((m) => {
    const topic = m.payload as Partial<NotificationTopic>;
    return (
      m.kind === 'email' &&
      m.target === person &&
      (topic.template === 'approval-requested' || topic.template === 'reminder') &&
      topic.round === change.round
    );
  });
}

export function notificationSubscriber(deps: {
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
  slackEnabled?: boolean;
  demoInbox?: boolean;
}): EventSubscriber {
  return {
    async messagesFor(tx, events, change, evaluation) {
      const now = deps.clock.now();
      const presence = await currentPresence(tx, deps.policy, now);
      return planNotifications(
        {
          policy: deps.policy,
          now,
          emailEnabled: deps.emailEnabled,
          slackEnabled: deps.slackEnabled,
          demoInbox: deps.demoInbox,
          newId: randomUUID,
          presence,
        },
        change,
        evaluation ?? (await evaluationOf(tx, deps.policy, change, events, presence)),
        events,
      );
    },
    async messagesForPeople(tx, events) {
      const now = deps.clock.now();
      const ctx = {
        policy: deps.policy,
        now,
        emailEnabled: deps.emailEnabled,
        demoInbox: deps.demoInbox,
        newId: randomUUID,
        presence: await currentPresence(tx, deps.policy, now),
      };
      const messages: NewOutboxMessage[] = [];
      for (const event of events) {
        const person = String(event.data.person);
        // Back: the requests still open come to them. Away from now: to their stand-in.
        const recipient =
          event.type === 'absence-ended'
            ? person
            : event.type === 'absence-set' && Date.parse(String(event.data.from)) <= now.getTime()
              ? ctx.presence.standIn(person)
              : undefined;
        if (recipient === undefined) continue;
        for (const change of await openFor(tx, deps.policy, person)) {
          const decisions = await tx.changes.listDecisions(change.id, change.round);
          const evaluation = evaluateChange(deps.policy, change, decisions, ctx.presence);
          if (!evaluation.eligibleApprovers.has(recipient)) continue;
          if (await wasAsked(tx, change, recipient)) continue;
          messages.push(...planApprovalRequest(ctx, change, recipient, event.id));
        }
      }
      return messages;
    },
  };
}
