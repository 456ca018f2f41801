import { describe, expect, it } from 'vitest';
import { freezesBlockingAt, freezesOverlapping } from './freezes.js';
import { DEFAULT_EXTERNAL_LINK_TTL_MS, type Freeze, type Policy } from './policy.js';

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

function policy(freezes: Freeze[]): Policy {
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
    meetings: [],
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
