import type { Change, ChangeState, Decision } from '../domain/change.js';
import type { AuditEvent, NewEvent } from '../domain/events.js';

/** What the use cases need from storage. Implemented once, in src/storage, for SQLite and PostgreSQL alike. */

export type NewChange = Omit<Change, 'id'>;

export interface ChangeQuery {
  readonly states?: readonly ChangeState[];
  readonly services?: readonly string[];
  readonly types?: readonly string[];
  readonly requesters?: readonly string[];
  /** Words that must all appear in the title or description. */
  readonly text?: string;
  readonly needsDiscussion?: boolean;
  /** Only changes older (smaller id) than this one: keyset pagination, newest first. */
  readonly beforeId?: number;
  readonly limit: number;
}

export interface ChangeRepository {
  insert(change: NewChange): Promise<Change>;
  /** With `forUpdate`, the row stays locked until the transaction ends (PostgreSQL; SQLite already holds the write lock). */
  find(id: number, options?: { forUpdate?: boolean }): Promise<Change | undefined>;
  /** Writes the change if its stored version is `expectedVersion`; false when someone else got there first. */
  update(change: Change, expectedVersion: number): Promise<boolean>;
  list(query: ChangeQuery): Promise<Change[]>;
  listDecisions(changeId: number, round: number): Promise<Decision[]>;
  /** Decisions for the current round of each change, for presenting a page of the board in one query. */
  listDecisionsForMany(
    changes: readonly Pick<Change, 'id' | 'round'>[],
  ): Promise<Map<number, Decision[]>>;
  insertDecision(decision: Decision): Promise<void>;
}

export interface AuditHead {
  readonly lastId: number;
  readonly lastHash: string;
}

export interface EventLog {
  /** Appends to the hash chain; must run inside a transaction, as the last writes before commit. */
  append(
    events: readonly NewEvent[],
    context: { at: string; policyHash: string },
  ): Promise<AuditEvent[]>;
  listForChange(changeId: number): Promise<AuditEvent[]>;
  /** Every event in chain order, a page at a time. */
  listAll(afterId: number, limit: number): Promise<AuditEvent[]>;
  head(): Promise<AuditHead | undefined>;
}

export interface ApiToken {
  readonly id: number;
  readonly person: string;
  readonly label: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface TokenRepository {
  insert(token: {
    digest: string;
    person: string;
    label: string;
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
}

export interface Repositories {
  readonly changes: ChangeRepository;
  readonly events: EventLog;
  readonly tokens: TokenRepository;
  readonly policies: PolicyArchive;
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
