import { randomUUID } from 'node:crypto';
import { takesDecisions } from '../../domain/approval.js';
import type { EventSubscriber, NewOutboxMessage } from '../../app/ports.js';
import type { AuditEvent } from '../../domain/events.js';
import type { Change } from '../../domain/change.js';
import type { Policy } from '../../domain/policy.js';
import type { ApprovalEvaluation } from '../../domain/requirements.js';
import { currentPresence } from '../../app/absences.js';
import { evaluateChange } from '../../domain/approval.js';
import type { Clock } from '../../shared/clock.js';
import { commentReaders } from '../../notifications/plan.js';
import { openFor } from '../../notifications/subscriber.js';
import { nextWorkingInstant } from '../../notifications/working-hours.js';

/** The outbox kind of the Slack app's messages (not `slack`: that is the incoming-webhook channel). */
export const SLACK_APP_KIND = 'slack-app';

/**
 * One outbox row per action on a change: post what is to be posted (`post`:
 * `person:<id>` direct messages, `channel:<policy channel id>` channel messages)
 * and bring every message already posted about it up to date. One row per
 * change, so all of a change's Slack work is done in order by one deliverer.
 */
export interface SlackJob {
  readonly post: readonly string[];
  /**
   * A comment (the row's event) that names a person whose channel of choice is
   * Slack (`notifyBy: slack`): told in a direct message.
   */
  readonly note?: { readonly person: string };
}

export function personTarget(person: string): string {
  return `person:${person}`;
}

export function channelTarget(channel: string): string {
  return `channel:${channel}`;
}

/**
 * Plans the Slack app's work in the action's transaction. Approvers are asked
 * when the notifications ask them (plan.ts: a submit, or an edit that
 * re-computed the requirements): a direct message to each approver who can
 * act and is present (not an external approver: they decide by signed link),
 * and one message in each Slack app channel of the change's services. Every
 * later action on a change that has Slack messages (or has some on their way)
 * updates them in place.
 */
export function slackSubscriber(deps: {
  readonly policy: Policy;
  readonly clock: Clock;
  readonly botConfigured: boolean;
}): EventSubscriber {
  return {
    async messagesFor(tx, events, change, evaluation) {
      const { policy } = deps;
      const last = events.at(-1);
      if (!last) return [];
      if (events.every((e) => e.type === 'commented'))
        return deps.botConfigured ? commentNotes(policy, change, events, deps.clock.now()) : [];
      const asked =
        change.state === 'pending' &&
        events.some((e) => e.type === 'submitted' || e.type === 'edited');
      if (!deps.botConfigured) {
        // Nothing reaches Slack without the app's token: a policy channel that wants the app
        // shows why in the outbox, and nobody is asked or updated in a direct message.
        const channels = asked ? slackChannelsOf(policy, change) : [];
        return channels.length ? [job(change.id, last, channels.map(channelTarget), false)] : [];
      }
      const post: string[] = [];
      const later: NewOutboxMessage[] = [];
      if (asked) {
        const presence = await currentPresence(tx, policy, deps.clock.now());
        const current: ApprovalEvaluation =
          evaluation ??
          evaluateChange(
            policy,
            change,
            await tx.changes.listDecisions(change.id, change.round),
            presence,
          );
        // A direct message waits for its approver's working hours, as the e-mail does (not for an emergency).
        for (const person of approversToAsk(policy, change, current, (p) => !presence.awayNow(p))) {
          const at = askedAt(policy, change, person, deps.clock.now());
          if (at === undefined) post.push(personTarget(person));
          else later.push(job(change.id, last, [personTarget(person)], true, at));
        }
        post.push(...slackChannelsOf(policy, change).map(channelTarget));
      }
      if (post.length === 0 && later.length === 0 && !(await hasSlackWork(tx, change.id)))
        return [];
      return [job(change.id, last, post, true), ...later];
    },

    /**
     * Someone away from now: their stand-in is asked in their stead. Someone back: they are
     * asked again. Either way each open change's messages are brought up to date (whose
     * buttons count changed), as the e-mails do it (notifications/subscriber.ts).
     */
    async messagesForPeople(tx, events) {
      if (!deps.botConfigured) return [];
      const { policy } = deps;
      const now = deps.clock.now();
      const presence = await currentPresence(tx, policy, now);
      const messages: NewOutboxMessage[] = [];
      for (const event of events) {
        const person = String(event.data.person);
        const recipient =
          event.type === 'absence-ended'
            ? person
            : event.type === 'absence-set' && Date.parse(String(event.data.from)) <= now.getTime()
              ? presence.standIn(person)
              : undefined;
        if (recipient === undefined || policy.people.get(recipient)?.external !== false) continue;
        for (const change of await openFor(tx, policy, person)) {
          const decisions = await tx.changes.listDecisions(change.id, change.round);
          const evaluation = evaluateChange(policy, change, decisions, presence);
          if (!evaluation.eligibleApprovers.has(recipient)) continue;
          const at = askedAt(policy, change, recipient, now);
          messages.push(job(change.id, event, [personTarget(recipient)], true, at));
        }
      }
      return messages;
    },
  };
}

