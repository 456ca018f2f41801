import { describe, expect, it } from 'vitest';
import {
  freezeWindows,
  mayStartInWords,
  recurringFreezeInWords,
  upcomingOccurrences,
  type RecurringFreeze,
} from './freezes.js';

const friday: RecurringFreeze = {
  name: 'Friday afternoons',
  rrule: 'FREQ=WEEKLY;BYDAY=FR',
  at: '15:00',
  timezone: 'Europe/London',
  durationMinutes: 540,
  allow: ['emergency', 'standard'],
  services: [],
  next: [
    { start: '2026-11-06T15:00:00.000Z', end: '2026-11-07T00:00:00.000Z' },
    { start: '2026-11-13T15:00:00.000Z', end: '2026-11-14T00:00:00.000Z' },
    { start: '2026-11-20T15:00:00.000Z', end: '2026-11-21T00:00:00.000Z' },
    { start: '2026-11-27T15:00:00.000Z', end: '2026-11-28T00:00:00.000Z' },
  ],
};

const yearEnd = {
  name: 'Year-end freeze',
  from: '2026-12-19T00:00:00.000Z',
  to: '2027-01-04T00:00:00.000Z',
  allow: ['emergency'],
  services: [],
};

describe('recurring freezes in words', () => {
  it('says the schedule in its own zone, and what may still start', () => {
    expect(recurringFreezeInWords(friday)).toBe(
      'Fridays at 15:00 (Europe/London), for 9 hours: only emergency and standard changes may start',
    );
    expect(mayStartInWords([])).toBe('no change may start');
    expect(mayStartInWords(['emergency'])).toBe('only emergency changes may start');
    expect(mayStartInWords(['a', 'b', 'c'])).toBe('only a, b and c changes may start');
  });

  it('lists the next occurrences not over yet', () => {
    expect(upcomingOccurrences(friday, new Date('2026-11-06T16:00:00Z'), 2)).toEqual([
      friday.next[0],
      friday.next[1],
    ]);
    expect(upcomingOccurrences(friday, new Date('2026-11-07T00:00:00Z'))).toEqual([
      friday.next[1],
      friday.next[2],
      friday.next[3],
    ]);
  });
});

describe('freeze windows of a week', () => {
  const policy = { freezes: [yearEnd], recurringFreezes: [friday] };

  it('gives the occurrences of recurring freezes that touch it, with the one-off freezes', () => {
    const week = freezeWindows(
      policy,
      new Date('2026-11-09T00:00:00Z'),
      new Date('2026-11-16T00:00:00Z'),
      '',
    );
    expect(week).toEqual([
      {
        name: 'Friday afternoons',
        from: '2026-11-13T15:00:00.000Z',
        to: '2026-11-14T00:00:00.000Z',
        allow: ['emergency', 'standard'],
        recurring: true,
      },
    ]);
    const christmas = freezeWindows(
      policy,
      new Date('2026-12-14T00:00:00Z'),
      new Date('2026-12-21T00:00:00Z'),
      '',
    );
    expect(christmas.map((w) => [w.name, w.recurring])).toEqual([['Year-end freeze', false]]);
  });

  it('keeps only the freezes of the service asked about (one without services covers all)', () => {
    const websiteOnly = { ...friday, services: ['website'] };
    const week = (service: string) =>
      freezeWindows(
        { freezes: [], recurringFreezes: [websiteOnly] },
        new Date('2026-11-02T00:00:00Z'),
        new Date('2026-11-09T00:00:00Z'),
        service,
      ).length;
    expect(week('website')).toBe(1);
    expect(week('payments')).toBe(0);
    expect(week('')).toBe(1);
  });
});
