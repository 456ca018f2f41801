/** Messages to deliver (e-mail, chat, webhooks, GitHub statuses), nudges and e-mail action links. */

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'skipped', 'failed', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface NewOutboxMessage {
  /** Stable for the life of the message: receivers use it to drop duplicates. */
  readonly id: string;
  /** Which deliverer takes it: `teams`, `slack`, `webhook`, `email`, … */
  readonly kind: string;
  /** A channel id, a person id, a repository: whom the deliverer sends to. */
  readonly target: string;
  readonly changeId: number | null;
  readonly eventId: number | null;
  readonly payload: unknown;
  /** Not before this instant (working hours, reminders). */
  readonly notBefore: string;
  /** A message that can never be delivered (a channel whose URL is unset) is stored dead, with the reason. */
  readonly deadReason?: string;
}

/** A stored message: what was planned, and where its delivery stands. */
export interface OutboxMessage extends Omit<NewOutboxMessage, 'notBefore' | 'deadReason'> {
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseToken: string | null;
  readonly leaseExpiresAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

export interface OutboxRepository {
  enqueue(messages: readonly NewOutboxMessage[], createdAt: string): Promise<void>;
  /**
   * Leases due messages (and ones whose lease ran out, abandoned by a dead
   * process) to `leaseToken`, in one statement: it needs no transaction. On
   * PostgreSQL concurrent claimers skip each other's rows (FOR UPDATE SKIP LOCKED).
   */
  claim(options: {
    now: string;
    limit: number;
    leaseToken: string;
    leaseUntil: string;
  }): Promise<OutboxMessage[]>;
  /**
   * Fenced by the lease token: a worker whose lease was taken over cannot mark
   * the message. With `skipped`, nothing was sent because it was no longer
   * needed (an approval request for a change decided meanwhile), and why.
   */
  complete(id: string, leaseToken: string, sentAt: string, skipped?: string): Promise<boolean>;
  /** complete() for many messages of one lease at once. */
  completeMany(ids: readonly string[], leaseToken: string, sentAt: string): Promise<number>;
  /** `retryAt` null means give up: the message is dead-lettered with the error. */
  fail(
    id: string,
    leaseToken: string,
    outcome: { error: string; retryAt: string | null },
  ): Promise<boolean>;
  list(filter: {
    statuses?: readonly OutboxStatus[];
    changeId?: number;
    limit: number;
  }): Promise<OutboxMessage[]>;
  find(id: string): Promise<OutboxMessage | undefined>;
  /** A failed or dead message goes back to the queue, due now, with a fresh attempt count. */
  retry(id: string, now: string): Promise<boolean>;
  /** A pending message not yet due (it waits for working hours) becomes due now; false otherwise. */
  sendNow(id: string, now: string): Promise<boolean>;
  nextDueAt(): Promise<string | undefined>;
  countByStatus(): Promise<Record<OutboxStatus, number>>;
  /**
   * What is still to deliver (readiness, metrics). Reads only the rows not yet
   * delivered, through the (status, next_attempt_at) index: it costs the
   * backlog, never the history of sent messages.
   */
  backlog(): Promise<OutboxBacklog>;
}

export interface OutboxBacklog {
  readonly pending: number;
  readonly sending: number;
  /** Failed, waiting to be tried again. */
  readonly failed: number;
  readonly dead: number;
  /** The earliest `nextAttemptAt` of the pending, sending and failed messages: how long the backlog has been due. */
  readonly oldestDueAt: string | undefined;
}

/** An overdue post-implementation review, reminded to the requester and then escalated. */
export type ReviewNudgeKind = 'review-reminder' | 'review-escalation';

export interface NudgeRepository {
  /** True only for the first caller: a reminder or escalation is sent once per change and round. */
  claim(nudge: {
    changeId: number;
    round: number;
    kind: 'reminder' | 'escalation' | ReviewNudgeKind;
    at: string;
  }): Promise<boolean>;
}

export interface ActionLink {
  readonly digest: string;
  readonly person: string;
  readonly changeId: number;
  readonly round: number;
  readonly verdict: 'approve' | 'reject';
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly createdAt: string;
}

/** A signed link an external approver decides from: one person, one change and round, one decision. */
export interface ExternalLink {
  readonly digest: string;
  readonly person: string;
  readonly changeId: number;
  readonly round: number;
  /** The change's version when the link was sent (for the record: an edit opens a new round). */
  readonly version: number;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly createdAt: string;
  /** Set for an agenda's link: it records this meeting's outcome (its name) instead of a decision. */
  readonly meeting?: string;
}

export interface ExternalLinkRepository {
  insert(link: ExternalLink): Promise<void>;
  find(digest: string): Promise<ExternalLink | undefined>;
  /** True only for the first use; written with the decision it makes. */
  use(digest: string, at: string): Promise<boolean>;
}

/** Which sittings' agendas were e-mailed: each once, whichever process claims it. */
export interface AgendaMailingRepository {
  /** True only for the first claim of this sitting. */
  claim(meeting: string, sitting: string, at: string): Promise<boolean>;
}

export interface ActionLinkRepository {
  insert(links: readonly ActionLink[]): Promise<void>;
  find(digest: string): Promise<ActionLink | undefined>;
  /** True only for the first use. */
  use(digest: string, at: string): Promise<boolean>;
}
