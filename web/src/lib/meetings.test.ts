import { describe, expect, it } from 'vitest';
import { durationInWords, heldFor, lastSittingLine, scheduleInWords } from './meetings.js';

const schedule = (rrule: string, durationMinutes = 60) => ({
  rrule,
  at: '14:00',
  timezone: 'Europe/London',
  durationMinutes,
});

describe('a meeting in words', () => {
  it('says when it sits, in the schedule’s own zone', () => {
    expect(scheduleInWords(schedule('FREQ=WEEKLY;BYDAY=TH'))).toBe(
      'Thursdays at 14:00 (Europe/London), for 1 hour',
    );
    expect(scheduleInWords(schedule('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', 30))).toBe(
      'Every other Tuesday at 14:00 (Europe/London), for 30 minutes',
    );
    expect(scheduleInWords(schedule('RRULE:FREQ=WEEKLY;BYDAY=MO,TH', 90))).toBe(
      'Mondays and Thursdays at 14:00 (Europe/London), for 1 hour 30 minutes',
    );
    expect(scheduleInWords(schedule('FREQ=MONTHLY;BYDAY=-1FR'))).toBe(
      'The last Friday of each month at 14:00 (Europe/London), for 1 hour',
    );
    expect(scheduleInWords(schedule('FREQ=DAILY'))).toMatch(/^Every day at/);
    // What it does not read, it gives as written.
    expect(scheduleInWords(schedule('FREQ=YEARLY;BYMONTH=3'))).toMatch(
      /^As FREQ=YEARLY;BYMONTH=3 at 14:00/,
    );
  });

  it('counts minutes and hours', () => {
    expect(durationInWords(1)).toBe('1 minute');
    expect(durationInWords(120)).toBe('2 hours');
    expect(durationInWords(24 * 60)).toBe('1 day');
    expect(durationInWords(36 * 60)).toBe('36 hours');
  });

  it('tells the last sitting against what was decided without it', () => {
    const last = {
      sitting: { start: '2026-11-05T14:00:00.000Z', end: '2026-11-05T15:00:00.000Z' },
      discussed: 3,
      outcomes: { approve: 2, reject: 0, defer: 1, noted: 0 },
      decidedAsync: 14,
      since: '2026-10-29T14:00:00.000Z',
    };
    expect(lastSittingLine(last, 'Europe/London')).toMatch(
      /: 3 changes through the meeting \(2 approved, 1 deferred\) · 14 decided asynchronously since the sitting before$/,
    );
    expect(
      lastSittingLine(
        {
          ...last,
          discussed: 0,
          outcomes: { ...last.outcomes, approve: 0, defer: 0 },
          decidedAsync: 0,
        },
        'Europe/London',
      ),
    ).toMatch(/: no change through the meeting · none decided asynchronously/);
  });
});

describe('holds', () => {
  it('hold a pending change for the meetings with hold that have yet to discuss it', () => {
    const holding = new Set(['Acme Hosting CAB']);
    const needsDiscussion = ['Acme Hosting CAB', 'Weekly risk review'];
    expect(heldFor({ state: 'pending', needsDiscussion }, holding)).toEqual(['Acme Hosting CAB']);
    expect(heldFor({ state: 'approved', needsDiscussion }, holding)).toEqual([]);
  });
});
