import type { Change, ChangeState } from './change.js';
import { freezesOverlapping } from './freezes.js';
import type { Freeze, Policy } from './policy.js';

/**
 * Changes that can get in each other's way: submitted and not yet over. A draft
 * is not a plan anyone has agreed to yet, so it conflicts with nothing.
 */
export const CONFLICTING_STATES = [
  'pending',
  'approved',
  'in_progress',
] as const satisfies readonly ChangeState[];

/** States in which a change's own conflicts are worth showing: it has not happened yet, or is happening. */
const STILL_PLANNED: readonly ChangeState[] = ['draft', ...CONFLICTING_STATES];

export interface PlannedWindow {
  readonly plannedStart: string | null;
  readonly plannedEnd: string | null;
}

/**
 * Whether two planned windows share a moment. Windows are half-open, as freezes
 * are: one that ends as the other begins does not overlap it. A window without
 * an end is an instant, which overlaps a window that contains it and an instant
 * at the same moment. A change with no planned start overlaps nothing.
 */
export function windowsOverlap(a: PlannedWindow, b: PlannedWindow): boolean {
  if (a.plannedStart === null || b.plannedStart === null) return false;
  const aStart = Date.parse(a.plannedStart);
  const bStart = Date.parse(b.plannedStart);
  const aEnd = a.plannedEnd === null ? undefined : Date.parse(a.plannedEnd);
  const bEnd = b.plannedEnd === null ? undefined : Date.parse(b.plannedEnd);
  if (aEnd === undefined && bEnd === undefined) return aStart === bStart;
  if (aEnd === undefined) return bStart <= aStart && aStart < bEnd!;
  if (bEnd === undefined) return aStart <= bStart && bStart < aEnd;
  return aStart < bEnd && bStart < aEnd;
}

/**
 * The stretch of time to ask storage about for `window` (canonical ISO instants,
 * half-open), or undefined when it has no start. An instant is widened by a
 * millisecond so that windows containing it, or starting at it, are found.
 */
export function conflictSearchRange(
  window: PlannedWindow,
): { readonly from: string; readonly to: string } | undefined {
  if (window.plannedStart === null) return undefined;
  const start = Date.parse(window.plannedStart);
  const end =
    window.plannedEnd === null ? start + 1 : Math.max(Date.parse(window.plannedEnd), start + 1);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

export interface ChangeConflict {
  readonly change: Change;
  /** The services both changes touch, in the other change's order. */
  readonly sharedServices: readonly string[];
}

export interface Conflicts {
  readonly changes: readonly ChangeConflict[];
  /** Freezes the planned window touches that do not allow the change's type (as `freezeWarnings`). */
  readonly freezes: readonly Freeze[];
}

export const NO_CONFLICTS: Conflicts = { changes: [], freezes: [] };

/**
 * What `change` would collide with: among `candidates`, the other changes still
 * planned or under way that share a service with it and whose planned window
 * overlaps its own; and the freezes its window touches. Nothing once the change
 * is over (or withdrawn, or rejected): there is nothing left to plan around.
 */
export function findConflicts(
  policy: Policy,
  change: Change,
  candidates: readonly Change[],
): Conflicts {
  if (!STILL_PLANNED.includes(change.state)) return NO_CONFLICTS;
  const changes = candidates.flatMap((other): ChangeConflict[] => {
    if (other.id === change.id) return [];
    if (!(CONFLICTING_STATES as readonly ChangeState[]).includes(other.state)) return [];
    const sharedServices = other.services.filter((s) => change.services.includes(s));
    if (sharedServices.length === 0 || !windowsOverlap(change, other)) return [];
    return [{ change: other, sharedServices }];
  });
  const freezes = freezesOverlapping(policy, change, {
    start: change.plannedStart,
    end: change.plannedEnd,
  });
  return { changes, freezes };
}
