import { DateTime } from 'luxon';
import { createRequire } from 'node:module';
import type rrulePackage from 'rrule';
import type { Options as RRuleOptions, RRule as RRuleType, Weekday } from 'rrule';
import type { Occurrence, Schedule } from '../domain/policy.js';
import { closest } from '../shared/closest.js';
import { formatDuration, parseDuration } from '../shared/duration.js';
import { isValidTimeZone } from './working-hours.js';

// rrule's package has no `exports` and no `"type": "module"`: Node runs its CommonJS
// build (`main`), whose named exports an ESM import cannot see (`import rrule from
// 'rrule'` gives the module object, to destructure). It is required instead: importing
// CommonJS makes Node scan the whole 130 kB bundle for export names first, which took
// longer than loading it (some 30 ms of a `policy check`). Its types are the package's own.
const { RRule } = createRequire(import.meta.url)('rrule') as typeof rrulePackage;

/**
 * When a meeting sits or a freeze recurs. rrule works in "floating" wall-clock
 * time: every date it sees or returns is the local date and time written as if
 * it were UTC (10:00 local is `…T10:00:00Z`), so daylight saving never moves an
 * occurrence. Each floating time becomes an instant in the schedule's zone with
 * luxon: a 10:00 Europe/London meeting is 10:00Z in winter and 09:00Z in summer.
 * A local time that a spring-forward skips is read as the time it becomes (01:30
 * on the day London skips 01:00–02:00 is 02:30 BST); one that a fall-back
 * repeats is read once. An occurrence lasts its duration exactly, as iCalendar
 * has it: a 66h freeze from Friday 15:00 ends at 09:00 on Monday, but at 08:00
 * on the Monday after the clocks go back.
 */

export interface ScheduleSpec {
  /** An RFC 5545 RRULE, with or without `RRULE:`, e.g. `FREQ=WEEKLY;BYDAY=TU`. */
  readonly rrule: string;
  /** Local start time, `HH:MM`. */
  readonly at: string;
  /** IANA time zone the time is in. */
  readonly timezone: string;
  /** How long each occurrence lasts: `30m`, `1h`; at most `1d` for a meeting. */
  readonly duration: string;
  /** `YYYY-MM-DD`: no sitting before this day; an INTERVAL counts from it. Default {@link DEFAULT_SCHEDULE_START}. */
  readonly starts?: string;
}

export interface ScheduleProblem {
  readonly field: keyof ScheduleSpec;
  readonly message: string;
}

/**
 * Where a schedule without `starts` counts from: a Monday (INTERVAL=2 without
 * `starts` sits in the weeks an even number after this one's), early enough that
 * the insights can ask how a cadence would have served any change.
 */
export const DEFAULT_SCHEDULE_START = '2001-01-01';

export const DEFAULT_CADENCE_DURATION = '1h';

/** How far from the time asked about sittings are looked for: no meeting sits less often. */
const HORIZON_YEARS = 10;
const DAY_MS = 86_400_000;

/** What a schedule is for: how long each occurrence may last, and the words its messages use. */
export interface ScheduleUse {
  /** One occurrence: `sitting`. */
  readonly occurrence: string;
  /** How long one may last, with `a sitting` (what lasts) and `a day` (the limit in words). */
  readonly longest: {
    readonly duration: string;
    readonly ms: number;
    readonly what: string;
    readonly words: string;
  };
  /** What an occurrence does: `sits`. */
  readonly verb: string;
  /** What happens at each occurrence, for "FREQ=HOURLY is more often than …". */
  readonly often: string;
  /** What follows from a schedule that never occurs again. */
  readonly ifNever: string;
}

export const MEETING_SCHEDULE: ScheduleUse = {
  occurrence: 'sitting',
  longest: { duration: '1d', ms: DAY_MS, what: 'a sitting', words: 'a day' },
  verb: 'sits',
  often: 'a meeting sits',
  ifNever: 'no agenda is sent',
};

/**
 * A freeze lasts up to a year (a peak-season freeze that recurs yearly); that
 * one occurrence ends before the next begins is checked from the rule itself.
 */
