import { describe, expect, it } from 'vitest';
import { FREEZE_SCHEDULE, parseSchedule, type ScheduleSpec } from '../policy/schedule.js';
import { freezesBlockingAt, freezesOverlapping } from './freezes.js';
import {
  DEFAULT_EXTERNAL_LINK_TTL_MS,
  type Freeze,
  type Policy,
  type RecurringFreeze,
} from './policy.js';
import { FAILURE_REVIEW_FIXTURE } from './policy.fixture.js';

const YEAR_END: Freeze = {
  name: 'Year-end freeze',
  from: new Date('2026-12-19T00:00:00Z'),
  to: new Date('2027-01-04T00:00:00Z'),
  allow: ['emergency'],
  services: [],
};

const PAYMENTS_MIGRATION: Freeze = {
  name: 'Payments migration',
  from: new Date('2026-11-10T08:00:00Z'),
  to: new Date('2026-11-10T20:00:00Z'),
  allow: [],
  services: ['payments', 'ledger'],
};

function policy(freezes: Freeze[], recurringFreezes: RecurringFreeze[] = []): Policy {
  return {
    version: 1,
    organization: 'Test',
    externalLinkTtlMs: DEFAULT_EXTERNAL_LINK_TTL_MS,
    hash: 'h',
    people: new Map(),
    groups: new Map(),
    channels: new Map(),
    fields: [],
    services: new Map(),
    changeTypes: new Map(),
    notifications: [],
    freezes,
    recurringFreezes,
    meetings: [],
    failureReview: FAILURE_REVIEW_FIXTURE,
  };
}

const POLICY = policy([YEAR_END, PAYMENTS_MIGRATION]);
const names = (freezes: Freeze[]) => freezes.map((f) => f.name);
const normal = (...services: string[]) => ({ type: 'normal', services });

describe('freezesBlockingAt', () => {
  it('blocks a change of a type the freeze does not allow, from its first instant', () => {
    expect(
      names(freezesBlockingAt(POLICY, normal('website'), new Date('2026-12-19T00:00:00Z'))),
    ).toEqual(['Year-end freeze']);
    expect(
      names(freezesBlockingAt(POLICY, normal('website'), new Date('2026-12-25T12:00:00Z'))),
    ).toEqual(['Year-end freeze']);
    expect(
      names(freezesBlockingAt(POLICY, normal('website'), new Date('2027-01-03T23:59:59.999Z'))),
    ).toEqual(['Year-end freeze']);
  });

  it('does not block before the freeze or from the instant it ends', () => {
    expect(
      freezesBlockingAt(POLICY, normal('website'), new Date('2026-12-18T23:59:59.999Z')),
    ).toEqual([]);
    expect(freezesBlockingAt(POLICY, normal('website'), new Date('2027-01-04T00:00:00Z'))).toEqual(
      [],
    );
  });

  it('lets the allowed types through', () => {
    expect(
      freezesBlockingAt(
        POLICY,
        { type: 'emergency', services: ['website'] },
        new Date('2026-12-25T12:00:00Z'),
      ),
    ).toEqual([]);
  });

  it('blocks only changes touching the services a scoped freeze names', () => {
    const during = new Date('2026-11-10T12:00:00Z');
    expect(names(freezesBlockingAt(POLICY, normal('payments'), during))).toEqual([
      'Payments migration',
    ]);
    expect(names(freezesBlockingAt(POLICY, normal('website', 'ledger'), during))).toEqual([
      'Payments migration',
    ]);
    expect(freezesBlockingAt(POLICY, normal('website'), during)).toEqual([]);
    // A freeze with no allow list stops emergencies too.
    expect(
      names(freezesBlockingAt(POLICY, { type: 'emergency', services: ['payments'] }, during)),
    ).toEqual(['Payments migration']);
  });

  it('returns every freeze in force', () => {
    const both = policy([
      YEAR_END,
      {
        ...PAYMENTS_MIGRATION,
        from: new Date('2026-12-20T00:00:00Z'),
        to: new Date('2026-12-21T00:00:00Z'),
      },
    ]);
    expect(
      names(freezesBlockingAt(both, normal('payments'), new Date('2026-12-20T10:00:00Z'))),
    ).toEqual(['Year-end freeze', 'Payments migration']);
  });

  it('finds nothing without freezes', () => {
    expect(
      freezesBlockingAt(policy([]), normal('payments'), new Date('2026-12-25T00:00:00Z')),
    ).toEqual([]);
  });
});