/** A direct message to each person a comment names whose channel of choice is Slack, in their working hours. */
function commentNotes(
  policy: Policy,
  change: Change,
  events: readonly AuditEvent[],
  now: Date,
): NewOutboxMessage[] {
  return events.flatMap((event) =>
    [...commentReaders(event, change).keys()]
      .filter((person) => policy.people.get(person)?.notifyBy === 'slack')
      .map((person) => ({
        ...job(change.id, event, [], true, askedAt(policy, change, person, now)),
        payload: { post: [], note: { person } } satisfies SlackJob,
      })),
  );
}

/** When a direct message may reach `person`: undefined for now (in their working hours, or an urgent type). */
function askedAt(policy: Policy, change: Change, person: string, now: Date): Date | undefined {
  const found = policy.people.get(person);
  if (!found || policy.changeTypes.get(change.type)?.notifyOutsideWorkingHours) return undefined;
  const at = nextWorkingInstant(found, now);
  return at.getTime() > now.getTime() ? at : undefined;
}

function job(
  changeId: number,
  last: AuditEvent,
  post: readonly string[],
  botConfigured: boolean,
  notBefore?: Date,
): NewOutboxMessage {
  return {
    id: randomUUID(),
    kind: SLACK_APP_KIND,
    target: `change:${changeId}`,
    changeId,
    eventId: last.id,
    payload: { post } satisfies SlackJob,
    notBefore: notBefore?.toISOString() ?? last.at,
    deadReason: botConfigured
      ? undefined
      : 'SLACK_BOT_TOKEN is not set, so the Slack app cannot post',
  };
}

function approversToAsk(
  policy: Policy,
  change: Change,
  evaluation: ApprovalEvaluation,
  present: (person: string) => boolean,
): string[] {
  if (!takesDecisions(policy, change, evaluation)) return [];
  return [...evaluation.eligibleApprovers].filter(
    (p) => present(p) && policy.people.get(p)?.external === false,
  );
}

/** The change's services' channels that the Slack app posts to (a channel id rather than a webhook). */
export function slackChannelsOf(policy: Policy, change: Change): string[] {
  const ids = new Set(change.services.flatMap((s) => policy.services.get(s)?.notify ?? []));
  return [...ids].filter((id) => policy.channels.get(id)?.slackChannel !== undefined);
}

/** Messages posted about the change, or a Slack job of it not yet done (its post renders what is current). */
async function hasSlackWork(
  tx: Parameters<NonNullable<EventSubscriber['messagesFor']>>[0],
  changeId: number,
): Promise<boolean> {
  if ((await tx.slackMessages.listForChange(changeId)).length > 0) return true;
  const queued = await tx.outbox.list({
    changeId,
    statuses: ['pending', 'sending', 'failed'],
    limit: 1_000,
  });
  return queued.some((m) => m.kind === SLACK_APP_KIND);
}
