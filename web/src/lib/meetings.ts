import type { ChangeCard, DiscussionOutcome, Meeting } from '../api/types.js';
import { formatDate } from './format.js';

/** The buttons of an outcome, and the outcome said afterwards. */
export const OUTCOMES: readonly { id: DiscussionOutcome; label: string; done: string }[] = [
  { id: 'approve', label: 'Approve', done: 'approved' },
  { id: 'reject', label: 'Reject', done: 'rejected' },
  { id: 'defer', label: 'Defer', done: 'deferred' },
  { id: 'noted', label: 'Noted', done: 'noted' },
];

export function outcomeDone(outcome: DiscussionOutcome): string {
  return OUTCOMES.find((o) => o.id === outcome)?.done ?? outcome;
}

const WEEKDAYS: Record<string, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};
const ORDINALS: Record<string, string> = {
  '1': 'first',
  '2': 'second',
  '3': 'third',
  '4': 'fourth',
  '-1': 'last',
};

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "30 minutes", "1 hour", "1 hour 30 minutes", "2 days". */
export function durationInWords(minutes: number): string {
  const days = minutes / (24 * 60);
  if (Number.isInteger(days) && days > 0) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [
    hours ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    rest || !hours ? `${rest} minute${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** When, in the RRULE's terms: "Thursdays", "every other Tuesday", "the first Monday of each month"; undefined for what it does not read. */
function recurrenceInWords(rrule: string): string | undefined {
  const parts = new Map(
    rrule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((part) => part.split('=') as [string, string | undefined])
      .map(([key, value]) => [key.toUpperCase(), (value ?? '').toUpperCase()]),
  );
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'WKST']);
  if ([...parts.keys()].some((key) => !known.has(key))) return undefined;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  const days = (parts.get('BYDAY') ?? '').split(',').filter(Boolean);
  switch (parts.get('FREQ') ?? '') {
    case 'DAILY':
      if (days.length > 0) return undefined;
      return interval === 1 ? 'every day' : `every ${interval} days`;
    case 'WEEKLY': {
      const names = days.map((day) => WEEKDAYS[day]);
      if (names.length === 0 || names.some((name) => !name)) return undefined;
      const list = names as string[];
      if (interval === 1) return joinAnd(list.map((name) => `${name}s`));
      if (interval === 2) return `every other ${joinAnd(list)}`;
      return `every ${interval} weeks on ${joinAnd(list)}`;
    }
    case 'MONTHLY': {
      const named = days.map((day) => {
        const match = /^(-?\d)([A-Z]{2})$/.exec(day);
        const ordinal = match ? ORDINALS[match[1]!] : undefined;
        const weekday = match ? WEEKDAYS[match[2]!] : undefined;
        return ordinal && weekday ? `the ${ordinal} ${weekday}` : undefined;
      });
      if (named.length === 0 || named.some((name) => !name)) return undefined;
      const months = interval === 1 ? 'each month' : `every ${interval} months`;
      return `${joinAnd(named as string[])} of ${months}`;
    }
    default:
      return undefined;
  }
}

/** "Thursdays at 14:00 (Europe/London), for 1 hour". */
export function scheduleInWords(schedule: NonNullable<Meeting['schedule']>): string {
  const when = recurrenceInWords(schedule.rrule);
  const head = when ? `${when.charAt(0).toUpperCase()}${when.slice(1)}` : `As ${schedule.rrule}`;
  return `${head} at ${schedule.at} (${schedule.timezone}), for ${durationInWords(schedule.durationMinutes)}`;
}

/**
 * "Thu 5 Nov: 3 changes through the meeting (2 approved, 1 deferred) · 14 decided
 * asynchronously since the sitting before": the last sitting against what did not need it.
 */
export function lastSittingLine(
  last: NonNullable<Meeting['last']>,
  timeZone: string | undefined,
): string {
  const outcomes = OUTCOMES.filter((o) => last.outcomes[o.id] > 0).map(
    (o) => `${last.outcomes[o.id]} ${o.done}`,
  );
  const through =
    last.discussed === 0
      ? 'no change through the meeting'
      : `${last.discussed} change${last.discussed === 1 ? '' : 's'} through the meeting${outcomes.length ? ` (${outcomes.join(', ')})` : ''}`;
  const async = `${last.decidedAsync === 0 ? 'none' : last.decidedAsync} decided asynchronously since the sitting before`;
  return `${formatDate(last.sitting.start, timeZone)}: ${through} · ${async}`;
}

/** The meetings that hold this card's change now: pending, and not yet discussed by a meeting with `hold`. */
export function heldFor(
  card: Pick<ChangeCard, 'state' | 'needsDiscussion'>,
  holding: ReadonlySet<string>,
): string[] {
  return card.state === 'pending' ? card.needsDiscussion.filter((name) => holding.has(name)) : [];
}

/**
 * An API link (the agenda as Markdown or .ics) as a path on this origin: the
 * server writes them with its PUBLIC_URL, and the session cookie goes only
 * where the app itself is.
 */
export function sameOriginHref(href: string): string {
  try {
    const url = new URL(href, window.location.origin);
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return href;
  }
}
