import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aChange } from './change.fixture.js';
import { conflictSearchRange, findConflicts, windowsOverlap } from './conflicts.js';
import { DEFAULT_EXTERNAL_LINK_TTL_MS, type Freeze, type Policy } from './policy.js';
import { FAILURE_REVIEW_FIXTURE } from './policy.fixture.js';

const PAYMENTS_MIGRATION: Freeze = {
  name: 'Payments migration',
  from: new Date('2026-11-10T08:00:00Z'),
  to: new Date('2026-11-10T20:00:00Z'),
  allow: [],
  services: ['payments'],
};

const POLICY: Policy = {
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
  freezes: [PAYMENTS_MIGRATION],
  recurringFreezes: [],
  meetings: [],
  failureReview: FAILURE_REVIEW_FIXTURE,
};

const at = (hour: number, minute = 0) =>
  `2026-11-03T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const window = (start: string | null, end: string | null = null) => ({
  plannedStart: start,
  plannedEnd: end,
});

describe('windowsOverlap', () => {
  it('is half-open: a window ending as the other begins does not overlap it', () => {
    expect(windowsOverlap(window(at(14), at(15)), window(at(15), at(16)))).toBe(false);
    expect(windowsOverlap(window(at(14), at(15)), window(at(14, 59), at(16)))).toBe(true);
    expect(windowsOverlap(window(at(14), at(16)), window(at(14, 30), at(15)))).toBe(true);
  });

  it('counts a change without an end as an instant', () => {
    expect(windowsOverlap(window(at(14)), window(at(14), at(15)))).toBe(true);
    expect(windowsOverlap(window(at(15)), window(at(14), at(15)))).toBe(false);
    expect(windowsOverlap(window(at(14), at(15)), window(at(14, 30)))).toBe(true);
    expect(windowsOverlap(window(at(14)), window(at(14)))).toBe(true);
    expect(windowsOverlap(window(at(14)), window(at(14, 1)))).toBe(false);
  });

  it('never overlaps a change with no planned start', () => {
    expect(windowsOverlap(window(null), window(at(14), at(15)))).toBe(false);
    expect(windowsOverlap(window(at(14), at(15)), window(null))).toBe(false);
  });

  it('is symmetric, and the search range finds every window that overlaps', () => {
    const minute = fc.integer({ min: 0, max: 120 });
    const aWindow = fc
      .tuple(minute, fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }))
      .map(([start, length]) => {
        const base = Date.parse(at(12));
        return window(
          new Date(base + start * 60_000).toISOString(),
          length === null ? null : new Date(base + (start + length) * 60_000).toISOString(),
        );
      });
    fc.assert(
      fc.property(aWindow, aWindow, (a, b) => {
        expect(windowsOverlap(a, b)).toBe(windowsOverlap(b, a));
        // Storage's filter: starts before `to`, and ends after `from` (or, without an end, starts at or after it).
        const range = conflictSearchRange(a)!;
        const found =
          b.plannedStart! < range.to &&
          (b.plannedEnd === null ? b.plannedStart! >= range.from : b.plannedEnd > range.from);
        if (windowsOverlap(a, b)) expect(found).toBe(true);
      }),
    );
  });
});

describe('findConflicts', () => {
  const mine = aChange({
    id: 1,
    state: 'pending',
    services: ['payments', 'ledger'],
    plannedStart: at(14),
    plannedEnd: at(15),
  });
  const other = (overrides: Parameters<typeof aChange>[0]) =>
    aChange({
      id: 2,
      state: 'approved',
      services: ['website', 'ledger'],
      plannedStart: at(14, 30),
      plannedEnd: at(16),
      ...overrides,
    });
  const ids = (candidates: ReturnType<typeof aChange>[]) =>
    findConflicts(POLICY, mine, candidates).changes.map((c) => c.change.id);

  it('lists submitted changes on a shared service whose window overlaps, with the shared services', () => {
    const found = findConflicts(POLICY, mine, [other({})]).changes;
    expect(found.map((c) => [c.change.id, c.sharedServices])).toEqual([[2, ['ledger']]]);
    expect(ids([other({ state: 'pending' }), other({ id: 3, state: 'in_progress' })])).toEqual([
      2, 3,
    ]);
  });

  it('leaves out the change itself, drafts, closed changes, other services and other times', () => {
    expect(ids([mine])).toEqual([]);
    for (const state of [
      'draft',
      'withdrawn',
      'rejected',
      'completed',
      'failed',
      'verified',
    ] as const)
      expect(ids([other({ state })])).toEqual([]);
    expect(ids([other({ services: ['website'] })])).toEqual([]);
    expect(ids([other({ plannedStart: at(15), plannedEnd: at(16) })])).toEqual([]);
    expect(ids([other({ plannedStart: null, plannedEnd: null })])).toEqual([]);
  });

  it('shows nothing once the change itself is over', () => {
    expect(
      findConflicts(POLICY, { ...mine, state: 'completed', plannedStart: '2026-11-10T09:00:00Z' }, [
        other({}),
      ]),
    ).toEqual({ changes: [], freezes: [] });
    expect(findConflicts(POLICY, { ...mine, state: 'draft' }, [other({})]).changes).toHaveLength(1);
  });

  it('lists the freezes the window touches that do not allow the change', () => {
    const during = {
      ...mine,
      plannedStart: '2026-11-10T19:00:00Z',
      plannedEnd: '2026-11-10T21:00:00Z',
    };
    expect(findConflicts(POLICY, during, []).freezes.map((f) => f.name)).toEqual([
      'Payments migration',
    ]);
    const after = { ...during, plannedStart: '2026-11-10T20:00:00Z' };
    expect(findConflicts(POLICY, after, []).freezes).toEqual([]);
  });
});
