import type { Change } from '../domain/change.js';
import {
  CONFLICTING_STATES,
  conflictSearchRange,
  findConflicts,
  NO_CONFLICTS,
  type Conflicts,
} from '../domain/conflicts.js';
import type { Policy } from '../domain/policy.js';
import type { Readers } from './ports.js';

/** Other changes shown at most: enough to see the calendar is crowded. */
export const MAX_CONFLICTING_CHANGES = 20;

/**
 * What the change's planned window collides with (domain/conflicts.ts decides).
 * Storage pre-selects by service, state and window; it needs a query, so it is
 * worked out for one change at a time (the change page, action answers,
 * notifications), never for a page of the board.
 */
export async function listConflicts(
  repos: Pick<Readers, 'changes'>,
  policy: Policy,
  change: Change,
): Promise<Conflicts> {
  const range = conflictSearchRange(change);
  if (!range || change.services.length === 0) return findConflicts(policy, change, []);
  const candidates = await repos.changes.list({
    states: CONFLICTING_STATES,
    services: change.services,
    plannedFrom: range.from,
    plannedTo: range.to,
    order: 'plannedStart',
    // One more, as the change itself may be among them.
    limit: MAX_CONFLICTING_CHANGES + 1,
  });
  const conflicts = findConflicts(policy, change, candidates);
  if (conflicts === NO_CONFLICTS) return conflicts;
  return { ...conflicts, changes: conflicts.changes.slice(0, MAX_CONFLICTING_CHANGES) };
}
