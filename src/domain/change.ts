export const CHANGE_STATES = [
  'draft',
  'pending',
  'approved',
  'in_progress',
  'completed',
  'verified',
  'rejected',
  'withdrawn',
  'failed',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export type AnswerValue = string | number | boolean;
export type Answers = Readonly<Record<string, AnswerValue>>;

export interface Link {
  readonly title: string;
  readonly url: string;
}

/** What a requirement asks for, fixed when the change is submitted (or re-computed by an edit). */
export interface RequirementSpec {
  readonly group: string;
  readonly count: number;
  /** The service whose approvers this requirement stands for, when it came from `service-approvers`. */
  readonly service?: string;
  /**
   * Why the policy asks for it, naming the rule ("touches Payments API", "risk is high").
   * Absent on requirements stored before reasons were recorded.
   */
  readonly reason?: string;
}

/** The GitHub pull request a change was drafted from. */
export interface PullRequestRef {
  /** `owner/name`, lower-cased: GitHub treats repository names case-insensitively. */
  readonly repository: string;
  readonly number: number;
  readonly url: string;
  /** The commit the change covers: the PR's head when it was (last) approved or pushed to. */
  readonly headSha: string;
  /** Set once the PR is merged: the commit on the base branch that deployments usually run from. */
  readonly mergeSha: string | null;
  /** The PR author's GitHub login. */
  readonly author: string;
}

export interface Change {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly type: string;
  readonly services: readonly string[];
  readonly answers: Answers;
  readonly plannedStart: string | null;
  readonly plannedEnd: string | null;
  readonly links: readonly Link[];
  /** Null for an unassigned draft: one drafted from a pull request whose author is not in the policy, until someone claims it. */
  readonly requester: string | null;
  readonly state: ChangeState;
  /** Bumped by every action that changes the change; PATCH must name the version it edits. */
  readonly version: number;
  /** Bumped whenever requirements are (re)computed; decisions belong to one round. */
  readonly round: number;
  readonly requirements: readonly RequirementSpec[];
  /** Meetings that still want to discuss this change (policy `meetings`); empty when it is decided asynchronously. */
  readonly meetings: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly submittedAt: string | null;
  /** When approvers were last asked: at submit, and again when an edit re-computed the requirements. */
  readonly requestedAt: string | null;
  readonly pullRequest?: PullRequestRef;
  /**
   * The standard change template it was raised from, and that template's
   * version: when last saved, and from submit on the one it was sent (and
   * pre-approved) under. Later changes to the template do not move it.
   */
  readonly template?: { readonly id: string; readonly version: string };
  /** The post-implementation review it owes, from the moment it is completed or fails. */
  readonly review?: ChangeReview;
}

/** A review owed by `due`, and, once filed, who filed it, when and what they answered. */
export interface ChangeReview {
  readonly due: string;
  readonly doneAt: string | null;
  readonly by: string | null;
  readonly answers: Answers | null;
}

export type Verdict = 'approve' | 'reject';

/** How a decision was given when not on the board: a supplier's signed link, or an approver's e-mailed Approve / Reject link. */
export const DECISION_VIAS = ['external-link', 'email-link', 'slack', 'teams'] as const;
export type DecisionVia = (typeof DECISION_VIAS)[number];

export interface Decision {
  readonly changeId: number;
  readonly round: number;
  /** Whose decision it is: the approver the policy names (one decision per person per round). */
  readonly person: string;
  /** Who gave it for them, when they were away: their delegate or deputy ("Kim, for Sam"). */
  readonly standIn?: string;
  /** How it was given, when not on the board itself: `external-link` for a supplier's signed link. */
  readonly via?: DecisionVia;
  readonly verdict: Verdict;
  readonly comment: string | null;
  readonly at: string;
}

export const DISCUSSION_OUTCOMES = ['approve', 'reject', 'defer', 'noted'] as const;
export type DiscussionOutcome = (typeof DISCUSSION_OUTCOMES)[number];

/** A meeting's outcome on one change (`discussed`): what it decided, and at which sitting. */
export interface Discussion {
  readonly changeId: number;
  /** The meeting's name, as the policy gives it. */
  readonly meeting: string;
  /** The sitting it belongs to (its start), or null for a meeting without a schedule. */
  readonly occurrence: string | null;
  readonly outcome: DiscussionOutcome;
  readonly minutes: string | null;
  readonly url: string | null;
  /** The attendee who recorded it. */
  readonly actor: string;
  readonly via?: DecisionVia;
  readonly at: string;
}

/** What conditions (`when:`) are evaluated against. */
export interface ChangeSubject {
  readonly type: string;
  readonly services: readonly string[];
  readonly answers: Answers;
}

export function formatChangeId(id: number): string {
  return `CHG-${id}`;
}

/**
 * The largest change number, version or round: they are stored as 32-bit
 * integers (PostgreSQL's `integer`), so a larger one names nothing and is
 * refused before it reaches a query.
 */
export const MAX_STORED_INTEGER = 2_147_483_647;

/** Accepts `CHG-42`, `chg-42` or `42`. */
export function parseChangeId(text: string): number | undefined {
  const match = /^(?:CHG-)?(\d{1,15})$/i.exec(text.trim());
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 && id <= MAX_STORED_INTEGER ? id : undefined;
}
