import type { Change, Decision } from '../domain/change.js';
import { changeClock, type ChangeClock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type { Policy } from '../domain/policy.js';
import { withDecisions, type ChangeCache } from './change-cache.js';
import type { Presence } from '../domain/absence.js';
import { evaluateChange } from '../domain/approval.js';
import type { ChangeQuery, Readers } from './ports.js';

export interface ChangeWithDecisions {
  readonly change: Change;
  /** Decisions of the current round only: earlier rounds were withdrawn by an edit. */
  readonly decisions: readonly Decision[];
}

export async function getChange(repos: Readers, id: number): Promise<ChangeWithDecisions> {
  const found = await repos.changes.findWithDecisions(id);
  if (!found) throw new AppError('not_found', `no change CHG-${id}`);
  return found;
}

export interface ChangePage {
  readonly items: readonly ChangeWithDecisions[];
  /** Pass back into the query for the next page; undefined on the last page. */
  readonly next?: PageCursor;
}

/** Where the next page starts: `beforeId` when newest first, `afterPlanned` in planned order. */
export type PageCursor = Pick<ChangeQuery, 'beforeId' | 'afterPlanned'>;

/** Rows read per step while filtering "waiting on me" exactly. */
const AWAITING_BATCH = 100;

/** Reads of a page before it is read in one statement, uncached (see readPage). */
const PAGE_ATTEMPTS = 3;

export interface ListOptions {
  readonly policy: Policy;
  readonly cache: ChangeCache;
  /** Who is away: "waiting on me" includes the changes the person may decide as a stand-in. */
  readonly presence?: Presence;
}

/**
 * A page of the board, in the query's order. The page's ids and versions are
 * read first and the changes themselves come from the cache where they have not
 * changed. With `awaiting`, storage pre-filters and the exact rule (the person
 * is among the change's eligible approvers, as in `waitingFor`) is applied
 * here, reading on until the page is full, so pages and cursors stay exact.
 */
export async function listChanges(
  repos: Readers,
  query: ChangeQuery,
  { policy, cache, presence }: ListOptions,
): Promise<ChangePage> {
  const pageOf = (items: readonly ChangeWithDecisions[]): ChangePage => {
    const page = items.slice(0, query.limit);
    const last = page.at(-1)?.change;
    return {
      items: page,
      next: items.length > query.limit && last ? cursorAfter(query, last) : undefined,
    };
  };
  // One extra row tells whether there is a next page without a count query.
  if (!query.awaiting)
    return pageOf(await readPage(repos, cache, { ...query, limit: query.limit + 1 }));
  const person = query.awaiting.person;
  const matches: ChangeWithDecisions[] = [];
  let cursor: PageCursor = query;
  for (;;) {
    const rows = await readPage(repos, cache, { ...query, ...cursor, limit: AWAITING_BATCH });
    for (const item of rows) {
      if (
        evaluateChange(policy, item.change, item.decisions, presence).eligibleApprovers.has(person)
      )
        matches.push(item);
    }
    const last = rows.at(-1)?.change;
    if (matches.length > query.limit || rows.length < AWAITING_BATCH || !last) break;
    cursor = cursorAfter(query, last);
  }
  return pageOf(matches);
}

function cursorAfter(query: ChangeQuery, change: Change): PageCursor {
  return query.order === 'plannedStart'
    ? { afterPlanned: { plannedStart: change.plannedStart ?? null, id: change.id } }
    : { beforeId: change.id };
}

/**
 * The changes `query` selects, each as of the moment its key was read. When
 * writes keep moving the page's changes between reading the keys and the rows,
 * the page is read whole in one statement instead, without the cache.
 */
async function readPage(
  repos: Readers,
  cache: ChangeCache,
  query: ChangeQuery,
): Promise<ChangeWithDecisions[]> {
  for (let attempt = 0; attempt < PAGE_ATTEMPTS; attempt++) {
    const items = await cache.load(repos, await repos.changes.listKeys(query));
    if (items) return items;
  }
  const changes = await repos.changes.list(query);
  const decisions = await repos.changes.listDecisionsForMany(changes.map((c) => c.id));
  return changes.map((change) => withDecisions(change, decisions.get(change.id) ?? []));
}

export async function listChangeEvents(repos: Readers, id: number): Promise<AuditEvent[]> {
  if (!(await repos.changes.find(id))) throw new AppError('not_found', `no change CHG-${id}`);
  return repos.events.listForChange(id);
}

/** How long the change took (domain/clock.ts): it reads the change's events, so one change at a time. */
export async function getChangeClock(repos: Readers, id: number): Promise<ChangeClock> {
  const change = await repos.changes.find(id);
  if (!change) throw new AppError('not_found', `no change CHG-${id}`);
  return changeClock(change, await repos.events.listForChange(id));
}
