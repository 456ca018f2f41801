import type { Freeze, Policy } from './policy.js';

interface FreezeSubject {
  readonly type: string;
  readonly services: readonly string[];
}

function blocks(freeze: Freeze, subject: FreezeSubject): boolean {
  if (freeze.allow.includes(subject.type)) return false;
  return (
    freeze.services.length === 0 ||
    subject.services.some((service) => freeze.services.includes(service))
  );
}

/**
 * Every freeze under way at some moment from `from` to `to` (begun by `to`, not
 * ended by `from`): the one-off freezes, then each occurrence of a recurring
 * freeze as a freeze of its own, with its real dates.
 */
function freezesBetween(policy: Policy, from: Date, to: Date): Freeze[] {
  const once = policy.freezes.filter((freeze) => freeze.from <= to && from < freeze.to);
  const recurring = policy.recurringFreezes.flatMap(({ schedule, ...freeze }) =>
    schedule.between(from, to).map(({ start, end }) => ({ ...freeze, from: start, to: end })),
  );
  return [...once, ...recurring];
}

/** Freezes in force at `at` that forbid this change from starting. */
export function freezesBlockingAt(policy: Policy, subject: FreezeSubject, at: Date): Freeze[] {
  return freezesBetween(policy, at, at).filter((freeze) => blocks(freeze, subject));
}

/** Freezes that overlap the planned window and would forbid the change: shown as warnings. */
export function freezesOverlapping(
  policy: Policy,
  subject: FreezeSubject,
  window: { start: string | null; end: string | null },
): Freeze[] {
  if (!window.start) return [];
  const start = new Date(window.start);
  // Windows and freezes are half-open: a change that ends as the freeze begins does not overlap it.
  const end = window.end ? new Date(window.end) : undefined;
  return freezesBetween(policy, start, end ?? start).filter(
    (freeze) => (end === undefined || freeze.from < end) && blocks(freeze, subject),
  );
}