export const FREEZE_SCHEDULE: ScheduleUse = {
  occurrence: 'occurrence',
  longest: { duration: '366d', ms: 366 * DAY_MS, what: 'a freeze', words: 'a year' },
  verb: 'begins',
  often: 'a freeze begins',
  ifNever: 'it stops no change',
};

/** How many occurrences from its start a schedule's gaps are measured over. */
const GAP_SAMPLE = 60;

const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'] as const;
type Frequency = (typeof FREQUENCIES)[number];
const TOO_FREQUENT = ['HOURLY', 'MINUTELY', 'SECONDLY'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const PARTS = [
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYSETPOS',
  'WKST',
] as const;
/** Parts of an RRULE that the schedule's other keys say instead. */
const SAID_ELSEWHERE: Record<string, string> = {
  DTSTART: 'the first day comes from starts and the time of day from at',
  TZID: 'the time zone comes from timezone',
  BYHOUR: 'the time of day comes from at',
  BYMINUTE: 'the time of day comes from at',
  BYSECOND: 'the time of day comes from at',
};

/** A rule read and checked: the options rrule needs, except dtstart and until (which depend on the zone). */
interface ParsedRule {
  readonly freq: Frequency;
  readonly interval: number;
  readonly count?: number;
  readonly until?: Until;
  readonly options: Partial<RRuleOptions>;
}

/** `UNTIL=20261231` (through that local day), `…T170000` (local) or `…T170000Z` (an instant). */
type Until =
  | { readonly kind: 'local'; readonly fields: LocalFields }
  | { readonly kind: 'instant'; readonly at: Date };

interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** `09:30` → minutes after midnight; a message when it is not a time of day. */
export function parseTimeOfDay(text: string): number | string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59)
    return `"${text}" is not a time of day; write it as HH:MM, from 00:00 to 23:59`;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Reads an RRULE (with or without `RRULE:`); a message when it is not one a schedule can follow. */
