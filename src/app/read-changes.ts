import type { Change, Decision } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type { ChangeQuery, Repositories } from './ports.js';

export interface ChangeWithDecisions {
  readonly change: Change;
  /** Decisions of the current round only: earlier rounds were withdrawn by an edit. */
  readonly decisions: readonly Decision[];
}

export async function getChange(repos: Repositories, id: number): Promise<ChangeWithDecisions> {
  const change = await repos.changes.find(id);
  if (!change) throw new AppError('not_found', `no change CHG-${id}`);
  return { change, decisions: await repos.changes.listDecisions(id, change.round) };
}

export interface ChangePage {
  readonly items: readonly ChangeWithDecisions[];
  /** Pass back as `beforeId` for the next page; undefined on the last page. */
  readonly nextBeforeId?: number;
}

export async function listChanges(repos: Repositories, query: ChangeQuery): Promise<ChangePage> {
  // One extra row tells whether there is a next page without a count query.
  const rows = await repos.changes.list({ ...query, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const decisions = await repos.changes.listDecisionsForMany(page);
  return {
    items: page.map((change) => ({ change, decisions: decisions.get(change.id) ?? [] })),
    nextBeforeId: rows.length > query.limit ? page.at(-1)?.id : undefined,
  };
}

export async function listChangeEvents(repos: Repositories, id: number): Promise<AuditEvent[]> {
  if (!(await repos.changes.find(id))) throw new AppError('not_found', `no change CHG-${id}`);
  return repos.events.listForChange(id);
}
