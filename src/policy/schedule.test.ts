import { fc, test } from '@fast-check/vitest';
import { DateTime } from 'luxon';
import { createRequire } from 'node:module';
import type rrulePackage from 'rrule';
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../domain/policy.js';
import {
  DEFAULT_SCHEDULE_START,
  FREEZE_SCHEDULE,
  formatLocal,
  icalendarRecurrence,
  parseCadence,
  parseSchedule,
  scheduleProblems,
  scheduleWarnings,
  type ScheduleSpec,
} from './schedule.js';

const { RRule } = createRequire(import.meta.url)('rrule') as typeof rrulePackage;

function schedule(spec: Partial<ScheduleSpec> = {}): Schedule {
  const parsed = parseSchedule({
    rrule: 'FREQ=WEEKLY;BYDAY=TU',
    at: '10:00',
    timezone: 'Europe/London',
    duration: '30m',
    ...spec,
  });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const starts = (sittings: readonly { start: Date }[]) =>
  sittings.map((sitting) => sitting.start.toISOString());

describe('a weekly meeting at a local time', () => {
  it('stays at 10:00 in London across the October and March changes', () => {
    const london = schedule();
    expect(starts(london.next(new Date('2026-10-12T00:00:00Z'), 4))).toEqual([
      '2026-10-13T09:00:00.000Z', // BST
      '2026-10-20T09:00:00.000Z',
      '2026-10-27T10:00:00.000Z', // GMT from 25 October
      '2026-11-03T10:00:00.000Z',
    ]);
    expect(starts(london.next(new Date('2027-03-22T00:00:00Z'), 2))).toEqual([
      '2027-03-23T10:00:00.000Z',
      '2027-03-30T09:00:00.000Z', // BST from 28 March
    ]);
    for (const sitting of london.next(new Date('2026-10-01T00:00:00Z'), 30))
      expect(formatLocal(sitting.start, 'Europe/London')).toMatch(/^Tue .* 10:00$/);
  });

  it('follows New York, whose clocks change on other days than London’s', () => {
    const newYork = schedule({ timezone: 'America/New_York' });
    const london = schedule();
    // 27 October 2026: London is back on GMT, New York still on EDT (until 1 November).
    expect(starts(newYork.next(new Date('2026-10-26T00:00:00Z'), 2))).toEqual([
      '2026-10-27T14:00:00.000Z',
      '2026-11-03T15:00:00.000Z',
    ]);
    expect(starts(london.next(new Date('2026-10-26T00:00:00Z'), 1))).toEqual([
      '2026-10-27T10:00:00.000Z',
    ]);
    // 16 March 2027: New York is on EDT (from 14 March), London still on GMT (until 28 March).
    expect(starts(newYork.next(new Date('2027-03-08T00:00:00Z'), 3))).toEqual([
      '2027-03-09T15:00:00.000Z',
      '2027-03-16T14:00:00.000Z',
      '2027-03-23T14:00:00.000Z',
    ]);
    expect(starts(london.next(new Date('2027-03-15T00:00:00Z'), 1))).toEqual([
      '2027-03-16T10:00:00.000Z',
    ]);
  });

  it('lasts its duration, as elapsed time', () => {
    const [sitting] = schedule({ duration: '1h30m' }).next(new Date('2026-10-20T00:00:00Z'), 1);
    expect(sitting!.end.getTime() - sitting!.start.getTime()).toBe(90 * 60_000);
  });

  it('counts a sitting under way as next, until it ends', () => {
    const london = schedule(); // 10:00–10:30 GMT in November
    expect(starts(london.next(new Date('2026-11-03T10:15:00Z'), 1))).toEqual([
      '2026-11-03T10:00:00.000Z',
    ]);
    expect(starts(london.next(new Date('2026-11-03T10:29:59.999Z'), 1))).toEqual([
      '2026-11-03T10:00:00.000Z',
    ]);
    expect(starts(london.next(new Date('2026-11-03T10:30:00Z'), 1))).toEqual([
      '2026-11-10T10:00:00.000Z',
    ]);
  });

  it('lists previous sittings latest first, a sitting starting at that moment included', () => {
    const london = schedule();
    expect(starts(london.previous(new Date('2026-11-03T10:00:00Z'), 3))).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-10-27T10:00:00.000Z',
      '2026-10-20T09:00:00.000Z',
    ]);
    expect(starts(london.previous(new Date('2026-11-03T09:59:59.999Z'), 1))).toEqual([
      '2026-10-27T10:00:00.000Z',
    ]);
  });

  it('gives nothing for a count of zero or an invalid date', () => {
    const london = schedule();
    expect(london.next(new Date('2026-11-03T00:00:00Z'), 0)).toEqual([]);
    expect(london.previous(new Date('2026-11-03T00:00:00Z'), 0)).toEqual([]);
    expect(london.next(new Date(NaN), 3)).toEqual([]);
  });

  it('answers as fast years on: a rule is not walked from its start every time', () => {
    const daily = schedule({ rrule: 'FREQ=DAILY' });
    const started = performance.now();
    for (let day = 0; day < 200; day++) {
      const at = new Date(Date.UTC(2040, 0, 1) + day * 86_400_000);
      expect(daily.next(at, 3)).toHaveLength(3);
      expect(daily.previous(at, 3)).toHaveLength(3);
    }
    // Walking from 2001 each time takes about 20 ms a call.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('INTERVAL and starts', () => {
  it('sits fortnightly from the day starts names', () => {
    const fortnightly = schedule({
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
      starts: '2026-11-03',
    });
    expect(starts(fortnightly.next(new Date('2026-10-01T00:00:00Z'), 3))).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-11-17T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    ]);
    const otherWeeks = schedule({
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
      starts: '2026-11-10',
    });
    expect(starts(otherWeeks.next(new Date('2026-11-01T00:00:00Z'), 2))).toEqual([
      '2026-11-10T10:00:00.000Z',
      '2026-11-24T10:00:00.000Z',
    ]);
    // Years on, it keeps to its weeks.
    expect(starts(fortnightly.next(new Date('2031-01-01T00:00:00Z'), 2))).toEqual([
      '2031-01-07T10:00:00.000Z',
      '2031-01-21T10:00:00.000Z',
    ]);
  });

  it('never sits before starts', () => {
    const later = schedule({ starts: '2026-11-10' });
    expect(later.previous(new Date('2026-11-09T12:00:00Z'), 3)).toEqual([]);
    expect(starts(later.previous(new Date('2026-11-24T12:00:00Z'), 5))).toEqual([
      '2026-11-24T10:00:00.000Z',
      '2026-11-17T10:00:00.000Z',
      '2026-11-10T10:00:00.000Z',
    ]);
  });

  it(`counts from ${DEFAULT_SCHEDULE_START} without starts`, () => {
    // 2026-12-01 is an even number of weeks after Monday 2001-01-01's week.
    const fortnightly = parseCadence('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London');
    if (typeof fortnightly === 'string') throw new Error(fortnightly);
    expect(starts(fortnightly.next(new Date('2026-11-25T00:00:00Z'), 2))).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-15T10:00:00.000Z',
    ]);
  });

  it('ends with COUNT (from starts) or UNTIL (a date: through that day)', () => {
    const three = schedule({ rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=3', starts: '2026-11-01' });
    expect(starts(three.next(new Date('2026-10-01T00:00:00Z'), 5))).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-11-10T10:00:00.000Z',
      '2026-11-17T10:00:00.000Z',
    ]);
    expect(three.previous(new Date('2030-01-01T00:00:00Z'), 1)).toHaveLength(1);
    expect(three.next(new Date('2026-11-18T00:00:00Z'), 1)).toEqual([]);

    const throughTheTenth = schedule({ rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110' });
    expect(starts(throughTheTenth.next(new Date('2026-11-01T00:00:00Z'), 5))).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-11-10T10:00:00.000Z',
    ]);
    const beforeTheTenth = schedule({ rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T095959Z' });
    expect(starts(beforeTheTenth.next(new Date('2026-11-01T00:00:00Z'), 5))).toEqual([
      '2026-11-03T10:00:00.000Z',
    ]);
  });

  it('follows monthly rules: the first Monday, the last day', () => {
    const firstMonday = schedule({ rrule: 'FREQ=MONTHLY;BYDAY=1MO', timezone: 'UTC' });
    expect(starts(firstMonday.next(new Date('2034-12-15T00:00:00Z'), 3))).toEqual([
      '2035-01-01T10:00:00.000Z',
      '2035-02-05T10:00:00.000Z',
      '2035-03-05T10:00:00.000Z',
    ]);
    const lastDay = schedule({ rrule: 'freq=monthly;bymonthday=-1', timezone: 'UTC' });
    expect(starts(lastDay.previous(new Date('2028-03-15T00:00:00Z'), 2))).toEqual([
      '2028-02-29T10:00:00.000Z',
      '2028-01-31T10:00:00.000Z',
    ]);
  });
});

