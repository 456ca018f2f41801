import type {
  AnswerValue,
  Change,
  ChangeState,
  Decision,
  Discussion,
} from '../../domain/change.js';
import type { InsightFigure } from '../../domain/insights/rollup.js';
import type { ReviewNudgeKind } from './outbox.js';

/** Changes and their decisions, as the use cases ask for them. */

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
  /** Changes still open (draft, pending, approved) that a meeting has yet to discuss, or not. */
  readonly needsDiscussion?: boolean;
  /** true: changes whose post-implementation review is owed and not filed (overdue or not); false: the others. */
  readonly reviewDue?: boolean;
  /** Only changes that this meeting (its name) has yet to discuss. */
  readonly meeting?: string;
  /**
   * Answers that must match: each field one of its values. Values are compared
   * as JSON (`"high"`, `true`, `3`), the same on both databases.
   */
  readonly answers?: Readonly<Record<string, readonly AnswerValue[]>>;
  /** Only changes whose planned window overlaps [plannedFrom, plannedTo) (canonical ISO instants). */
  readonly plannedFrom?: string;
  readonly plannedTo?: string;
  /** Only changes created in [createdFrom, createdTo) (canonical ISO instants; either may be absent): the insights' population. */
  readonly createdFrom?: string;
  readonly createdTo?: string;
  /**
   * Only the changes behind an insights figure, as the insights' rollup has
   * them (the caller catches it up first); `nowMs` says when a review is overdue.
   */
  readonly figure?: { readonly figure: InsightFigure; readonly nowMs: number };
  /**
   * A pre-filter for "waiting on me": pending changes by someone else, not yet
   * decided by `person` in their current round, with a requirement from one of
   * `groups`; also, of the `startedTypes` (those with `earlyStart`), changes in
   * progress or completed, whose open approvals are still decided. Storage may
   * return a few more (a requirement already met by others); the use case
   * (listChanges) applies the exact rule.
   */
  readonly awaiting?: {
    readonly person: string;
    readonly groups: readonly string[];
    readonly startedTypes?: readonly string[];
  };
  /** Newest first (the default), or planned work in the order it happens (`plannedStart`). */
  readonly order?: ChangeOrder;
  /** Order `newest`: only changes older (smaller id) than this one, for keyset pagination. */
  readonly beforeId?: number;
  /** Order `plannedStart`: only changes after this one in that order. */
  readonly afterPlanned?: PlannedPosition;
  readonly limit: number;
}

/**
 * `plannedStart`: soonest planned start first, ties by id, changes without a
 * planned start last (by id).
 */
export type ChangeOrder = 'newest' | 'plannedStart';

/** Where a change stands in the `plannedStart` order. */
export interface PlannedPosition {
  readonly plannedStart: string | null;
  readonly id: number;
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
   * is still `previous.version`; false when someone else got there first. With
   * `decision`, the decision this version records is inserted too (in the same
   * statement where the database allows); on false, roll the transaction back.
   */
  update(change: Change, previous: Change, recorded?: { decision?: Decision }): Promise<boolean>;
  list(query: ChangeQuery): Promise<Change[]>;
  /** The same page as `list`, as ids and versions only: cheap to ask before a cache. */
  listKeys(query: ChangeQuery): Promise<ChangeKey[]>;
  /** The newest change's id; undefined while there is none. */
  lastId(): Promise<number | undefined>;
  /** The changes with these ids, in no particular order; ids that do not exist are left out. */
  findMany(ids: readonly number[]): Promise<Change[]>;
  listDecisions(changeId: number, round: number): Promise<Decision[]>;
  /**
   * The change with the decisions of its current round, as one read (one statement
   * where the database allows); with `forUpdate`, locked as `find` locks it.
   */
  findWithDecisions(
    id: number,
    options?: { forUpdate?: boolean },
  ): Promise<{ change: Change; decisions: Decision[] } | undefined>;
  /** Every decision on each of these changes, of every round, oldest first: a page of the board in one query. */
  listDecisionsForMany(ids: readonly number[]): Promise<Map<number, Decision[]>>;
  insertDiscussion(discussion: Discussion): Promise<void>;
  /** Meetings' outcomes, oldest first: of one meeting (at some of its sittings), or on one change. */
  listDiscussions(filter: {
    readonly meeting?: string;
    readonly occurrences?: readonly string[];
    readonly changeIds?: readonly number[];
  }): Promise<Discussion[]>;
  /**
   * Changes of a type in one of `states` (default pending; a change started
   * early still waits for its open approvals) whose approvers were asked before
   * `requestedBefore` and have not had this nudge in their current round, oldest first.
   */
  listDueForNudge(query: {
    type: string;
    states?: readonly ChangeState[];
    kind: 'reminder' | 'escalation';
    requestedBefore: string;
    limit: number;
  }): Promise<Change[]>;
  /**
   * Changes owing a post-implementation review that was due by `dueBefore`, not
   * filed, and not yet nudged with `kind`, soonest due first; of `type` only, if given.
   */
  listReviewsDue(query: {
    type?: string;
    kind: ReviewNudgeKind;
    dueBefore: string;
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
