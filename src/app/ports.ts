import type { AnswerValue, Change, ChangeState, Decision } from '../domain/change.js';
import type { AuditEvent, NewEvent } from '../domain/events.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';

/** What the use cases need from storage. Implemented once, in src/storage, for SQLite and PostgreSQL alike. */

export type NewChange = Omit<Change, 'id'>;

export interface ChangeQuery {
  readonly states?: readonly ChangeState[];
  readonly services?: readonly string[];
  readonly types?: readonly string[];
  readonly requesters?: readonly string[];
  /** true: only unassigned drafts (no requester yet); false: only changes with a requester. */
  readonly unassigned?: boolean;
  /** Words that must all appear in the title or description. */
  readonly text?: string;
  readonly needsDiscussion?: boolean;
  /**
   * Answers that must match: each field one of its values. Values are compared
   * as JSON (`"high"`, `true`, `3`), the same on both databases.
   */
  readonly answers?: Readonly<Record<string, readonly AnswerValue[]>>;
  /** Only changes whose planned window overlaps [plannedFrom, plannedTo) (canonical ISO instants). */
  readonly plannedFrom?: string;
  readonly plannedTo?: string;
  /**
   * A pre-filter for "waiting on me": pending changes by someone else, not yet
   * decided by `person` in their current round, with a requirement from one of
   * `groups`. Storage may return a few more (a requirement already met by others);
   * the use case (listChanges) applies the exact rule.
   */
  readonly awaiting?: { readonly person: string; readonly groups: readonly string[] };
  /** Only changes older (smaller id) than this one: keyset pagination, newest first. */
  readonly beforeId?: number;
  readonly limit: number;
}

/** Which version of a change a page holds: a change's content never differs within one version. */
export interface ChangeKey {
  readonly id: number;
  readonly version: number;
}

export interface ChangeRepository {
  insert(change: NewChange): Promise<Change>;
  /** With `forUpdate`, the row stays locked until the transaction ends (PostgreSQL; SQLite already holds the write lock). */
  find(id: number, options?: { forUpdate?: boolean }): Promise<Change | undefined>;
  /**
   * Writes what differs from `previous` (the change as read), if the stored version
   * is still `previous.version`; false when someone else got there first.
   */
  update(change: Change, previous: Change): Promise<boolean>;
  list(query: ChangeQuery): Promise<Change[]>;
  /** The same page as `list`, as ids and versions only: cheap to ask before a cache. */
  listKeys(query: ChangeQuery): Promise<ChangeKey[]>;
  /** The changes with these ids, in no particular order; ids that do not exist are left out. */
  findMany(ids: readonly number[]): Promise<Change[]>;
  listDecisions(changeId: number, round: number): Promise<Decision[]>;
  /** Every decision on each of these changes, of every round, oldest first: a page of the board in one query. */
  listDecisionsForMany(ids: readonly number[]): Promise<Map<number, Decision[]>>;
  insertDecision(decision: Decision): Promise<void>;
  /**
   * Pending changes of a type whose approvers were asked before `requestedBefore`
   * and have not had this nudge in their current round, oldest first.
   */
  listDueForNudge(query: {
    type: string;
    kind: 'reminder' | 'escalation';
    requestedBefore: string;
    limit: number;
  }): Promise<Change[]>;
  /** The newest change drafted from this pull request (`owner/name`, any case). */
  findLatestForPullRequest(
    repository: string,
    number: number,
    options?: { forUpdate?: boolean },
  ): Promise<Change | undefined>;
  /** The newest change whose pull request's head or merge commit is `sha` (full, any case). */
  findLatestForCommit(repository: string, sha: string): Promise<Change | undefined>;
}

export interface AuditHead {
  readonly lastId: number;
  readonly lastHash: string;
}

export interface EventLog {
  /**
   * Appends to the hash chain. The events are written when the transaction
   * seals them, just before it commits: until then the returned events carry
   * provisional ids and no hash, and they are completed in place then (so keep
   * the objects, not their ids, for after the commit). Must run inside a
   * transaction.
   */
  append(
    events: readonly NewEvent[],
    context: { at: string; policyHash: string },
  ): Promise<AuditEvent[]>;
  /**
   * The outbox messages that appended events cause, written with them when they
   * are sealed; their references to the events (`eventId`, also at the top of a
   * payload, and the event objects) are resolved to the final ids then.
   */
  planMessages(messages: readonly NewOutboxMessage[], at: string): void;
  listForChange(changeId: number): Promise<AuditEvent[]>;
  /** The events of each of these changes, in chain order. */
  listForChanges(ids: readonly number[]): Promise<Map<number, AuditEvent[]>>;
  /** Every event in chain order, a page at a time. */
  listAll(afterId: number, limit: number): Promise<AuditEvent[]>;
  head(): Promise<AuditHead | undefined>;
}

/** What a token opens: the API as a bearer token, or only its person's calendar feed. */
export type TokenScope = 'api' | 'calendar';

export interface ApiToken {
  readonly id: number;
  readonly person: string;
  readonly label: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface TokenRepository {
  insert(token: {
    digest: string;
    person: string;
    label: string;
    scope: TokenScope;
    createdAt: string;
  }): Promise<ApiToken>;
  findByDigest(digest: string): Promise<ApiToken | undefined>;
  touch(id: number, at: string): Promise<void>;
  list(person?: string): Promise<ApiToken[]>;
  revoke(id: number, at: string): Promise<boolean>;
}

export interface PolicyArchive {
  /** Keeps every policy version ever loaded, so each event's policyHash can be looked up. */
  remember(policy: { hash: string; source: string }, at: string): Promise<void>;
  find(hash: string): Promise<{ hash: string; source: string; firstSeenAt: string } | undefined>;
  listAll(): Promise<{ hash: string; source: string; firstSeenAt: string }[]>;
}

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

export interface OutboxMessage {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  readonly changeId: number | null;
  readonly eventId: number | null;
  readonly payload: unknown;
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
   * process) to `leaseToken`. Runs in a transaction; on PostgreSQL concurrent
   * claimers skip each other's rows (FOR UPDATE SKIP LOCKED).
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
  nextDueAt(): Promise<string | undefined>;
  countByStatus(): Promise<Record<OutboxStatus, number>>;
}