function parseRule(
  text: string,
  hasStart: boolean,
  use: ScheduleUse = MEETING_SCHEDULE,
): ParsedRule | string {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') return 'must not be empty; write it like FREQ=WEEKLY;BYDAY=TU';
  const dtstart = /(?:^|[\s;])(DTSTART|TZID)[:;=]/i.exec(body)?.[1]?.toUpperCase();
  if (dtstart) return `${dtstart} does not belong in the rule: ${SAID_ELSEWHERE[dtstart]}`;
  if (/[\r\n]/.test(body))
    return 'must be one line: only the RRULE itself, such as FREQ=WEEKLY;BYDAY=TU';
  const values = new Map<string, string>();
  for (const part of body.split(';')) {
    const match = /^([A-Za-z-]+)=(.*)$/.exec(part.trim());
    if (!match)
      return `"${part}" is not a rule part; write NAME=VALUE parts joined by ";", such as FREQ=WEEKLY;BYDAY=TU`;
    const name = match[1]!.toUpperCase();
    const value = match[2]!.trim().toUpperCase();
    const elsewhere = SAID_ELSEWHERE[name];
    if (elsewhere) return `${name} does not belong in the rule: ${elsewhere}`;
    if (!(PARTS as readonly string[]).includes(name)) return unknownName('rule part', name, PARTS);
    if (values.has(name)) return `${name} is given twice`;
    if (value === '') return `${name} has no value`;
    values.set(name, value);
  }

  const freqText = values.get('FREQ');
  if (freqText === undefined)
    return 'needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), such as FREQ=WEEKLY;BYDAY=TU';
  if (TOO_FREQUENT.includes(freqText))
    return `FREQ=${freqText} is more often than ${use.often}: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at)`;
  if (!(FREQUENCIES as readonly string[]).includes(freqText))
    return unknownName('FREQ', freqText, FREQUENCIES);
  const freq = freqText as Frequency;
  const options: Partial<RRuleOptions> = { freq: RRule[freq] };

  const interval = values.has('INTERVAL') ? positive('INTERVAL', values.get('INTERVAL')!) : 1;
  if (typeof interval === 'string') return interval;
  options.interval = interval;

  let count: number | undefined;
  if (values.has('COUNT')) {
    const parsed = positive('COUNT', values.get('COUNT')!);
    if (typeof parsed === 'string') return parsed;
    if (values.has('UNTIL')) return 'COUNT and UNTIL cannot both be given: end the rule one way';
    if (!hasStart)
      return `COUNT counts ${use.occurrence}s from starts: give starts too, or end with UNTIL`;
    count = parsed;
    options.count = count;
  }

  let until: Until | undefined;
  if (values.has('UNTIL')) {
    const parsed = parseUntil(values.get('UNTIL')!);
    if (typeof parsed === 'string') return parsed;
    until = parsed;
  }

  if (values.has('BYDAY')) {
    const days: Weekday[] = [];
    for (const item of values.get('BYDAY')!.split(',')) {
      const match = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item.trim());
      const day = match ? DAYS.indexOf(match[2] as (typeof DAYS)[number]) : -1;
      if (!match || day < 0)
        return `"${item}" in BYDAY is not a day; use MO, TU, WE, TH, FR, SA or SU (a monthly or yearly rule may number them: 1MO, -1FR)`;
      const weekday = RRule[DAYS[day]!];
      if (match[1] === undefined) {
        days.push(weekday);
        continue;
      }
      const n = Number(match[1]);
      if (freq !== 'MONTHLY' && freq !== 'YEARLY')
        return `"${item}" in BYDAY is numbered, which only a MONTHLY or YEARLY rule can be; write ${DAYS[day]} alone`;
      if (freq === 'YEARLY' && values.has('BYWEEKNO'))
        return `"${item}" in BYDAY is numbered, which a rule with BYWEEKNO cannot be; write ${DAYS[day]} alone`;
      const limit = freq === 'MONTHLY' || values.has('BYMONTH') ? 5 : 53;
      if (n === 0 || Math.abs(n) > limit)
        return `"${item}" in BYDAY numbers a day that never comes: use 1 to ${limit}, or -1 to -${limit} counting from the end`;
      days.push(weekday.nth(n));
    }
    options.byweekday = days;
  }

  const numbers: [name: string, key: keyof RRuleOptions, max: number, what: string][] = [
    ['BYMONTHDAY', 'bymonthday', 31, 'a day of the month'],
    ['BYMONTH', 'bymonth', 12, 'a month'],
    ['BYYEARDAY', 'byyearday', 366, 'a day of the year'],
    ['BYWEEKNO', 'byweekno', 53, 'a week of the year'],
    ['BYSETPOS', 'bysetpos', 366, 'a position'],
  ];
  for (const [name, key, max, what] of numbers) {
    const text = values.get(name);
    if (text === undefined) continue;
    const list: number[] = [];
    for (const item of text.split(',')) {
      const n = /^[+-]?\d{1,3}$/.test(item.trim()) ? Number(item) : NaN;
      const signed = name !== 'BYMONTH';
      if (!Number.isInteger(n) || n === 0 || Math.abs(n) > max || (!signed && n < 0))
        return `"${item}" in ${name} is not ${what}: use 1 to ${max}${signed ? `, or -1 to -${max} counting from the end` : ''}`;
      list.push(n);
    }
    (options as Record<string, unknown>)[key] = list;
  }
  if (values.has('BYMONTHDAY') && freq === 'WEEKLY')
    return 'BYMONTHDAY cannot be used with FREQ=WEEKLY: use BYDAY, or FREQ=MONTHLY';
  if (values.has('BYYEARDAY') && freq !== 'YEARLY')
    return `BYYEARDAY only works with FREQ=YEARLY, not FREQ=${freq}`;
  if (values.has('BYWEEKNO') && freq !== 'YEARLY')
    return `BYWEEKNO only works with FREQ=YEARLY, not FREQ=${freq}`;
  if (
    values.has('BYSETPOS') &&
    !['BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYYEARDAY', 'BYWEEKNO'].some((name) => values.has(name))
  )
    return 'BYSETPOS picks among the days another part names: add one, such as BYDAY=MO,TU,WE,TH,FR';

  const wkst = values.get('WKST');
  if (wkst !== undefined) {
    const day = DAYS.indexOf(wkst as (typeof DAYS)[number]);
    if (day < 0) return `WKST "${wkst}" is not a day: use MO, TU, WE, TH, FR, SA or SU`;
    options.wkst = day;
  }
  return { freq, interval, count, until, options };
}

