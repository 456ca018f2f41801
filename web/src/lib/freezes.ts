import type { PolicyInfo } from '../api/types.js';
import { scheduleInWords } from './meetings.js';

export type OneOffFreeze = PolicyInfo['freezes'][number];
export type RecurringFreeze = PolicyInfo['recurringFreezes'][number];

/** A freeze in force from `from` until `to` (half-open): a one-off freeze, or one occurrence of a recurring one. */
export interface FreezeWindow {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly allow: readonly string[];
  readonly recurring: boolean;
}

/** Whether the freeze covers `service` ("" for every service): one without services covers them all. */
export function coversService(freeze: { services: readonly string[] }, service: string): boolean {
  return !service || freeze.services.length === 0 || freeze.services.includes(service);
}

function overlaps(start: number, end: number, from: number, to: number): boolean {
  return start < to && end > from;
}

/**
 * The freezes in force at some time in [from, to), for `service` ("" for
 * all), soonest first: the one-off freezes, and the occurrences of recurring
 * ones the server listed (`next`, some 13 weeks ahead).
 */
export function freezeWindows(
  policy: Pick<PolicyInfo, 'freezes' | 'recurringFreezes'>,
  from: Date,
  to: Date,
  service: string,
): FreezeWindow[] {
  const inRange = (w: { from: string; to: string }) =>
    overlaps(Date.parse(w.from), Date.parse(w.to), from.getTime(), to.getTime());
  const oneOff = policy.freezes
    .filter((f) => coversService(f, service) && inRange(f))
    .map((f) => ({ name: f.name, from: f.from, to: f.to, allow: f.allow, recurring: false }));
  const recurring = policy.recurringFreezes
    .filter((f) => coversService(f, service))
    .flatMap((f) =>
      f.next
        .map((o) => ({ name: f.name, from: o.start, to: o.end, allow: f.allow, recurring: true }))
        .filter(inRange),
    );
  return [...oneOff, ...recurring].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
}

/** "only emergency and standard changes may start", "no change may start": what a freeze lets through. */
export function mayStartInWords(allow: readonly string[]): string {
  if (allow.length === 0) return 'no change may start';
  const list =
    allow.length === 1
      ? allow[0]!
      : `${allow.slice(0, -1).join(', ')} and ${allow[allow.length - 1]!}`;
  return `only ${list} changes may start`;
}

/**
 * "Fridays at 15:00 (Europe/London), for 9 hours: only emergency and standard
 * changes may start": a recurring freeze's schedule and what it lets through.
 */
export function recurringFreezeInWords(freeze: RecurringFreeze): string {
  return `${scheduleInWords(freeze)}: ${mayStartInWords(freeze.allow)}`;
}

/** The next `count` occurrences of a recurring freeze not over at `now`. */
export function upcomingOccurrences(
  freeze: RecurringFreeze,
  now: Date,
  count = 3,
): RecurringFreeze['next'] {
  return freeze.next.filter((o) => Date.parse(o.end) > now.getTime()).slice(0, count);
}
