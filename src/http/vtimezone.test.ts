import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { vtimezone } from './vtimezone.js';

/** Where the zone's rules put `local` (a wall-clock time): what a calendar app would compute. */
function instantOf(component: string, zone: string, local: string): string {
  const timezone = new ICAL.Timezone(
    new ICAL.Component(
      ICAL.parse(`BEGIN:VCALENDAR\r\n${component}END:VCALENDAR\r\n`) as unknown[],
    ).getFirstSubcomponent('vtimezone')!,
  );
  expect(timezone.tzid).toBe(zone);
  const time = ICAL.Time.fromDateTimeString(local);
  time.zone = timezone;
  return time.toJSDate().toISOString();
}

describe('vtimezone', () => {
  it('gives London its rules: the last Sundays of March and October', () => {
    const london = vtimezone('Europe/London', 2026)!;
    expect(london.split('\r\n')).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Europe/London',
      'BEGIN:DAYLIGHT',
      'DTSTART:19700329T010000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0100',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'DTSTART:19701025T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0000',
      'END:STANDARD',
      'END:VTIMEZONE',
      '',
    ]);
    expect(instantOf(london, 'Europe/London', '2026-10-23T15:00:00')).toBe(
      '2026-10-23T14:00:00.000Z',
    );
    expect(instantOf(london, 'Europe/London', '2026-10-30T15:00:00')).toBe(
      '2026-10-30T15:00:00.000Z',
    );
    // Years on, by the same rules.
    expect(instantOf(london, 'Europe/London', '2031-07-04T15:00:00')).toBe(
      '2031-07-04T14:00:00.000Z',
    );
  });

  it('gives other zones theirs: New York, Sydney (summer in January), Tokyo (no change)', () => {
    const newYork = vtimezone('America/New_York', 2026)!;
    expect(newYork).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(newYork).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
    expect(instantOf(newYork, 'America/New_York', '2026-10-30T18:00:00')).toBe(
      '2026-10-30T22:00:00.000Z',
    );
    expect(instantOf(newYork, 'America/New_York', '2026-11-06T18:00:00')).toBe(
      '2026-11-06T23:00:00.000Z',
    );
    const sydney = vtimezone('Australia/Sydney', 2026)!;
    expect(instantOf(sydney, 'Australia/Sydney', '2027-01-08T15:00:00')).toBe(
      '2027-01-08T04:00:00.000Z',
    );
    expect(instantOf(sydney, 'Australia/Sydney', '2026-07-03T15:00:00')).toBe(
      '2026-07-03T05:00:00.000Z',
    );
    const tokyo = vtimezone('Asia/Tokyo', 2026)!;
    expect(tokyo).toContain('TZOFFSETTO:+0900');
    expect(tokyo).not.toContain('RRULE');
  });

  it('gives nothing for rules it cannot write as a weekday or a day of the month, or no zone', () => {
    // Chile changes on the first Sunday on or after the 2nd: the calendar app's own
    // knowledge of the zone's name is better than a wrong rule.
    expect(vtimezone('America/Santiago', 2026)).toBeNull();
    expect(vtimezone('Mars/Olympus', 2026)).toBeNull();
  });
});
