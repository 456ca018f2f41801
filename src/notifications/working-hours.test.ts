import { describe, expect, it } from 'vitest';
import { parseWorkingHours } from '../policy/working-hours.js';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../domain/policy.js';
import { isWithinWorkingHours, nextWorkingInstant } from './working-hours.js';

const person = (timezone: string, hours: WorkingHours = DEFAULT_WORKING_HOURS) => ({
  timezone,
  workingHours: hours,
});
const at = (iso: string) => new Date(iso);

describe('nextWorkingInstant', () => {
  it('sends at once inside working hours', () => {
    expect(nextWorkingInstant(person('Europe/Berlin'), at('2026-11-04T10:00:00Z'))).toEqual(
      at('2026-11-04T10:00:00Z'),
    );
  });

  it('waits for the morning in the person’s own time zone', () => {
    // 05:00 in New York (EST, UTC-5) → 09:00 there.
    expect(nextWorkingInstant(person('America/New_York'), at('2026-11-02T10:00:00Z'))).toEqual(
      at('2026-11-02T14:00:00Z'),
    );
  });

  it('waits over the weekend', () => {
    // Friday 18:00 in Berlin → Monday 09:00.
    expect(nextWorkingInstant(person('Europe/Berlin'), at('2026-11-06T17:00:00Z'))).toEqual(
      at('2026-11-09T08:00:00Z'),
    );
  });

  it('uses the person’s hours and working days', () => {
    const hours = parseWorkingHours('Sun-Thu 08:00-16:00') as WorkingHours;
    // Friday noon in Tel Aviv (UTC+2 in November) → Sunday 08:00.
    expect(nextWorkingInstant(person('Asia/Jerusalem', hours), at('2026-11-06T10:00:00Z'))).toEqual(
      at('2026-11-08T06:00:00Z'),
    );
    const priya = parseWorkingHours('09:30-18:00') as WorkingHours;
    // 18:00 in Kolkata (UTC+5:30) has just closed → 09:30 next day.
    expect(nextWorkingInstant(person('Asia/Kolkata', priya), at('2026-11-03T12:30:00Z'))).toEqual(
      at('2026-11-04T04:00:00Z'),
    );
  });

  it('keeps 09:00 local across a daylight-saving change', () => {
    // Europe/Dublin leaves summer time on Sunday 25 October 2026: Friday 09:00 is 08:00 UTC, Monday 09:00 is 09:00 UTC.
    expect(nextWorkingInstant(person('Europe/Dublin'), at('2026-10-23T07:00:00Z'))).toEqual(
      at('2026-10-23T08:00:00Z'),
    );
    expect(nextWorkingInstant(person('Europe/Dublin'), at('2026-10-24T12:00:00Z'))).toEqual(
      at('2026-10-26T09:00:00Z'),
    );
    // America/New_York springs forward on 8 March 2026: Monday 09:00 EDT is 13:00 UTC, not 14:00.
    expect(nextWorkingInstant(person('America/New_York'), at('2026-03-07T12:00:00Z'))).toEqual(
      at('2026-03-09T13:00:00Z'),
    );
  });

  it('treats the end of the working day as closed', () => {
    expect(isWithinWorkingHours(person('UTC'), at('2026-11-04T16:59:59Z'))).toBe(true);
    expect(isWithinWorkingHours(person('UTC'), at('2026-11-04T17:00:00Z'))).toBe(false);
    expect(nextWorkingInstant(person('UTC'), at('2026-11-04T17:00:00Z'))).toEqual(
      at('2026-11-05T09:00:00Z'),
    );
  });

  it('accepts a day that ends at midnight', () => {
    const hours = parseWorkingHours('Mon-Sun 00:00-24:00') as WorkingHours;
    expect(isWithinWorkingHours(person('Asia/Tokyo', hours), at('2026-11-08T14:59:00Z'))).toBe(
      true,
    );
  });
});

describe('nextWorkingInstant, asked again and again for one person', () => {
  it('gives the same answers as asking afresh, forwards and backwards in time, across a DST change', () => {
    const hours = parseWorkingHours('Mon-Fri 09:00-17:30') as WorkingHours;
    const same = person('Europe/Berlin', hours);
    // The week of the end of summer time in Berlin (2026-10-25), in 37-minute steps.
    const start = at('2026-10-22T00:00:00Z').getTime();
    const instants = Array.from({ length: 400 }, (_, i) => new Date(start + i * 37 * 60_000));
    for (const instant of [...instants, ...instants.reverse()]) {
      expect(nextWorkingInstant(same, instant)).toEqual(
        nextWorkingInstant(person('Europe/Berlin', hours), instant),
      );
    }
  });
});