function positive(name: string, text: string): number | string {
  return /^\d{1,6}$/.test(text) && Number(text) > 0
    ? Number(text)
    : `${name} must be a whole number of 1 or more, not "${text}"`;
}

function parseUntil(text: string): Until | string {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(text);
  const fields: LocalFields | undefined = match
    ? {
        year: Number(match[1]),
        month: Number(match[2]),
        day: Number(match[3]),
        // A date alone: through the end of that (local) day.
        hour: match[4] === undefined ? 23 : Number(match[4]),
        minute: match[5] === undefined ? 59 : Number(match[5]),
        second: match[6] === undefined ? 59 : Number(match[6]),
      }
    : undefined;
  const valid =
    fields !== undefined &&
    DateTime.fromObject(fields, { zone: 'UTC' }).isValid &&
    fields.year >= 1970 &&
    fields.year <= 9999;
  if (!valid)
    return `UNTIL "${text}" is not a date such as 20261231 or a UTC time such as 20261231T170000Z`;
  return match![7] === 'Z'
    ? {
        kind: 'instant',
        at: new Date(floatingOf(fields)),
      }
    : { kind: 'local', fields };
}

function unknownName(kind: string, value: string, known: readonly string[]): string {
  const suggestion = closest(value, [...known]);
  return `unknown ${kind} "${value}" (${suggestion ? `did you mean "${suggestion}"?` : `known: ${known.join(', ')}`})`;
}

function parseStart(text: string): LocalFields | string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const fields = match
    ? {
        year: Number(match[1]),
        month: Number(match[2]),
        day: Number(match[3]),
        hour: 0,
        minute: 0,
        second: 0,
      }
    : undefined;
  if (!fields || !DateTime.fromObject(fields, { zone: 'UTC' }).isValid)
    return `"${text}" is not a date such as 2026-01-06`;
  if (fields.year < 1970) return `${text} is too long ago: start in 1970 or later`;
  return fields;
}

/** Every problem of a schedule, each with the key it is about; empty when it is sound. */
export function scheduleProblems(
  spec: ScheduleSpec,
  use: ScheduleUse = MEETING_SCHEDULE,
): ScheduleProblem[] {
  return read(spec, use).problems;
}

/**
 * What a sound schedule may not mean to say: that it never occurs after `now`,
 * or that an INTERVAL counts from the default start. Empty for a schedule with problems.
 */
export function scheduleWarnings(
  spec: ScheduleSpec,
  now: Date,
  use: ScheduleUse = MEETING_SCHEDULE,
): ScheduleProblem[] {
  const { schedule } = read(spec, use);
  const rule = parseRule(spec.rrule, spec.starts !== undefined, use);
  if (!schedule || typeof rule === 'string') return [];
  const warnings: ScheduleProblem[] = [];
  if (schedule.next(now, 1).length === 0) {
    const last = schedule.previous(now, 1)[0];
    warnings.push({
      field: 'rrule',
      message: last
        ? `never ${use.verb} again: its last ${use.occurrence} was ${formatLocal(last.start, spec.timezone)} (${spec.timezone}), so ${use.ifNever}`
        : `never ${use.verb}: no day in the ten years either side of today matches the rule, so ${use.ifNever}`,
    });
  }
  if (rule.interval > 1 && spec.starts === undefined) {
    const unit = { DAILY: 'days', WEEKLY: 'weeks', MONTHLY: 'months', YEARLY: 'years' }[rule.freq];
    warnings.push({
      field: 'rrule',
      message: `INTERVAL=${rule.interval} counts from ${DEFAULT_SCHEDULE_START} when starts is not given; give starts (the date of one ${use.occurrence}) to say which ${unit} it ${use.verb}`,
    });
  }
  return warnings;
}

/** The schedule, or what is wrong with it (`rrule: …`, the first problem found). */
export function parseSchedule(
  spec: ScheduleSpec,
  use: ScheduleUse = MEETING_SCHEDULE,
): Schedule | string {
  const { schedule, problems } = read(spec, use);
  return schedule ?? problems.map((p) => `${p.field}: ${p.message}`)[0]!;
}

