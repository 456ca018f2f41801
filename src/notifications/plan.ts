import type { NewOutboxMessage } from '../app/ports.js';
import { takesDecisions } from '../domain/approval.js';
import type { Change } from '../domain/change.js';
import { matchesCondition } from '../domain/conditions.js';
import type { AuditEvent } from '../domain/events.js';
import type { Presence } from '../domain/absence.js';
import type { NotificationRule, Policy } from '../domain/policy.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import { nextWorkingInstant } from './working-hours.js';

/** What a notification is about; every deliverer renders from this and the change as it is when sent. */
export type NotificationTopic =
  | {
      readonly template: 'event';
      readonly eventType: string;
      readonly eventId: number;
      readonly actor: string;
      /** Set when a stand-in decided for someone away. */
      readonly onBehalfOf?: string;
      readonly comment?: string | null;
      /** A rejection of a change already started early: it stays started, and a review is required. */
      readonly afterStart?: true;
    }
  /**
   * A comment that names its reader: a mention, a question to the requester, or
   * the requester's answer to whoever asked. It goes to that person alone, by the
   * same path as every personal message.
   */
  | {
      readonly template: 'comment';
      readonly why: CommentReason;
      readonly eventId: number;
      readonly actor: string;
      readonly comment: string;
    }
  | { readonly template: 'approval-requested'; readonly round: number }
  | { readonly template: 'reminder'; readonly round: number }
  | { readonly template: 'escalation'; readonly round: number }
  /** A post-implementation review past due: to the requester, then to the type's escalation group. */
  | { readonly template: 'review-reminder'; readonly due: string }
  | { readonly template: 'review-escalation'; readonly due: string }
  /** An external approver's request: their signed link is made as the e-mail is sent. */
  | { readonly template: 'external-invitation'; readonly round: number }
  | { readonly template: 'draft-from-pull-request'; readonly eventId: number }
  /** Carries no secret: the link is made as the e-mail is sent. */
  | { readonly template: 'sign-in-link'; readonly requestedAt: string }
  /** A sitting's agenda, rendered as it stands when sent; an external attendee's links are made then. */
  | { readonly template: 'agenda'; readonly meeting: string; readonly sitting: string };

export type CommentReason = 'mention' | 'question' | 'answer';

export interface WebhookPayload {
  readonly event: AuditEvent;
}

export interface PlanContext {
  readonly policy: Policy;
  readonly now: Date;
  readonly emailEnabled: boolean;
  /** The Slack app is set up: a person with `notifyBy: slack` hears of comments that name them there (integrations/slack). */
  readonly slackEnabled?: boolean;
  /** Demo mode: a channel without a URL keeps its messages in the demo inbox instead of dead-lettering them. */
  readonly demoInbox?: boolean;
  readonly newId: () => string;
  /**
   * Who is away: approvers away are not asked; their stand-in, who is among the
   * evaluation's eligible approvers, is asked instead. Everyone is present without it.
   */
  readonly presence?: Presence;
}

/**
 * The outbox rows one action causes, from the policy's `notifications` rules.
 * Chat gets one message per channel per action (the last matching event), each
 * person one e-mail per topic, and webhook channels every event. Person-directed
 * messages wait for the recipient's working hours unless the change type may
 * interrupt (`notifyOutsideWorkingHours`).
 */
export function planNotifications(
  ctx: PlanContext,
  change: Change,
  evaluation: ApprovalEvaluation,
  events: readonly AuditEvent[],
): NewOutboxMessage[] {
  const planner = new MessagePlanner(ctx, change);
  for (const event of events) {
    const lateRejection = isRejectionAfterStart(event);
    const topic: NotificationTopic = {
      template: 'event',
      eventType: event.type,
      eventId: event.id,
      actor: event.actor,
      ...(typeof event.data.onBehalfOf === 'string' && { onBehalfOf: event.data.onBehalfOf }),
      comment: typeof event.data.comment === 'string' ? event.data.comment : null,
      ...(lateRejection && { afterStart: true as const }),
    };
    // A rejection after an early start does not reject the change (it is already under way),
    // but it is news of the same weight: whoever hears of a rejection hears of it.
    const rules = lateRejection
      ? [...rulesFor(ctx.policy, event.type, change), ...rulesFor(ctx.policy, 'rejected', change)]
      : rulesFor(ctx.policy, event.type, change);
    for (const rule of rules) planner.addRule(rule, topic, evaluation, event.id);
    if (event.type === 'commented')
      for (const [person, why] of commentReaders(event, change))
        planner.addPersonal(
          person,
          {
            template: 'comment',
            why,
            eventId: event.id,
            actor: event.actor,
            comment: String(event.data.body),
          },
          event.id,
        );
    if (lateRejection) {
      // Whatever the rules say, the requester (who is implementing it) and the services' channels hear at once.
      if (change.requester) planner.addPerson(change.requester, topic, event.id);
      for (const channel of serviceChannels(ctx.policy, change))
        planner.addChannel(channel, topic, event.id);
    }
    for (const channel of ctx.policy.channels.values()) {
      if (channel.type === 'webhook') planner.addWebhook(channel.id, event);
    }
    if (event.type === 'created' && event.data.source === 'github') {
      // An unassigned draft (the PR's author is not in the policy) has nobody to tell but the channels.
      planner.addPerson(
        change.requester ?? '',
        { template: 'draft-from-pull-request', eventId: event.id },
        event.id,
      );
      for (const channel of serviceChannels(ctx.policy, change)) {
        planner.addChannel(
          channel,
          { template: 'event', eventType: 'created', eventId: event.id, actor: event.actor },
          event.id,
        );
      }
    }
  }
  // Approvers are asked when the change enters approval, and again whenever an edit re-computed its requirements.
  const asked = events.find((e) => e.type === 'submitted' || e.type === 'edited');
  if (change.state === 'pending' && asked) {
    for (const rule of rulesFor(ctx.policy, 'approval-requested', change)) {
      planner.addRule(
        rule,
        { template: 'approval-requested', round: change.round },
        evaluation,
        asked.id,
      );
    }
    // A requirement nobody available can meet would only wait: its escalation goes out at once.
    if (evaluation.requirements.some((r) => !r.met && !r.available))
      planner.addEscalation({ template: 'escalation', round: change.round }, asked.id);
  }
  return planner.messages();
}

