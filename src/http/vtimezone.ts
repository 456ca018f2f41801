import { DateTime, IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The years after this one a zone's rules must still describe. */
const YEARS_CHECKED = 10;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

interface Transition {
  /** The instant the offset changes. */
  readonly at: number;
  /** Offsets in minutes east of UTC, before and after. */
  readonly from: number;
  readonly to: number;
}

/** When in a year a transition comes: a weekday of a month (`n`: 1–4, or -1 for the last), or a day. */
type Rule =
  | {
      readonly month: number;
      readonly weekday: number;
      readonly n: number;
      readonly minutes: number;
    }
  | { readonly month: number; readonly day: number; readonly minutes: number };

/**
 * A VTIMEZONE component for an IANA time zone, for a calendar feed: RFC 5545
 * wants one for every TZID an event names, and calendar apps need the zone's
 * rules (not the offsets of a few dates) to place every occurrence of an event
 * that recurs. The rules are the zone's in `year` (a change on the nth or last
 * weekday of a month, or on a fixed day), written as holding since 1970; null
 * when they do not also give the zone's changes in the ten years after `year`,
 * and the calendar app is then left to its own knowledge of the zone's name.
 */
export function vtimezone(name: string, year: number): string | null {
  // A zone's rules take a year of lookups to find: each feed asks again.
  const key = `${name} ${year}`;
  if (!written.has(key)) written.set(key, write(name, year));
  return written.get(key)!;
}

/** Per zone and year; the policy names few zones. */
const written = new Map<string, string | null>();

function write(name: string, year: number): string | null {
  const zone = IANAZone.create(name);
  if (!zone.isValid) return null;
  const changes = transitionsIn(zone, year);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${name}`];
  if (changes.length === 0) {
    const offset = formatOffset(zone.offset(Date.UTC(year, 0, 1)));
    lines.push(
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      `TZOFFSETFROM:${offset}`,
      `TZOFFSETTO:${offset}`,
      'END:STANDARD',
    );
  } else {
    if (changes.length !== 2) return null;
    for (const change of changes) {
      const rule = ruleOf(zone, change, year);
      if (!rule) return null;
      const kind = change.to > change.from ? 'DAYLIGHT' : 'STANDARD';
      const first = DateTime.fromMillis(localStart(rule, 1970), { zone: 'UTC' });
      lines.push(
        `BEGIN:${kind}`,
        `DTSTART:${first.toFormat("yyyyLLdd'T'HHmmss")}`,
        `RRULE:FREQ=YEARLY;BYMONTH=${rule.month};${'weekday' in rule ? `BYDAY=${rule.n}${WEEKDAYS[rule.weekday]}` : `BYMONTHDAY=${rule.day}`}`,
        `TZOFFSETFROM:${formatOffset(change.from)}`,
        `TZOFFSETTO:${formatOffset(change.to)}`,
        `END:${kind}`,
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return `${lines.join('\r\n')}\r\n`;
}

/** The zone's offset changes in `year`, to the minute. */
function transitionsIn(zone: IANAZone, year: number): Transition[] {
  const found: Transition[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  for (let day = Date.UTC(year, 0, 1); day < end; day += DAY_MS) {
    const from = zone.offset(day);
    const to = zone.offset(day + DAY_MS);
    if (from === to) continue;
    let low = day;
    let high = day + DAY_MS;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (zone.offset(middle) === from) low = middle;
      else high = middle;
    }
    found.push({ at: high, from, to });
  }
  return found;
}

/** The rule that gives this change, checked against the zone's next years; undefined when none does. */
function ruleOf(zone: IANAZone, change: Transition, year: number): Rule | undefined {
  // The wall clock just before the change, which is what DTSTART and the rule say.
  const local = DateTime.fromMillis(change.at + change.from * MINUTE_MS, { zone: 'UTC' });
  const minutes = local.hour * 60 + local.minute;
  const weekday = local.weekday - 1;
  const candidates: Rule[] = [
    ...(local.day + 7 > local.daysInMonth!
      ? [{ month: local.month, weekday, n: -1, minutes }]
      : []),
    ...(local.day <= 28
      ? [{ month: local.month, weekday, n: Math.ceil(local.day / 7), minutes }]
      : []),
    { month: local.month, day: local.day, minutes },
  ];
  return candidates.find((rule) => {
    for (let y = year; y <= year + YEARS_CHECKED; y++) {
      const at = localStart(rule, y) - change.from * MINUTE_MS;
      if (zone.offset(at - MINUTE_MS) !== change.from || zone.offset(at) !== change.to)
        return false;
    }
    return true;
  });
}

/** The wall-clock time the rule gives in `year`, as milliseconds of a UTC clock. */
function localStart(rule: Rule, year: number): number {
  const firstOfMonth = Date.UTC(year, rule.month - 1, 1);
  let day: number;
  if ('day' in rule) day = rule.day;
  else {
    const firstWeekday = (new Date(firstOfMonth).getUTCDay() + 6) % 7;
    const firstMatch = 1 + ((rule.weekday - firstWeekday + 7) % 7);
    const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
    day =
      rule.n > 0
        ? firstMatch + 7 * (rule.n - 1)
        : firstMatch + 7 * Math.floor((daysInMonth - firstMatch) / 7);
  }
  return Date.UTC(year, rule.month - 1, day) + rule.minutes * MINUTE_MS;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const size = Math.abs(minutes);
  return `${sign}${String(Math.floor(size / 60)).padStart(2, '0')}${String(size % 60).padStart(2, '0')}`;
}