describe('a local time the clocks skip or repeat', () => {
  it('reads 01:30 on the spring-forward day as the time it becomes, once', () => {
    const nightly = schedule({ rrule: 'FREQ=DAILY', at: '01:30', duration: '15m' });
    expect(starts(nightly.next(new Date('2027-03-27T00:00:00Z'), 3))).toEqual([
      '2027-03-27T01:30:00.000Z', // 01:30 GMT
      '2027-03-28T01:30:00.000Z', // 01:30 does not exist: 02:30 BST
      '2027-03-29T00:30:00.000Z', // 01:30 BST
    ]);
  });

  it('sits once on the fall-back day, when 01:30 happens twice', () => {
    const nightly = schedule({ rrule: 'FREQ=DAILY', at: '01:30', duration: '15m' });
    const sittings = nightly.next(new Date('2026-10-24T12:00:00Z'), 2);
    expect(sittings).toHaveLength(2);
    expect(sittings[0]!.start.toISOString().slice(0, 10)).toBe('2026-10-25');
    expect(sittings[1]!.start.toISOString()).toBe('2026-10-26T01:30:00.000Z');
  });
});

describe('what a schedule may not say', () => {
  const problemsOf = (spec: Partial<ScheduleSpec>) =>
    scheduleProblems({
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
      at: '10:00',
      timezone: 'Europe/London',
      duration: '30m',
      ...spec,
    });

  it('accepts a rule with or without RRULE:, in any case', () => {
    expect(problemsOf({ rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TU' })).toEqual([]);
    expect(problemsOf({ rrule: 'freq=weekly;byday=tu,th;wkst=su' })).toEqual([]);
    expect(problemsOf({ rrule: 'FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR' })).toEqual([]);
  });

  it.each([
    [
      'FREQ=HOURLY',
      'FREQ=HOURLY is more often than a meeting sits: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at)',
    ],
    ['FREQ=WEEKLY;BYHOUR=10', 'BYHOUR does not belong in the rule: the time of day comes from at'],
    [
      'FREQ=WEEKLY;BYMINUTE=30',
      'BYMINUTE does not belong in the rule: the time of day comes from at',
    ],
    [
      'FREQ=WEEKLY;BYSECOND=0',
      'BYSECOND does not belong in the rule: the time of day comes from at',
    ],
    [
      'DTSTART:20260106T100000Z',
      'DTSTART does not belong in the rule: the first day comes from starts and the time of day from at',
    ],
    [
      'FREQ=WEEKLY;DTSTART=20260106T100000Z',
      'DTSTART does not belong in the rule: the first day comes from starts and the time of day from at',
    ],
    [
      'FREQ=WEEKLY;TZID=Europe/London',
      'TZID does not belong in the rule: the time zone comes from timezone',
    ],
    ['BYDAY=TU', 'needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), such as FREQ=WEEKLY;BYDAY=TU'],
    ['FREQ=WEEKLEY', 'unknown FREQ "WEEKLEY" (did you mean "WEEKLY"?)'],
    ['FREQ=WEEKLY;BYDAYS=TU', 'unknown rule part "BYDAYS" (did you mean "BYDAY"?)'],
    ['FREQ=WEEKLY;FREQ=DAILY', 'FREQ is given twice'],
    [
      'every tuesday',
      '"every tuesday" is not a rule part; write NAME=VALUE parts joined by ";", such as FREQ=WEEKLY;BYDAY=TU',
    ],
    [
      'FREQ=WEEKLY;BYDAY=TUE',
      '"TUE" in BYDAY is not a day; use MO, TU, WE, TH, FR, SA or SU (a monthly or yearly rule may number them: 1MO, -1FR)',
    ],
    [
      'FREQ=WEEKLY;BYDAY=1TU',
      '"1TU" in BYDAY is numbered, which only a MONTHLY or YEARLY rule can be; write TU alone',
    ],
    [
      'FREQ=MONTHLY;BYDAY=6TU',
      '"6TU" in BYDAY numbers a day that never comes: use 1 to 5, or -1 to -5 counting from the end',
    ],
    ['FREQ=WEEKLY;INTERVAL=0', 'INTERVAL must be a whole number of 1 or more, not "0"'],
    [
      'FREQ=WEEKLY;COUNT=3;UNTIL=20261231',
      'COUNT and UNTIL cannot both be given: end the rule one way',
    ],
    [
      'FREQ=WEEKLY;COUNT=3',
      'COUNT counts sittings from starts: give starts too, or end with UNTIL',
    ],
    [
      'FREQ=WEEKLY;UNTIL=2026-12-31',
      'UNTIL "2026-12-31" is not a date such as 20261231 or a UTC time such as 20261231T170000Z',
    ],
    [
      'FREQ=MONTHLY;BYMONTHDAY=32',
      '"32" in BYMONTHDAY is not a day of the month: use 1 to 31, or -1 to -31 counting from the end',
    ],
    ['FREQ=YEARLY;BYMONTH=13', '"13" in BYMONTH is not a month: use 1 to 12'],
    [
      'FREQ=WEEKLY;BYMONTHDAY=1',
      'BYMONTHDAY cannot be used with FREQ=WEEKLY: use BYDAY, or FREQ=MONTHLY',
    ],
    ['FREQ=MONTHLY;BYWEEKNO=1', 'BYWEEKNO only works with FREQ=YEARLY, not FREQ=MONTHLY'],
    [
      'FREQ=MONTHLY;BYSETPOS=-1',
      'BYSETPOS picks among the days another part names: add one, such as BYDAY=MO,TU,WE,TH,FR',
    ],
    ['FREQ=WEEKLY;WKST=XX', 'WKST "XX" is not a day: use MO, TU, WE, TH, FR, SA or SU'],
    [
      'FREQ=WEEKLY;\nBYDAY=TU',
      'must be one line: only the RRULE itself, such as FREQ=WEEKLY;BYDAY=TU',
    ],
  ])('refuses %j', (rrule, message) => {
    expect(problemsOf({ rrule })).toEqual([{ field: 'rrule', message }]);
  });

  it('names each other key that is wrong', () => {
    expect(
      problemsOf({
        at: '24:00',
        timezone: 'Europe/Londn',
        duration: 'an hour',
        starts: '2026-02-30',
      }),
    ).toEqual([
      {
        field: 'at',
        message: '"24:00" is not a time of day; write it as HH:MM, from 00:00 to 23:59',
      },
      {
        field: 'timezone',
        message: 'unknown time zone "Europe/Londn" (use an IANA name such as Europe/Berlin)',
      },
      {
        field: 'duration',
        message: '"an hour" is not a duration; write it like 30m, 1h or 1h30m',
      },
      { field: 'starts', message: '"2026-02-30" is not a date such as 2026-01-06' },
    ]);
    expect(problemsOf({ duration: '0m' })).toEqual([
      { field: 'duration', message: 'must be longer than zero' },
    ]);
    expect(problemsOf({ duration: '1d1m' })).toEqual([
      { field: 'duration', message: '"1d1m" is longer than a day; a sitting lasts at most 1d' },
    ]);
    expect(problemsOf({ duration: '1d', at: '9:05' })).toEqual([]);
    expect(schedule({ at: '9:05' }).at).toBe('09:05');
  });

  it('warns of a schedule that never sits again, or whose INTERVAL counts from the default start', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const spec = { at: '10:00', timezone: 'Europe/London', duration: '30m' };
    expect(scheduleWarnings({ ...spec, rrule: 'FREQ=WEEKLY;BYDAY=TU' }, now)).toEqual([]);
    expect(
      scheduleWarnings({ ...spec, rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110' }, now),
    ).toEqual([
      {
        field: 'rrule',
        message:
          'never sits again: its last sitting was Tue 10 Nov 2026 10:00 (Europe/London), so no agenda is sent',
      },
    ]);
    expect(
      scheduleWarnings({ ...spec, rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }, now),
    ).toEqual([
      {
        field: 'rrule',
        message:
          'never sits: no day in the ten years either side of today matches the rule, so no agenda is sent',
      },
    ]);
    expect(scheduleWarnings({ ...spec, rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU' }, now)).toEqual([
      {
        field: 'rrule',
        message: `INTERVAL=2 counts from ${DEFAULT_SCHEDULE_START} when starts is not given; give starts (the date of one sitting) to say which weeks it sits`,
      },
    ]);
    expect(
      scheduleWarnings(
        { ...spec, rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', starts: '2026-11-03' },
        now,
      ),
    ).toEqual([]);
  });

  it('gives up at once on a rule no day ever matches', () => {
    // rrule alone would walk day by day to the year 9999: over a minute.
    const never = schedule({ rrule: 'FREQ=DAILY;INTERVAL=7;BYDAY=TU' }); // every 7th day from a Monday
    const started = performance.now();
    expect(never.next(new Date('2026-12-01T00:00:00Z'), 1)).toEqual([]);
    expect(never.previous(new Date('2026-12-01T00:00:00Z'), 1)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('a freeze schedule', () => {
  const weekends = {
    rrule: 'FREQ=WEEKLY;BYDAY=FR',
    at: '15:00',
    timezone: 'Europe/London',
    duration: '66h',
  };
  const freezeProblems = (spec: Partial<ScheduleSpec>) =>
    scheduleProblems({ ...weekends, ...spec }, FREEZE_SCHEDULE);

  it('may last longer than a day, up to a year', () => {
    expect(freezeProblems({})).toEqual([]);
    expect(scheduleProblems({ ...weekends, duration: '66h' })).toEqual([
      { field: 'duration', message: '"66h" is longer than a day; a sitting lasts at most 1d' },
    ]);
    expect(
      freezeProblems({ rrule: 'FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=20', duration: '6w3d' }),
    ).toEqual([]);
    expect(freezeProblems({ rrule: 'FREQ=YEARLY', duration: '367d' })).toEqual([
      { field: 'duration', message: '"367d" is longer than a year; a freeze lasts at most 366d' },
    ]);
  });

  it('must end before the next occurrence begins', () => {
    expect(freezeProblems({ duration: '8d' })).toEqual([
      {
        field: 'duration',
        message:
          '"8d" is longer than the time from one occurrence to the next (1w at the least): each would begin before the last ends',
      },
    ]);
    expect(freezeProblems({ rrule: 'FREQ=WEEKLY;BYDAY=FR,MO', duration: '3d1h' })).toEqual([
      {
        field: 'duration',
        message:
          '"3d1h" is longer than the time from one occurrence to the next (3d at the least): each would begin before the last ends',
      },
    ]);
    // Back to back is allowed: the freeze lifts as the next begins.
    expect(freezeProblems({ duration: '7d' })).toEqual([]);
    expect(freezeProblems({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1', duration: '29d' })).toEqual([
      {
        field: 'duration',
        message:
          '"29d" is longer than the time from one occurrence to the next (4w at the least): each would begin before the last ends',
      },
    ]);
  });

  it('speaks of freezes, not meetings', () => {
    expect(freezeProblems({ rrule: 'FREQ=HOURLY' })).toEqual([
      {
        field: 'rrule',
        message:
          'FREQ=HOURLY is more often than a freeze begins: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at)',
      },
    ]);
    expect(freezeProblems({ rrule: 'FREQ=WEEKLY;COUNT=3' })).toEqual([
      {
        field: 'rrule',
        message: 'COUNT counts occurrences from starts: give starts too, or end with UNTIL',
      },
    ]);
    expect(
      scheduleWarnings(
        { ...weekends, rrule: 'FREQ=WEEKLY;BYDAY=FR;UNTIL=20261110' },
        new Date('2026-12-01T00:00:00Z'),
        FREEZE_SCHEDULE,
      ),
    ).toEqual([
      {
        field: 'rrule',
        message:
          'never begins again: its last occurrence was Fri 6 Nov 2026 15:00 (Europe/London), so it stops no change',
      },
    ]);
  });

  it('finds the occurrences under way between two moments', () => {
    const parsed = parseSchedule(weekends, FREEZE_SCHEDULE);
    if (typeof parsed === 'string') throw new Error(parsed);
    const between = (from: string, to: string) =>
      parsed
        .between(new Date(from), new Date(to))
        .map((o) => `${o.start.toISOString()} – ${o.end.toISOString()}`);
    expect(between('2026-11-08T00:00:00Z', '2026-11-08T00:00:00Z')).toEqual([
      '2026-11-06T15:00:00.000Z – 2026-11-09T09:00:00.000Z',
    ]);
    expect(between('2026-11-09T09:00:00Z', '2026-11-13T15:00:00Z')).toEqual([
      '2026-11-13T15:00:00.000Z – 2026-11-16T09:00:00.000Z',
    ]);
    expect(between('2026-11-09T09:00:00Z', '2026-11-13T14:59:00Z')).toEqual([]);
    expect(between('2026-11-13T15:00:00Z', '2026-11-09T09:00:00Z')).toEqual([]);
  });
});

describe('icalendarRecurrence', () => {
  it('gives the first occurrence and the rule, with UNTIL as a UTC instant', () => {
    const parsed = parseSchedule(
      {
        rrule: 'rrule:freq=weekly;byday=fr;until=20270402',
        at: '15:00',
        timezone: 'Europe/London',
        duration: '9h',
        starts: '2026-10-20',
      },
      FREEZE_SCHEDULE,
    );
    if (typeof parsed === 'string') throw new Error(parsed);
    const recurrence = icalendarRecurrence(parsed);
    // The first Friday from starts, in summer time; UNTIL is the end of 2 April, London (BST).
    expect(recurrence?.first).toEqual({
      start: new Date('2026-10-23T14:00:00Z'),
      end: new Date('2026-10-23T23:00:00Z'),
    });
    expect(recurrence?.rrule).toBe('FREQ=WEEKLY;BYDAY=FR;UNTIL=20270402T225959Z');
    expect(
      icalendarRecurrence(schedule({ rrule: 'FREQ=WEEKLY;UNTIL=20261231T170000Z' }))?.rrule,
    ).toBe('FREQ=WEEKLY;UNTIL=20261231T170000Z');
    expect(
      icalendarRecurrence(schedule({ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' })),
    ).toBeUndefined();
  });
});

describe('parseCadence', () => {
  it('reads RRULE@HH:MM Zone, an hour long', () => {
    const cadence = parseCadence('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London');
    expect(cadence).toMatchObject({
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
      at: '10:00',
      timezone: 'Europe/London',
      durationMs: 3_600_000,
    });
  });

  it('says what is wrong', () => {
    expect(parseCadence('weekly on tuesdays')).toBe(
      '"weekly on tuesdays" is not a cadence; write it like FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London',
    );
    expect(parseCadence('FREQ=HOURLY@25:00 Mars/Olympus')).toBe(
      'FREQ=HOURLY is more often than a meeting sits: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at); "25:00" is not a time of day; write it as HH:MM, from 00:00 to 23:59; unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)',
    );
  });
});

/**
 * The sittings as rrule gives them walking from the start, made instants the
 * plain way, for as long as `more` says.
 */
function walkFromStart(
  spec: ScheduleSpec,
  more: (start: Date, found: string[]) => boolean,
): string[] {
  const [hour, minute] = spec.at.split(':').map(Number) as [number, number];
  const [y, m, d] = (spec.starts ?? DEFAULT_SCHEDULE_START).split('-').map(Number) as [
    number,
    number,
    number,
  ];
  const rule = new RRule(
    { ...RRule.parseString(spec.rrule), dtstart: new Date(Date.UTC(y, m - 1, d, hour, minute)) },
    true,
  );
  const found: string[] = [];
  rule.all((floating) => {
    const start = DateTime.fromObject(
      {
        year: floating.getUTCFullYear(),
        month: floating.getUTCMonth() + 1,
        day: floating.getUTCDate(),
        hour: floating.getUTCHours(),
        minute: floating.getUTCMinutes(),
      },
      { zone: spec.timezone },
    ).toJSDate();
    return more(start, found);
  });
  return found;
}

describe('moving the anchor forward', () => {
  const specs = fc.record({
    rrule: fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }),
          fc.constantFrom('MO', 'SU', 'WE'),
        )
        .map(([n, days, wkst]) => `FREQ=WEEKLY;INTERVAL=${n};BYDAY=${days.join(',')};WKST=${wkst}`),
      fc.integer({ min: 1, max: 5 }).map((n) => `FREQ=DAILY;INTERVAL=${n}`),
      fc
        .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('1MO', '-1FR', '2TU,4TU'))
        .map(([n, days]) => `FREQ=MONTHLY;INTERVAL=${n};BYDAY=${days}`),
      fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('1', '15,-1', '31'))
        .map(([n, days]) => `FREQ=MONTHLY;INTERVAL=${n};BYMONTHDAY=${days}`),
      fc.constantFrom(
        'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
        'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
        'FREQ=YEARLY;INTERVAL=2;BYMONTH=3,9;BYDAY=1WE',
        'FREQ=MONTHLY',
        'FREQ=YEARLY',
      ),
    ),
    at: fc.constantFrom('00:30', '01:30', '10:00', '23:45'),
    timezone: fc.constantFrom('Europe/London', 'America/New_York', 'Australia/Sydney', 'UTC'),
    duration: fc.constant('30m'),
    starts: fc.option(
      fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString().slice(0, 10)),
      { nil: undefined },
    ),
  });

  test.prop(
    [
      specs,
      fc.date({
        min: new Date('2019-01-01T00:00:00Z'),
        max: new Date('2032-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
    ],
    { numRuns: 60 },
  )('finds what walking from the start finds, ten years either way', (spec, after) => {
    const parsed = parseSchedule(spec);
    if (typeof parsed === 'string') throw new Error(parsed);
    const durationMs = 30 * 60_000;
    const nineYears = 9 * 365 * 86_400_000;
    const next = walkFromStart(spec, (start, found) => {
      if (start.getTime() > after.getTime() + nineYears) return false;
      if (start.getTime() + durationMs > after.getTime()) found.push(start.toISOString());
      return found.length < 4;
    });
    const found = starts(parsed.next(after, 4));
    expect(found.slice(0, next.length)).toEqual(next);
    if (next.length === 4) expect(found).toEqual(next);
    const before = walkFromStart(spec, (start, found) => {
      if (start > after) return false;
      if (start.getTime() >= after.getTime() - nineYears) found.push(start.toISOString());
      return true;
    })
      .slice(-3)
      .reverse();
    const previous = starts(parsed.previous(after, 3));
    expect(previous.slice(0, before.length)).toEqual(before);
    if (before.length === 3) expect(previous).toEqual(before);
    const until = new Date(after.getTime() + 40 * 86_400_000);
    const during = walkFromStart(spec, (start, found) => {
      if (start > until) return false;
      if (start.getTime() + durationMs > after.getTime()) found.push(start.toISOString());
      return true;
    });
    expect(starts(parsed.between(after, until))).toEqual(during);
  });
});