/**
 * A meeting cadence in one line, `RRULE@HH:MM Zone` (the insights' `?cab=`):
 * `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London`. Sittings last
 * {@link DEFAULT_CADENCE_DURATION}; INTERVAL counts from {@link DEFAULT_SCHEDULE_START}.
 */
export function parseCadence(text: string): Schedule | string {
  const match = /^\s*([^@]+)@\s*(\S+)\s+(\S+)\s*$/.exec(text);
  if (!match)
    return `"${text}" is not a cadence; write it like FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London`;
  const { schedule, problems } = read(
    {
      rrule: match[1]!,
      at: match[2]!,
      timezone: match[3]!,
      duration: DEFAULT_CADENCE_DURATION,
    },
    MEETING_SCHEDULE,
  );
  return schedule ?? problems.map((p) => p.message).join('; ');
}

/**
 * The schedule as an iCalendar event that repeats: its first occurrence (the
 * event's DTSTART, in the schedule's zone) and its RRULE. Beside a DTSTART in a
 * time zone RFC 5545 wants UNTIL in UTC, so a local UNTIL (20261231: through
 * that local day) becomes the instant it is. Undefined when nothing occurs.
 */
export function icalendarRecurrence(
  schedule: Schedule,
): { readonly first: Occurrence; readonly rrule: string } | undefined {
  const first = schedule.next(new Date(0), 1)[0];
  if (!first) return undefined;
  const rrule = schedule.rrule
    .trim()
    .replace(/^RRULE:/i, '')
    .split(';')
    .map((part) => {
      const [name = '', value = ''] = part.split('=').map((text) => text.trim().toUpperCase());
      const until = name === 'UNTIL' ? parseUntil(value) : undefined;
      if (until === undefined || typeof until === 'string') return `${name}=${value}`;
      const instant =
        until.kind === 'instant'
          ? DateTime.fromJSDate(until.at)
          : DateTime.fromObject(until.fields, { zone: schedule.timezone });
      return `UNTIL=${instant.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")}`;
    })
    .join(';');
  return { first, rrule };
}

function read(
  spec: ScheduleSpec,
  use: ScheduleUse,
): {
  schedule?: Schedule;
  problems: ScheduleProblem[];
} {
  const problems: ScheduleProblem[] = [];
  const rule = parseRule(spec.rrule, spec.starts !== undefined, use);
  if (typeof rule === 'string') problems.push({ field: 'rrule', message: rule });
  const minutes = parseTimeOfDay(spec.at);
  if (typeof minutes === 'string') problems.push({ field: 'at', message: minutes });
  const zoneOk = isValidTimeZone(spec.timezone) && DateTime.now().setZone(spec.timezone).isValid;
  if (!zoneOk)
    problems.push({
      field: 'timezone',
      message: `unknown time zone "${spec.timezone}" (use an IANA name such as Europe/Berlin)`,
    });
  const durationMs = parseDuration(spec.duration);
  if (durationMs === undefined)
    problems.push({
      field: 'duration',
      message: /^(?:0+[wdhms])+$/.test(spec.duration.trim())
        ? 'must be longer than zero'
        : `"${spec.duration}" is not a duration; write it like 30m, 1h or 1h30m`,
    });
  else if (durationMs > use.longest.ms)
    problems.push({
      field: 'duration',
      message: `"${spec.duration}" is longer than ${use.longest.words}; ${use.longest.what} lasts at most ${use.longest.duration}`,
    });
  const start = parseStart(spec.starts ?? DEFAULT_SCHEDULE_START);
  if (typeof start === 'string') problems.push({ field: 'starts', message: start });
  if (
    problems.length > 0 ||
    typeof rule === 'string' ||
    typeof minutes === 'string' ||
    durationMs === undefined ||
    typeof start === 'string'
  )
    return { problems };
  const at = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const anchor = Date.UTC(
    start.year,
    start.month - 1,
    start.day,
    Math.floor(minutes / 60),
    minutes % 60,
  );
  const until =
    rule.until === undefined
      ? undefined
      : floatingOf(
          rule.until.kind === 'local'
            ? rule.until.fields
            : DateTime.fromJSDate(rule.until.at, { zone: spec.timezone }),
        );
  const walker = new Walker(rule, anchor, until);
  // Every occurrence begins at the same time of day, on another day: only one
  // that lasts longer than a day can still be under way when the next begins.
  if (durationMs > DAY_MS) {
    const gap = shortestGap(walker, anchor);
    if (gap !== undefined && gap < durationMs) {
      problems.push({
        field: 'duration',
        message: `"${spec.duration}" is longer than the time from one ${use.occurrence} to the next (${formatDuration(gap)} at the least): each would begin before the last ends`,
      });
      return { problems };
    }
  }
  return {
    problems,
    schedule: makeSchedule(spec.rrule, walker, anchor, at, spec.timezone, durationMs),
  };
}

