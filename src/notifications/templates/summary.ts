import { formatChangeId, type Change, type Decision } from '../../domain/change.js';
import { EVERYONE_PRESENT, type Presence } from '../../domain/absence.js';
import { evaluateChange, takesDecisions } from '../../domain/approval.js';
import { subjectOf } from '../../domain/change-content.js';
import { explainRequirements } from '../../domain/requirements.js';
import { NO_CONFLICTS, type Conflicts } from '../../domain/conflicts.js';
import type { Policy } from '../../domain/policy.js';
import type { CommentReason, NotificationTopic } from '../plan.js';

/** A change as every notification shows it, computed when the message is sent. */
export interface ChangeSummary {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly state: string;
  readonly description: string;
  readonly requester: string;
  readonly type: string;
  readonly services: string;
  readonly risk?: string;
  readonly planned?: string;
  /** "change-managers (1 more, because risk is high): Kim Park" for each open requirement. */
  readonly stillNeeded: readonly string[];
  readonly answers: readonly { label: string; value: string }[];
  readonly links: readonly { title: string; url: string }[];
  readonly needsDiscussion: readonly string[];
  /** "Overlaps CHG-12 Resize DB (Payments API, Tue 17 Nov 14:00–15:00 UTC)", then the freezes it touches. */
  readonly conflicts: readonly string[];
}

export function summarise(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  publicUrl: string,
  presence: Presence = EVERYONE_PRESENT,
  conflicts: Conflicts = NO_CONFLICTS,
): ChangeSummary {
  const name = (id: string) => policy.people.get(id)?.name ?? id;
  // "Sam Rivera (away: Kim Park decides)"
  const approver = (id: string) => {
    const standIn = presence.standIn(id);
    return standIn ? `${name(id)} (away: ${name(standIn)} decides)` : name(id);
  };
  const evaluation = evaluateChange(
    policy,
    {
      ...change,
      requirements: explainRequirements(policy, subjectOf(change), change.requirements),
    },
    decisions,
    presence,
  );
  const riskField = policy.fields.find((f) => f.id === 'risk');
  const risk = riskField ? change.answers[riskField.id] : undefined;
  return {
    id: formatChangeId(change.id),
    url: `${publicUrl}/changes/${formatChangeId(change.id)}`,
    title: change.title,
    state: change.state.replace('_', ' '),
    description: change.description,
    requester: change.requester
      ? name(change.requester)
      : 'unassigned (claim it on the change page)',
    type: policy.changeTypes.get(change.type)?.label ?? change.type,
    services: change.services.map((s) => policy.services.get(s)?.name ?? s).join(', '),
    risk: risk === undefined ? undefined : String(risk),
    planned: change.plannedStart ? formatWindow(change.plannedStart, change.plannedEnd) : undefined,
    // Pending, or started early with approvals still open: who is still to decide.
    stillNeeded: takesDecisions(policy, change, evaluation)
      ? evaluation.requirements
          .filter((r) => !r.met)
          .map(
            (r) =>
              `${r.group} (${r.count - r.approvedBy.length} more${r.reason ? `, because ${r.reason}` : ''}): ${r.available ? r.canApprove.map(approver).join(', ') || 'nobody left' : `nobody available: ${r.whyUnavailable ?? 'all are away'}`}`,
          )
      : [],
    answers: policy.fields
      .filter((f) => change.answers[f.id] !== undefined)
      .map((f) => ({ label: f.label, value: formatAnswer(change.answers[f.id]!) })),
    links: change.links,
    needsDiscussion: change.meetings,
    conflicts: [
      ...conflicts.changes.map(
        ({ change: other, sharedServices }) =>
          `Overlaps ${formatChangeId(other.id)} ${other.title} (${sharedServices.map((s) => policy.services.get(s)?.name ?? s).join(', ')}, ${other.plannedStart ? formatShortWindow(other.plannedStart, other.plannedEnd) : ''})`,
      ),
      ...conflicts.freezes.map(
        (f) =>
          `Inside the freeze "${f.name}" (${formatShortWindow(f.from.toISOString(), f.to.toISOString())})`,
      ),
    ],
  };
}