describe('freezesOverlapping', () => {
  it('warns about a window that runs into a freeze', () => {
    const window = { start: '2026-12-18T23:00:00Z', end: '2026-12-19T01:00:00Z' };
    expect(names(freezesOverlapping(POLICY, normal('website'), window))).toEqual([
      'Year-end freeze',
    ]);
  });

  it('warns about a window that starts inside a freeze or spans it', () => {
    expect(
      names(
        freezesOverlapping(POLICY, normal('website'), {
          start: '2027-01-03T22:00:00Z',
          end: '2027-01-04T02:00:00Z',
        }),
      ),
    ).toEqual(['Year-end freeze']);
    expect(
      names(
        freezesOverlapping(POLICY, normal('payments'), {
          start: '2026-11-10T00:00:00Z',
          end: '2026-11-11T00:00:00Z',
        }),
      ),
    ).toEqual(['Payments migration']);
  });

  it('does not warn about windows that only touch the freeze boundaries', () => {
    expect(
      freezesOverlapping(POLICY, normal('website'), {
        start: '2026-12-18T23:00:00Z',
        end: '2026-12-19T00:00:00Z',
      }),
    ).toEqual([]);
    expect(
      freezesOverlapping(POLICY, normal('website'), {
        start: '2027-01-04T00:00:00Z',
        end: '2027-01-04T01:00:00Z',
      }),
    ).toEqual([]);
  });

  it('treats a window without an end as its start instant', () => {
    expect(
      names(
        freezesOverlapping(POLICY, normal('website'), { start: '2026-12-19T00:00:00Z', end: null }),
      ),
    ).toEqual(['Year-end freeze']);
    expect(
      freezesOverlapping(POLICY, normal('website'), { start: '2026-12-18T23:59:00Z', end: null }),
    ).toEqual([]);
  });

  it('says nothing without a planned start', () => {
    expect(
      freezesOverlapping(POLICY, normal('website'), { start: null, end: '2026-12-20T00:00:00Z' }),
    ).toEqual([]);
  });

  it('respects the allow list and the services of the freeze', () => {
    const window = { start: '2026-11-10T10:00:00Z', end: '2026-11-10T11:00:00Z' };
    expect(freezesOverlapping(POLICY, normal('website'), window)).toEqual([]);
    expect(
      freezesOverlapping(
        POLICY,
        { type: 'emergency', services: ['website'] },
        { start: '2026-12-24T10:00:00Z', end: '2026-12-24T11:00:00Z' },
      ),
    ).toEqual([]);
  });
});

/** A recurring freeze on the policy's own schedule code, as the policy loads it. */
function recurring(
  name: string,
  spec: ScheduleSpec,
  rest: Partial<Omit<RecurringFreeze, 'name' | 'schedule'>> = {},
): RecurringFreeze {
  const schedule = parseSchedule(spec, FREEZE_SCHEDULE);
  if (typeof schedule === 'string') throw new Error(schedule);
  return { name, schedule, allow: ['emergency'], services: [], ...rest };
}

/** Every Friday from 15:00 London for the weekend, until Monday 09:00. */
const WEEKENDS = recurring('Weekend freeze', {
  rrule: 'FREQ=WEEKLY;BYDAY=FR',
  at: '15:00',
  duration: '66h',
  timezone: 'Europe/London',
});

/** The last Friday of each month from 18:00 New York, for 60 hours: the month-end close. */
const MONTH_END = recurring(
  'Month-end close',
  { rrule: 'FREQ=MONTHLY;BYDAY=-1FR', at: '18:00', duration: '60h', timezone: 'America/New_York' },
  { allow: [], services: ['ledger'] },
);

const RECURRING = policy([YEAR_END], [WEEKENDS, MONTH_END]);
const spans = (freezes: Freeze[]) =>
  freezes.map((f) => `${f.name}: ${f.from.toISOString()} – ${f.to.toISOString()}`);

