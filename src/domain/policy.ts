import type { Answers } from './change.js';

/** The policy as the domain uses it: loaded and checked by src/policy, immutable afterwards. */

export const FIELD_TYPES = ['boolean', 'url', 'text', 'choice', 'number', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type ConditionValue = string | number | boolean;
/**
 * `{ risk: high, type: normal }`: every key must match. A key is a field id, or
 * `type` / `service` for the change's type and services; a list means "any of".
 */
export type Condition = Readonly<Record<string, ConditionValue | readonly ConditionValue[]>>;
export const CONDITION_KEYWORDS = ['type', 'service'] as const;

export interface Field {
  readonly id: string;
  readonly label: string;
  readonly help?: string;
  readonly type: FieldType;
  readonly options?: readonly string[];
  readonly required: boolean | { readonly when: Condition };
}

export interface WorkingHours {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  readonly days: readonly number[];
  /** Minutes after local midnight. */
  readonly start: number;
  readonly end: number;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = {
  days: [1, 2, 3, 4, 5],
  start: 9 * 60,
  end: 17 * 60,
};

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly github?: string;
  readonly timezone: string;
  readonly workingHours: WorkingHours;
  readonly admin: boolean;
  /** Who decides for them while they are away, unless their absence names a delegate. */
  readonly deputy?: string;
  /** Outside the organisation (a supplier): decides by signed link, never signs in. */
  readonly external: boolean;
  /** Their Slack user id; unset, the Slack app looks them up by e-mail. */
  readonly slack?: string;
  /** A comment that names them reaches them as a Slack direct message (with the Slack app), not by e-mail. */
  readonly notifyBy?: 'slack';
  /** Their Microsoft Entra object id in Teams; unset, the Teams bot matches them by e-mail. */
  readonly teams?: string;
}

export const CHANNEL_TYPES = ['teams', 'slack', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface Channel {
  readonly id: string;
  readonly type: ChannelType;
  /** Undefined when the URL's environment variable is unset: the channel is then skipped. */
  readonly url?: string;
  readonly secret?: string;
  /** A `slack` channel the Slack app posts to (by id, with Approve and Reject), instead of a webhook URL. */
  readonly slackChannel?: string;
  /** A `teams` channel the Teams bot posts to (a conversation id, cards with Approve and Reject), instead of a Workflows URL. */
  readonly teamsConversation?: string;
  readonly missingVariables: readonly string[];
}

export interface Service {
  readonly id: string;
  readonly name: string;
  readonly repositories: readonly string[];
  /** GitHub deployment environments that release it; empty: production. */
  readonly environments: readonly string[];
  readonly approvers?: string;
  readonly notify: readonly string[];
}

export const SERVICE_APPROVERS = 'service-approvers';

export const DEFAULT_EXTERNAL_LINK_TTL_MS = 7 * 24 * 3_600_000;

export interface ApprovalRule {
  /** A group id, or `service-approvers` for the approvers group of every service touched. */
  readonly from: string;
  readonly count: number;
  readonly when?: Condition;
}

export interface ChangeType {
  readonly id: string;
  readonly label: string;
  readonly approvals: readonly ApprovalRule[];
  readonly distinctApprovers: boolean;
  readonly remindAfterMs?: number;
  readonly escalateAfterMs?: number;
  readonly escalateTo?: string;
  readonly notifyOutsideWorkingHours: boolean;
  /** New commits pushed to a change's pull request keep its approvals (default: they withdraw them). */
  readonly keepApprovalsOnPush: boolean;
  /** A change of this type cannot be submitted without a planned start and end. */
  readonly requirePlannedWindow?: boolean;
  /**
   * Once this requirement is met the requester may start while the other
   * approvals are still open (PRODUCT.md, "early start"); they stay required.
   */
  readonly earlyStart?: { readonly from: string; readonly count: number };
  /** Every change of this type is reviewed after it is completed or fails (`review`). */
  readonly review?: ReviewPolicy;
}

/**
 * A post-implementation review (PRODUCT.md, "Post-implementation review"): owed
 * `withinMs` after a change is completed or fails, answering `fields`.
 */
export interface ReviewPolicy {
  /** As written (`2d`): whole days are calendar days in the requester's time zone, the rest exact. */
  readonly within: ReviewWithin;
  readonly fields: readonly Field[];
}

export interface ReviewWithin {
  readonly text: string;
  readonly days: number;
  readonly ms: number;
  /**
   * When a review owed from `from` is due for a requester in `timezone`. The
   * calendar arithmetic is done outside the domain (policy/load.ts) and handed in.
   */
  readonly dueAfter: (from: string, timezone: string) => string;
}

/** How long a failed change has for its review when its type asks for none of its own. */
export const FAILURE_REVIEW_WITHIN = '2d';

/** What a failed change's review asks when its type asks for none of its own. */
export const FAILURE_REVIEW_FIELDS: readonly Field[] = [
  {
    id: 'whatHappened',
    label: 'What happened, and how did we find out?',
    type: 'text',
    required: true,
  },
  { id: 'followUps', label: 'Follow-up actions (links)', type: 'text', required: false },
];

/** Recipients a notification rule may name besides channel ids. */
export const NOTIFICATION_AUDIENCES = ['service-channels', 'approvers', 'requester'] as const;

export interface NotificationRule {
  readonly on: readonly string[];
  readonly to: readonly string[];
  readonly via?: 'email' | 'chat';
  readonly when?: Condition;
}

/**
 * A freeze in force from `from` until `to` (half-open): one the policy gives
 * once, or one occurrence of a recurring freeze.
 */
export interface Freeze {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
  readonly allow: readonly string[];
  /** Empty means every service. */
  readonly services: readonly string[];
}

/** A freeze that comes back on a schedule: every Friday from 15:00 London for the weekend. */
export interface RecurringFreeze {
  readonly name: string;
  readonly schedule: Schedule;
  readonly allow: readonly string[];
  /** Empty means every service. */
  readonly services: readonly string[];
}

/** One sitting of a scheduled meeting, or one occurrence of a recurring freeze. */
export interface Occurrence {
  readonly start: Date;
  readonly end: Date;
}

/**
 * When a meeting sits or a freeze recurs: an RFC 5545 RRULE at a local time in
 * a time zone, so a 10:00 meeting stays at 10:00 across daylight saving. Each
 * occurrence lasts `durationMs` exactly, as an iCalendar DURATION in hours does.
 * The recurrence itself is computed outside the domain (policy/schedule.ts) and
 * handed in.
 */
export interface Schedule {
  readonly rrule: string;
  /** Local start time, `HH:MM`. */
  readonly at: string;
  readonly timezone: string;
  readonly durationMs: number;
  /** Occurrences that have not ended by `after`, soonest first, at most `count`. */
  readonly next: (after: Date, count: number) => readonly Occurrence[];
  /** Occurrences that started at or before `before`, latest first, at most `count`. */
  readonly previous: (before: Date, count: number) => readonly Occurrence[];
  /** Occurrences under way at some moment from `from` to `to`: begun by `to`, not ended by `from`; soonest first. */
  readonly between: (from: Date, to: Date) => readonly Occurrence[];
}

export const DEFAULT_AGENDA_LEAD_TIME_MS = 24 * 3_600_000;

export interface Meeting {
  /** The name as a URL slug (`Acme Hosting CAB` → `acme-hosting-cab`). */
  readonly id: string;
  readonly name: string;
  readonly when: Condition;
  /** Absent: the meeting is ad hoc, its changes are flagged but no agenda is sent. */
  readonly schedule?: Schedule;
  /** Group and person ids, as the policy lists them. */
  readonly attendees: readonly string[];
  /** How long before each sitting its agenda is e-mailed (`agendaLeadTime`, default 1d). */
  readonly agendaLeadTimeMs: number;
  /** A matching change cannot become approved before this meeting's outcome is recorded. */
  readonly hold: boolean;
}

/** `Acme Hosting CAB` → `acme-hosting-cab`: how a meeting is named in URLs. */
export function meetingSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'meeting'
  );
}