export interface NudgeRepository {
  /** True only for the first caller: a reminder or escalation is sent once per change and round. */
  claim(nudge: {
    changeId: number;
    round: number;
    kind: 'reminder' | 'escalation';
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

export interface ActionLinkRepository {
  insert(links: readonly ActionLink[]): Promise<void>;
  find(digest: string): Promise<ActionLink | undefined>;
  /** True only for the first use. */
  use(digest: string, at: string): Promise<boolean>;
}

export interface WebSession {
  readonly person: string;
  /** How the person signed in: `email` (a sign-in link) or `oidc`. */
  readonly via: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** Web sessions, looked up by the digest of the cookie's secret. */
export interface WebSessionRepository {
  insert(session: {
    digest: string;
    person: string;
    via: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void>;
  findByDigest(digest: string): Promise<WebSession | undefined>;
  touch(digest: string, at: string, expiresAt: string): Promise<void>;
  revoke(digest: string, at: string): Promise<boolean>;
  revokeAllFor(person: string, at: string): Promise<number>;
}

/** Fixed windows of requests per key, counted in the database so that every process shares them. */
export interface RateLimitCounter {
  /**
   * Counts one request for `key` and returns the count in its window; a window
   * that has ended (started `windowMs` or more before `nowMs`) starts again at 1.
   */
  hit(
    key: string,
    windowMs: number,
    nowMs: number,
  ): Promise<{ count: number; windowStartMs: number }>;
}

export interface SignInLinkRepository {
  insert(link: {
    digest: string;
    person: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void>;
  /** Marks an unused, unexpired link used and returns its person; undefined for every later or late use. */
  use(digest: string, at: string): Promise<string | undefined>;
}

export interface OidcLogin {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
}

export interface OidcLoginRepository {
  insert(
    login: OidcLogin & { digest: string; createdAt: string; expiresAt: string },
  ): Promise<void>;
  /** Removes and returns a login in flight, once; undefined when unknown or expired. */
  take(digest: string, at: string): Promise<OidcLogin | undefined>;
}

export const WEBHOOK_OUTCOMES = ['processed', 'ignored', 'refused'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/** One GitHub webhook delivery, as received and what came of it. */
export interface GithubDelivery {
  /** `X-GitHub-Delivery`: a manual redelivery keeps it, so it is what makes a delivery count once. */
  readonly id: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
  readonly receivedAt: string;
  readonly outcome: WebhookOutcome;
  readonly message: string;
  readonly changeId: number | null;
}

export interface GithubRepository {
  /** False when a delivery with this id was recorded before: it is a redelivery. */
  insertDelivery(delivery: GithubDelivery): Promise<boolean>;
  findDelivery(id: string): Promise<GithubDelivery | undefined>;
  updateDelivery(
    id: string,
    result: Pick<GithubDelivery, 'outcome' | 'message' | 'changeId'>,
  ): Promise<void>;
  /** Newest first; `before` continues after the last one of a previous page. */
  listDeliveries(query: {
    limit: number;
    before?: { receivedAt: string; id: string };
  }): Promise<GithubDelivery[]>;
  deleteDeliveriesBefore(receivedAt: string): Promise<void>;
  /**
   * Serialises work on one pull request until the transaction ends, so two
   * approvals arriving at once draft one change, not two. Must run in a transaction.
   */
  lockPullRequest(repository: string, number: number): Promise<void>;
}

export interface Repositories {
  readonly changes: ChangeRepository;
  readonly events: EventLog;
  readonly tokens: TokenRepository;
  readonly policies: PolicyArchive;
  readonly outbox: OutboxRepository;
  readonly nudges: NudgeRepository;
  readonly actionLinks: ActionLinkRepository;
  readonly sessions: WebSessionRepository;
  readonly signInLinks: SignInLinkRepository;
  readonly oidcLogins: OidcLoginRepository;
  readonly github: GithubRepository;
  readonly rateLimits: RateLimitCounter;
}

export interface Transaction extends Repositories {
  /** Runs after a successful commit, never after a rollback (live updates, wake-ups). */
  afterCommit(callback: () => void): void;
}

export interface Store {
  readonly read: Repositories;
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Reacts to events inside the transaction that appends them: notifications and
 * GitHub statuses are outbox rows committed (or rolled back) with the event.
 */
export interface EventSubscriber {
  /**
   * The outbox messages the events cause; they are written with the events. Refer
   * to an event by the message's `eventId`, an `eventId` at the top of its payload,
   * or the event object: these are resolved to the final id when the events are
   * sealed (other copies of the id are not).
   */
  messagesFor?(
    tx: Transaction,
    events: readonly AuditEvent[],
    change: Change,
    /** Where the change's approvals count after the action, when the use case has it. */
    evaluation?: ApprovalEvaluation,
  ): Promise<readonly NewOutboxMessage[]>;
  /** After commit: wake a dispatcher, push a live update. Must not throw. */
  afterCommit?(events: readonly AuditEvent[], change: Change): void;
}