export function headline(policy: Policy, topic: NotificationTopic, summary: ChangeSummary): string {
  const name = (id: string) => policy.people.get(id)?.name ?? id;
  switch (topic.template) {
    case 'approval-requested':
      return `Your approval is requested: ${summary.id} ${summary.title}`;
    case 'reminder':
      return `Reminder: ${summary.id} is waiting for your decision`;
    case 'escalation':
      return `Escalation: ${summary.id} is still waiting for approval`;
    case 'review-reminder':
      return `Review overdue: ${summary.id} ${summary.title} was due for its post-implementation review ${formatShortWindow(topic.due, null)}`;
    case 'review-escalation':
      return `Escalation: the post-implementation review of ${summary.id} is overdue (due ${formatShortWindow(topic.due, null)})`;
    case 'external-invitation':
      return `${policy.organization} asks for your decision: ${summary.id} ${summary.title}`;
    case 'draft-from-pull-request':
      return `Your pull request was approved: finish change ${summary.id}`;
    case 'sign-in-link':
      return 'Your Changeboard sign-in link';
    case 'agenda':
      return `Agenda: ${topic.meeting}`;
    case 'comment':
      return commentHeadline(topic.why, name(topic.actor), summary);
    case 'event':
      if (topic.afterStart)
        return `${summary.id} was rejected by ${topic.onBehalfOf ? `${name(topic.actor)} (for ${name(topic.onBehalfOf)})` : name(topic.actor)} after the change was started: a review is required`;
      return eventHeadline(
        topic.eventType,
        topic.onBehalfOf
          ? `${name(topic.actor)}, for ${name(topic.onBehalfOf)},`
          : name(topic.actor),
        summary.id,
      );
  }
}

function commentHeadline(why: CommentReason, actor: string, summary: ChangeSummary): string {
  switch (why) {
    case 'mention':
      return `${actor} mentioned you on ${summary.id} ${summary.title}`;
    case 'question':
      return `${actor} asks you a question about ${summary.id} ${summary.title}`;
    case 'answer':
      return `${actor} answered your question on ${summary.id} ${summary.title}`;
  }
}

function eventHeadline(type: string, actor: string, id: string): string {
  const lines: Record<string, string> = {
    created: `${actor} drafted ${id}`,
    edited: `${actor} edited ${id}`,
    submitted: `${actor} submitted ${id} for approval`,
    'approval-granted': `${actor} approved ${id}`,
    'approval-rejected': `${actor} rejected ${id}`,
    'approvals-withdrawn': `The approvals of ${id} were withdrawn after an edit`,
    approved: `${id} is approved`,
    rejected: `${id} was rejected by ${actor.replace(/,$/, '')}`,
    withdrawn: `${actor} withdrew ${id}`,
    started: `${actor} started ${id}`,
    completed: `${id} was completed`,
    failed: `${id} failed`,
    verified: `${id} was verified`,
    commented: `${actor} commented on ${id}`,
  };
  return lines[type] ?? `${id}: ${type}`;
}

function formatAnswer(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

function formatWindow(start: string, end: string | null): string {
  const format = (iso: string) => iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
  return end ? `${format(start)} – ${format(end)}` : format(start);
}

const DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Tue 17 Nov 14:00–15:00 UTC", or with both days when it ends on another. */
function formatShortWindow(start: string, end: string | null): string {
  const from = new Date(start);
  const day = (d: Date) => DAY.format(d).replace(',', '');
  if (end === null) return `${day(from)} ${TIME.format(from)} UTC`;
  const to = new Date(end);
  return day(from) === day(to)
    ? `${day(from)} ${TIME.format(from)}–${TIME.format(to)} UTC`
    : `${day(from)} ${TIME.format(from)} – ${day(to)} ${TIME.format(to)} UTC`;
}