/** Reminders and escalations, from the scheduler rather than from an event. */
export function planNudge(
  ctx: PlanContext,
  change: Change,
  evaluation: ApprovalEvaluation,
  kind: 'reminder' | 'escalation',
): NewOutboxMessage[] {
  const planner = new MessagePlanner(ctx, change);
  const topic: NotificationTopic = { template: kind, round: change.round };
  if (kind === 'reminder') {
    for (const rule of rulesFor(ctx.policy, 'reminder', change))
      planner.addRule(rule, topic, evaluation, null);
  } else {
    planner.addEscalation(topic, null);
  }
  return planner.messages();
}

/** An overdue review's reminder (to the requester) or escalation (to the type's `escalateTo`). */
export function planReviewNudge(
  ctx: PlanContext,
  change: Change,
  kind: 'review-reminder' | 'review-escalation',
): NewOutboxMessage[] {
  const due = change.review?.due;
  if (!due) return [];
  const planner = new MessagePlanner(ctx, change);
  if (kind === 'review-reminder') {
    if (change.requester) planner.addPerson(change.requester, { template: kind, due }, null);
  } else {
    planner.addEscalation({ template: kind, due }, null);
  }
  return planner.messages();
}

/** One approval request to one person: someone back from an absence, or a stand-in taking over. */
export function planApprovalRequest(
  ctx: PlanContext,
  change: Change,
  person: string,
  eventId: number | null,
): NewOutboxMessage[] {
  const planner = new MessagePlanner(ctx, change);
  planner.addPerson(person, { template: 'approval-requested', round: change.round }, eventId);
  return planner.messages();
}

/**
 * Whom a comment names, as comment-on-change.ts recorded it, each once: asked
 * outweighs answered, which outweighs mentioned. Never the commenter.
 */
export function commentReaders(event: AuditEvent, change: Change): Map<string, CommentReason> {
  const readers = new Map<string, CommentReason>();
  const people = (value: unknown) =>
    Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  for (const person of people(event.data.mentions)) readers.set(person, 'mention');
  for (const person of people(event.data.answering)) readers.set(person, 'answer');
  if (event.data.question === true && change.requester) readers.set(change.requester, 'question');
  readers.delete(event.actor);
  return readers;
}

/** An approver's rejection of a change already started early (domain/approval.ts decide). */
function isRejectionAfterStart(event: AuditEvent): boolean {
  return event.type === 'approval-rejected' && event.data.afterStart === true;
}

function rulesFor(policy: Policy, eventType: string, change: Change): NotificationRule[] {
  return policy.notifications.filter(
    (rule) => rule.on.includes(eventType) && matchesCondition(rule.when, change),
  );
}

function serviceChannels(policy: Policy, change: Change): string[] {
  return [
    ...new Set(change.services.flatMap((service) => policy.services.get(service)?.notify ?? [])),
  ];
}

class MessagePlanner {
  readonly #byKey = new Map<string, NewOutboxMessage>();
  readonly #urgent: boolean;

  constructor(
    private readonly ctx: PlanContext,
    private readonly change: Change,
  ) {
    this.#urgent = ctx.policy.changeTypes.get(change.type)?.notifyOutsideWorkingHours ?? false;
  }