/** The shortest time between two starts in floating time, over the first {@link GAP_SAMPLE} occurrences. */
function shortestGap(walker: Walker, anchor: number): number | undefined {
  let previous: number | undefined;
  let shortest: number | undefined;
  let seen = 0;
  walker.between(anchor, anchor + GAP_SAMPLE * walker.longestPeriodMs(), (floating) => {
    const time = floating.getTime();
    if (previous !== undefined) shortest = Math.min(shortest ?? Infinity, time - previous);
    previous = time;
    return ++seen < GAP_SAMPLE;
  });
  return shortest;
}

function makeSchedule(
  text: string,
  walker: Walker,
  anchor: number,
  at: string,
  timezone: string,
  durationMs: number,
): Schedule {
  /** A floating (local wall-clock) time as the instant it is in the zone, with its end. */
  const occurrence = (floating: Date): Occurrence => {
    const begins = DateTime.fromObject(
      {
        year: floating.getUTCFullYear(),
        month: floating.getUTCMonth() + 1,
        day: floating.getUTCDate(),
        hour: floating.getUTCHours(),
        minute: floating.getUTCMinutes(),
      },
      { zone: timezone },
    ).toJSDate();
    return { start: begins, end: new Date(begins.getTime() + durationMs) };
  };
  /** The local wall-clock time of an instant, as a floating time. */
  const floatingAt = (instant: number): number =>
    floatingOf(DateTime.fromMillis(instant, { zone: timezone }));
  /** Where to look from for occurrences not ended by `instant`: a day earlier still for the zone's offset. */
  const lowFor = (instant: number): number =>
    Math.max(anchor, floatingAt(instant - durationMs) - DAY_MS);

  return {
    rrule: text,
    at,
    timezone,
    durationMs,
    next(after, count) {
      const found: Occurrence[] = [];
      if (!(count > 0) || Number.isNaN(after.getTime())) return found;
      // An occurrence still under way has not ended by `after`: look from its possible start.
      const low = lowFor(after.getTime());
      walker.between(low, addYears(low, HORIZON_YEARS), (floating) => {
        const sitting = occurrence(floating);
        if (sitting.end > after) found.push(sitting);
        return found.length < count;
      });
      return found;
    },
    previous(before, count) {
      if (!(count > 0) || Number.isNaN(before.getTime())) return [];
      const high = floatingAt(before.getTime()) + DAY_MS;
      const floor = Math.max(anchor, addYears(high, -HORIZON_YEARS));
      // Look back a few periods, further while too few sittings are found.
      for (let periods = count + 2; ; periods *= 4) {
        const low = Math.max(floor, high - periods * walker.longestPeriodMs());
        const found = walker
          .between(low, high)
          .map(occurrence)
          .filter((sitting) => sitting.start <= before);
        if (found.length >= count || low <= floor) return found.slice(-count).reverse();
      }
    },
    between(from, to) {
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) return [];
      const low = lowFor(from.getTime());
      const high = floatingAt(to.getTime()) + DAY_MS;
      if (high < low) return [];
      return walker
        .between(low, high)
        .map(occurrence)
        .filter((each) => each.start <= to && each.end > from);
    },
  };
}

function floatingOf(fields: LocalFields | DateTime): number {
  return Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
}

function addYears(floating: number, years: number): number {
  const date = new Date(floating);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.getTime();
}

