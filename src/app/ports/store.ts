import type { Change } from '../../domain/change.js';
import type { AuditEvent } from '../../domain/events.js';
import type { ApprovalEvaluation } from '../../domain/requirements.js';
import type { AbsenceRepository } from './absences.js';
import type { ChangeRepository } from './changes.js';
import type { EventLog } from './events.js';
import type { GithubRepository } from './github.js';
import type { InsightsStore } from './insights.js';
import type {
  ActionLinkRepository,
  AgendaMailingRepository,
  ExternalLinkRepository,
  NewOutboxMessage,
  NudgeRepository,
  OutboxRepository,
} from './outbox.js';
import type { PolicyArchive } from './policies.js';
import type { SlackMessageRepository } from './slack.js';
import type { TokenRepository } from './tokens.js';
import type {
  OidcLoginRepository,
  RateLimitCounter,
  SignInLinkRepository,
  WebSessionRepository,
} from './web.js';

/** The store: every repository, transactions, and what listens to the events a transaction records. */

export interface Repositories {
  readonly changes: ChangeRepository;
  readonly absences: AbsenceRepository;
  readonly events: EventLog;
  readonly tokens: TokenRepository;
  readonly policies: PolicyArchive;
  readonly outbox: OutboxRepository;
  readonly nudges: NudgeRepository;
  readonly agendaMailings: AgendaMailingRepository;
  readonly actionLinks: ActionLinkRepository;
  readonly externalLinks: ExternalLinkRepository;
  readonly sessions: WebSessionRepository;
  readonly signInLinks: SignInLinkRepository;
  readonly oidcLogins: OidcLoginRepository;
  readonly github: GithubRepository;
  readonly rateLimits: RateLimitCounter;
  readonly slackMessages: SlackMessageRepository;
}

/**
 * A transaction. A use case that takes one declares the repositories it uses
 * (`TransactionWith<'changes' | 'events'>`), so a reader sees what it touches.
 */
export interface Transaction extends Repositories {
  /** Runs after a successful commit, never after a rollback (live updates, wake-ups). */
  afterCommit(callback: () => void): void;
}

export type TransactionWith<K extends keyof Repositories> = Pick<Transaction, K | 'afterCommit'>;

/** What queries may use: each repository's lookups and none of its writes. */
export interface Readers {
  readonly changes: Omit<ChangeRepository, 'insert' | 'update' | 'insertDiscussion'>;
  readonly absences: Pick<AbsenceRepository, 'list' | 'find'>;
  readonly events: Omit<EventLog, 'append' | 'planMessages'>;
  readonly tokens: Pick<TokenRepository, 'findByDigest' | 'list'>;
  readonly policies: Pick<PolicyArchive, 'find' | 'listAll' | 'active'>;
  readonly outbox: Pick<
    OutboxRepository,
    'list' | 'find' | 'nextDueAt' | 'countByStatus' | 'backlog'
  >;
  readonly actionLinks: Pick<ActionLinkRepository, 'find'>;
  readonly externalLinks: Pick<ExternalLinkRepository, 'find'>;
  readonly sessions: Pick<WebSessionRepository, 'findByDigest'>;
  readonly github: Pick<GithubRepository, 'findDelivery' | 'listDeliveries'>;
  readonly slackMessages: Pick<SlackMessageRepository, 'listForChange' | 'find'>;
}

/**
 * What acting on a change uses: its rows and the audit chain to write, and
 * reading anything (the subscribers that plan notifications read in the
 * transaction too).
 */
export type ChangeTransaction = Readers & TransactionWith<'changes' | 'events'>;

/**
 * The only writes that do not go through a transaction (and so not through
 * group commit). Each may, for the same reasons: none is part of the hash chain
 * or of a change; each is one statement that stands alone, made safe against a
 * second writer by its own condition (a link or a login used once, an outbox
 * row fenced by its lease token, a policy kept once by its hash); and several
 * sit on the path of a read (a session or token seen in use), where waiting for
 * the next batch would slow every page. Anything else writes in a transaction.
 */
export interface DirectWrites {
  /** Signing in and out, and a session's last use. */
  readonly sessions: Omit<WebSessionRepository, 'findByDigest'>;
  readonly signInLinks: SignInLinkRepository;
  readonly oidcLogins: OidcLoginRepository;
  /** Creating and revoking tokens (an admin's act), and a token's last use. */
  readonly tokens: Pick<TokenRepository, 'insert' | 'touch' | 'revoke'>;
  /** Links minted by the e-mail deliverer as it sends, and spent once. */
  readonly actionLinks: Pick<ActionLinkRepository, 'insert' | 'use'>;
  /** External approvers' links, minted as the e-mail is sent (spent in the decision's transaction). */
  readonly externalLinks: Pick<ExternalLinkRepository, 'insert'>;
  /**
   * The dispatcher's claim on what is due (one statement, each row leased to one
   * worker), a delivery's outcome, fenced by its lease; an admin's retry; the demo
   * inbox's "send now".
   */
  readonly outbox: Pick<
    OutboxRepository,
    'claim' | 'complete' | 'completeMany' | 'fail' | 'retry' | 'sendNow'
  >;
  /** The policy this process runs, archived by its hash at start-up. */
  readonly policies: Pick<PolicyArchive, 'remember'>;
  /** The Slack app's messages, recorded as they are posted and updated (like a delivery's outcome). */
  readonly slackMessages: Pick<SlackMessageRepository, 'insert' | 'touch' | 'forget'>;
}

export interface Store {
  readonly read: Readers;
  readonly direct: DirectWrites;
  /** The insights' rollup: derived from the changes and their events, never part of the chain. */
  readonly insights: InsightsStore;
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
    /** Subscribers read in the transaction; what they would write, they return. */
    tx: Readers,
    events: readonly AuditEvent[],
    change: Change,
    /** Where the change's approvals count after the action, when the use case has it. */
    evaluation?: ApprovalEvaluation,
  ): Promise<readonly NewOutboxMessage[]>;
  /** After commit: wake a dispatcher, push a live update. Must not throw. */
  afterCommit?(events: readonly AuditEvent[], change: Change): void;
  /**
   * The outbox messages events about people rather than one change cause (an
   * absence ended: the approval requests still open go back to the person).
   */
  messagesForPeople?(
    tx: Readers,
    events: readonly AuditEvent[],
  ): Promise<readonly NewOutboxMessage[]>;
}