  addRule(
    rule: NotificationRule,
    topic: NotificationTopic,
    evaluation: ApprovalEvaluation,
    eventId: number | null,
  ): void {
    const { policy } = this.ctx;
    for (const target of rule.to) {
      if (target === 'service-channels') {
        if (rule.via !== 'email')
          serviceChannels(policy, this.change).forEach((c) => this.addChannel(c, topic, eventId));
      } else if (target === 'approvers') {
        // Those away are not asked: their stand-ins are eligible, and asked instead. A change
        // started early still asks for the approvals that are open.
        if (rule.via !== 'chat' && takesDecisions(policy, this.change, evaluation))
          evaluation.eligibleApprovers.forEach(
            (p) => this.#present(p) && this.addPerson(p, topic, eventId),
          );
      } else if (target === 'requester') {
        if (rule.via !== 'chat' && this.change.requester)
          this.addPerson(this.change.requester, topic, eventId);
      } else if (policy.channels.has(target)) {
        if (rule.via !== 'email') this.addChannel(target, topic, eventId);
      } else if (policy.groups.has(target)) {
        if (rule.via !== 'chat')
          (policy.groups.get(target) ?? []).forEach((p) => this.addPerson(p, topic, eventId));
      } else if (policy.people.has(target) && rule.via !== 'chat') {
        this.addPerson(target, topic, eventId);
      }
    }
  }

  /** The type's escalation group, those of them present. */
  addEscalation(topic: NotificationTopic, eventId: number | null): void {
    const group = this.ctx.policy.changeTypes.get(this.change.type)?.escalateTo;
    for (const person of group ? (this.ctx.policy.groups.get(group) ?? []) : [])
      if (this.#present(person)) this.addPerson(person, topic, eventId);
  }

  #present(person: string): boolean {
    return this.ctx.presence?.awayNow(person) === undefined;
  }

  addChannel(channelId: string, topic: NotificationTopic, eventId: number | null): void {
    const channel = this.ctx.policy.channels.get(channelId);
    // A Slack app channel keeps one message per change, updated in place (integrations/slack).
    // So does a Teams bot channel (integrations/teams).
    if (!channel || channel.type === 'webhook' || channel.slackChannel || channel.teamsConversation)
      return;
    // One card per channel per action: a later event of the same action replaces an earlier one.
    this.#put(`chat:${channelId}`, {
      kind: channel.type,
      target: channelId,
      payload: topic,
      eventId,
      notBefore: this.ctx.now.toISOString(),
      deadReason:
        channel.url || this.ctx.demoInbox
          ? undefined
          : `channel "${channelId}": environment variable ${channel.missingVariables.join(', ')} is not set`,
    });
  }

  /**
   * A message meant for this person alone (a comment that names them): it
   * replaces what a rule planned for them about the same action, so they get
   * one message, the one that says why it is theirs.
   */
  addPersonal(personId: string, topic: NotificationTopic, eventId: number | null): void {
    this.#byKey.delete(`email:${personId}:event`);
    // Their channel of choice is Slack: the Slack app's subscriber sends it there instead.
    if (this.ctx.slackEnabled && this.ctx.policy.people.get(personId)?.notifyBy === 'slack') return;
    this.addPerson(personId, topic, eventId);
  }

  addPerson(personId: string, topic: NotificationTopic, eventId: number | null): void {
    const person = this.ctx.policy.people.get(personId);
    if (!person) return;
    if (person.external) {
      // They see nothing of the board: only the change they are asked to decide, by its link.
      if (topic.template !== 'approval-requested' && topic.template !== 'reminder') return;
      topic = { template: 'external-invitation', round: topic.round };
    }
    const notBefore = this.#urgent ? this.ctx.now : nextWorkingInstant(person, this.ctx.now);
    this.#put(`email:${personId}:${topic.template}`, {
      kind: 'email',
      target: personId,
      payload: topic,
      eventId,
      notBefore: notBefore.toISOString(),
      deadReason: this.ctx.emailEnabled ? undefined : 'e-mail is not configured: set SMTP_URL',
    });
  }

  addWebhook(channelId: string, event: AuditEvent): void {
    const channel = this.ctx.policy.channels.get(channelId)!;
    this.#put(`webhook:${channelId}:${event.id}`, {
      kind: 'webhook',
      target: channelId,
      payload: { event } satisfies WebhookPayload,
      eventId: event.id,
      notBefore: this.ctx.now.toISOString(),
      deadReason:
        channel.url || this.ctx.demoInbox
          ? undefined
          : `channel "${channelId}": environment variable ${channel.missingVariables.join(', ')} is not set`,
    });
  }

  #put(key: string, message: Omit<NewOutboxMessage, 'id' | 'changeId'>): void {
    const existing = this.#byKey.get(key);
    this.#byKey.set(key, {
      ...message,
      id: existing?.id ?? this.ctx.newId(),
      changeId: this.change.id,
    });
  }

  messages(): NewOutboxMessage[] {
    return [...this.#byKey.values()];
  }
}
