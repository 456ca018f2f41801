import type { Change } from '../../domain/change.js';
import type { AuditEvent } from '../../domain/events.js';
import type { ApprovalEvaluation } from '../../domain/requirements.js';
import type { ChangeRepository } from './changes.js';
import type { EventLog } from './events.js';
import type { GithubRepository } from './github.js';
import type {
  ActionLinkRepository,
  NewOutboxMessage,
  NudgeRepository,
  OutboxRepository,
} from './outbox.js';
import type { PolicyArchive } from './policies.js';
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