export interface Policy {
  readonly version: 1;
  readonly organization: string;
  /** How long an external approver's signed link stays valid (`externalLinkTtl`, default 7 days). */
  readonly externalLinkTtlMs: number;
  /** SHA-256 of the policy file's bytes: recorded with every event. */
  readonly hash: string;
  readonly people: ReadonlyMap<string, Person>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly fields: readonly Field[];
  readonly services: ReadonlyMap<string, Service>;
  readonly changeTypes: ReadonlyMap<string, ChangeType>;
  readonly notifications: readonly NotificationRule[];
  /** Freezes given once, from–to. */
  readonly freezes: readonly Freeze[];
  readonly recurringFreezes: readonly RecurringFreeze[];
  readonly meetings: readonly Meeting[];
  /** The review a failed change owes when its type has no `review` (FAILURE_REVIEW_FIELDS, due in 2d). */
  readonly failureReview: ReviewPolicy;
  /**
   * The standard change catalog (`standardChanges`): with it, a change of a
   * pre-approved type (`approvals: []`) must name one of these templates.
   * Undefined when the policy has no such key: pre-approved types then take
   * any change, as before the catalog existed (policy check warns).
   */
  readonly standardChanges?: readonly StandardChange[];
}

/**
 * A pre-approved change (PRODUCT.md, "Standard change catalog"): what it may
 * touch, the answers it comes with (the `locked` ones cannot be changed), who
 * may raise it, and who accepted it when.
 */
export interface StandardChange {
  readonly id: string;
  readonly title: string;
  readonly services: readonly string[];
  readonly answers: Answers;
  /** Field ids whose answers must stay as the template gives them. */
  readonly locked: readonly string[];
  /** Groups whose members may raise it. */
  readonly requesters: readonly string[];
  /** The person who accepted the template. */
  readonly approvedBy: string;
  /** When, `YYYY-MM-DD`. */
  readonly approvedOn: string;
  /**
   * The first 12 hex digits of the SHA-256 of the template's RFC 8785 canonical
   * JSON, as written: any change to it is a new version, which a change records.
   */
  readonly version: string;
}