describe('recurring freezes', () => {
  it('block during each occurrence, and say its real dates', () => {
    expect(
      freezesBlockingAt(RECURRING, normal('website'), new Date('2026-11-07T12:00:00Z')),
    ).toEqual([
      {
        name: 'Weekend freeze',
        from: new Date('2026-11-06T15:00:00Z'),
        to: new Date('2026-11-09T09:00:00Z'),
        allow: ['emergency'],
        services: [],
      },
    ]);
  });

  it('block from the first instant of an occurrence until, not including, its end', () => {
    const at = (iso: string) =>
      spans(freezesBlockingAt(RECURRING, normal('website'), new Date(iso)));
    expect(at('2026-11-06T14:59:59.999Z')).toEqual([]);
    expect(at('2026-11-06T15:00:00Z')).toEqual([
      'Weekend freeze: 2026-11-06T15:00:00.000Z – 2026-11-09T09:00:00.000Z',
    ]);
    expect(at('2026-11-09T08:59:59.999Z')).toHaveLength(1);
    expect(at('2026-11-09T09:00:00Z')).toEqual([]);
    expect(at('2026-11-11T12:00:00Z')).toEqual([]);
  });

  it('keep to the local time across the October daylight-saving change in London', () => {
    const at = (iso: string) =>
      spans(freezesBlockingAt(RECURRING, normal('website'), new Date(iso)));
    // Summer time: 15:00 BST is 14:00Z. The clocks go back on Sunday 25 October, and the
    // weekend lasts exactly 66 hours, as in iCalendar: it ends at 08:00 GMT that Monday.
    expect(at('2026-10-23T14:00:00Z')).toEqual([
      'Weekend freeze: 2026-10-23T14:00:00.000Z – 2026-10-26T08:00:00.000Z',
    ]);
    expect(at('2026-10-23T13:59:00Z')).toEqual([]);
    expect(at('2026-10-26T08:00:00Z')).toEqual([]);
    // The next Friday, in winter: 15:00 GMT is 15:00Z.
    expect(at('2026-10-30T14:30:00Z')).toEqual([]);
    expect(at('2026-10-30T15:00:00Z')).toEqual([
      'Weekend freeze: 2026-10-30T15:00:00.000Z – 2026-11-02T09:00:00.000Z',
    ]);
  });

  it('keep to the local time in a second zone, across its own change a week later', () => {
    const ledger = (iso: string) =>
      spans(freezesBlockingAt(policy([], [MONTH_END]), normal('ledger'), new Date(iso)));
    // New York leaves daylight saving on Sunday 1 November: the last Friday of October
    // begins at 18:00 EDT (22:00Z) and its 60 hours end at 10:00Z, 05:00 EST.
    expect(ledger('2026-10-30T21:59:00Z')).toEqual([]);
    expect(ledger('2026-10-30T22:00:00Z')).toEqual([
      'Month-end close: 2026-10-30T22:00:00.000Z – 2026-11-02T10:00:00.000Z',
    ]);
    // The last Friday of November, in winter: 18:00 EST is 23:00Z.
    expect(ledger('2026-11-27T22:30:00Z')).toEqual([]);
    expect(ledger('2026-11-27T23:00:00Z')).toEqual([
      'Month-end close: 2026-11-27T23:00:00.000Z – 2026-11-30T11:00:00.000Z',
    ]);
    // Only the services it names; no allow list stops emergencies too.
    expect(
      freezesBlockingAt(RECURRING, normal('payments'), new Date('2026-11-28T12:00:00Z')).map(
        (f) => f.name,
      ),
    ).toEqual(['Weekend freeze']);
    expect(
      freezesBlockingAt(
        RECURRING,
        { type: 'emergency', services: ['ledger'] },
        new Date('2026-11-28T12:00:00Z'),
      ).map((f) => f.name),
    ).toEqual(['Month-end close']);
  });

  it('let the allowed types through', () => {
    expect(
      freezesBlockingAt(
        RECURRING,
        { type: 'emergency', services: ['website'] },
        new Date('2026-11-07T12:00:00Z'),
      ),
    ).toEqual([]);
  });

  it('apply alongside a one-off freeze', () => {
    // Christmas Day 2026 is a Friday, inside the year-end freeze.
    expect(
      spans(freezesBlockingAt(RECURRING, normal('website'), new Date('2026-12-25T16:00:00Z'))),
    ).toEqual([
      'Year-end freeze: 2026-12-19T00:00:00.000Z – 2027-01-04T00:00:00.000Z',
      'Weekend freeze: 2026-12-25T15:00:00.000Z – 2026-12-28T09:00:00.000Z',
    ]);
  });

  it('warn about each occurrence a planned window overlaps', () => {
    const overlapping = (start: string, end: string | null) =>
      spans(freezesOverlapping(RECURRING, normal('website'), { start, end }));
    expect(overlapping('2026-11-13T14:00:00Z', '2026-11-13T16:00:00Z')).toEqual([
      'Weekend freeze: 2026-11-13T15:00:00.000Z – 2026-11-16T09:00:00.000Z',
    ]);
    // Half-open, as one-off freezes are: touching either end is no overlap.
    expect(overlapping('2026-11-13T14:00:00Z', '2026-11-13T15:00:00Z')).toEqual([]);
    expect(overlapping('2026-11-16T09:00:00Z', '2026-11-16T10:00:00Z')).toEqual([]);
    // A window without an end is its start instant.
    expect(overlapping('2026-11-14T10:00:00Z', null)).toEqual([
      'Weekend freeze: 2026-11-13T15:00:00.000Z – 2026-11-16T09:00:00.000Z',
    ]);
    // A long window meets every weekend in it.
    expect(overlapping('2026-11-06T00:00:00Z', '2026-11-16T00:00:00Z')).toEqual([
      'Weekend freeze: 2026-11-06T15:00:00.000Z – 2026-11-09T09:00:00.000Z',
      'Weekend freeze: 2026-11-13T15:00:00.000Z – 2026-11-16T09:00:00.000Z',
    ]);
  });

  it('never occur before the schedule starts', () => {
    const later = recurring('Weekend freeze', {
      rrule: 'FREQ=WEEKLY;BYDAY=FR',
      at: '15:00',
      duration: '66h',
      timezone: 'Europe/London',
      starts: '2026-11-10',
    });
    const frozen = (iso: string) =>
      freezesBlockingAt(policy([], [later]), normal('website'), new Date(iso)).length;
    expect(frozen('2026-11-07T12:00:00Z')).toBe(0);
    expect(frozen('2026-11-14T12:00:00Z')).toBe(1);
  });
});
