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

/** Freezes in force at `at` that forbid this change from starting. */
export function freezesBlockingAt(policy: Policy, subject: FreezeSubject, at: Date): Freeze[] {
  return policy.freezes.filter(
    (freeze) => freeze.from <= at && at < freeze.to && blocks(freeze, subject),
  );
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
  return policy.freezes.filter(
    (freeze) =>
      (end ? freeze.from < end : freeze.from <= start) &&
      start < freeze.to &&
      blocks(freeze, subject),
  );
}