/**
 * Walks a rule through floating time for the sittings between two times, in
 * as few of the rule's periods (its days, weeks, months or years) as it can.
 *
 * rrule walks from dtstart to every date asked about, so a rule anchored years
 * ago gets slower each week. The same rule anchored a whole number of periods
 * later (the same weekday INTERVAL weeks on, the same day of the month INTERVAL
 * months on) has the same sittings from that anchor on; the sittings it loses,
 * earlier in the new anchor's own period, are before the time asked about. A
 * rule with COUNT is never moved: it counts from its first sitting.
 *
 * rrule also checks how far it has walked only when a day matches, so a rule no
 * day matches (FREQ=DAILY;INTERVAL=7;BYDAY=TU from a Monday) would walk on to
 * the year 9999, for minutes. It reads `interval` from its options once as it
 * starts and twice per period, and reading 0 ends the walk: each walk is
 * given the periods the times asked about can span, and no more.
 */
class Walker {
  private cached?: { readonly anchor: number; readonly rule: RRuleType };

  constructor(
    private readonly rule: ParsedRule,
    private readonly anchor: number,
    private readonly until: number | undefined,
  ) {}

  /** The sittings from `low` to `high` (floating, both included) in order, until `each` returns false. */
  between(low: number, high: number, each?: (floating: Date) => boolean): Date[] {
    const anchor = this.latestAnchorAtOrBefore(low);
    const rule = this.ruleFrom(anchor);
    const periods = Math.ceil((high - anchor) / this.shortestPeriodMs()) + 2;
    const options = rule.options;
    let reads = 0;
    rule.options = Object.create(options, {
      interval: { get: () => (++reads <= 1 + 2 * periods ? options.interval : 0) },
    }) as RRuleType['options'];
    try {
      return rule.between(new Date(low), new Date(high), true, each);
    } finally {
      rule.options = options;
    }
  }

  longestPeriodMs(): number {
    const days = { DAILY: 1, WEEKLY: 7, MONTHLY: 31, YEARLY: 366 }[this.rule.freq];
    return this.rule.interval * days * DAY_MS;
  }

  /** The first period may be cut short (by dtstart, or WKST): the walk is given two more. */
  private shortestPeriodMs(): number {
    const days = { DAILY: 1, WEEKLY: 7, MONTHLY: 28, YEARLY: 365 }[this.rule.freq];
    return this.rule.interval * days * DAY_MS;
  }

  private ruleFrom(anchor: number): RRuleType {
    if (this.cached?.anchor !== anchor) {
      const rule = new RRule(
        {
          ...this.rule.options,
          dtstart: new Date(anchor),
          ...(this.until === undefined ? {} : { until: new Date(this.until) }),
        },
        // noCache: rrule would otherwise keep every answer it gives, for good.
        true,
      );
      this.cached = { anchor, rule };
    }
    return this.cached.rule;
  }

  private latestAnchorAtOrBefore(floating: number): number {
    const { freq, interval, count } = this.rule;
    if (count !== undefined || floating <= this.anchor) return this.anchor;
    if (freq === 'DAILY' || freq === 'WEEKLY') {
      // Floating time has no daylight saving: every day is DAY_MS long.
      const period = interval * (freq === 'DAILY' ? 1 : 7) * DAY_MS;
      return this.anchor + Math.floor((floating - this.anchor) / period) * period;
    }
    const anchor = new Date(this.anchor);
    // Moving by months or years keeps the day of the month only up to the 28th.
    if (anchor.getUTCDate() > 28) return this.anchor;
    const step = freq === 'MONTHLY' ? interval : 12 * interval;
    const at = new Date(floating);
    const months =
      (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 +
      (at.getUTCMonth() - anchor.getUTCMonth());
    for (let steps = Math.floor(months / step); steps > 0; steps--) {
      const moved = Date.UTC(
        anchor.getUTCFullYear(),
        anchor.getUTCMonth() + steps * step,
        anchor.getUTCDate(),
        anchor.getUTCHours(),
        anchor.getUTCMinutes(),
      );
      if (moved <= floating) return moved;
    }
    return this.anchor;
  }
}

/** `Thu 10 Dec 2026 14:00`: an instant as the wall clock in `timezone` shows it. */
export function formatLocal(instant: Date, timezone: string): string {
  return DateTime.fromJSDate(instant, { zone: timezone })
    .setLocale('en-GB')
    .toFormat('ccc d LLL yyyy HH:mm');
}
