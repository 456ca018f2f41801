import { describe, expect, it } from 'vitest';
import {
  addUp,
  replayWaitedOn,
  summarise,
  weekStartMs,
  WEEK_MS,
  type PeriodTotals,
} from './chunks.js';
import type { ChangeTimings } from './rollup.js';
import { mean, percentile, round1 } from './stats.js';

const DAY = 86_400_000;
const MONDAY = Date.parse('2026-11-02T00:00:00Z');

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

function row(id: number, overrides: Partial<ChangeTimings> = {}): ChangeTimings {
  return {
    id,
    type: 'normal',
    services: ['payments'],
    state: 'approved',
    createdMs: MONDAY + id * 60_000,
    submittedMs: MONDAY + id * 60_000,
    decidedMs: MONDAY + id * 60_000 + 3_600_000,
    completedMs: null,
    failedMs: null,
    verifiedMs: null,
    outcome: 'approved',
    finalOutcome: 'approved',
    everRejected: false,
    preApproved: false,
    emergency: false,
    decisionMinutes: 60,
    leadMinutes: null,
    emergencyMinutes: null,
    sittings: [],
    groups: [],
    reviewDueMs: null,
    reviewed: false,
    classKey: null,
    ...overrides,
  };
}

/** Totals as plain data, in an order that does not depend on how the changes were chunked. */
function comparable(totals: PeriodTotals) {
  const sorted = <V>(map: ReadonlyMap<string, V>) =>
    Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
  const waited: number[][] = [];
  for (const list of totals.waitedOn)
    for (let i = 0; i < list.length; i += 5) waited.push(list.slice(i, i + 5));
  return {
    ...totals,
    byState: sorted(totals.byState),
    byType: sorted(totals.byType),
    durations: sorted(totals.durations),
    weeks: sorted(totals.weeks),
    classes: sorted(totals.classes),
    reviewsDue: [...totals.reviewsDue].sort((a, b) => a - b),
    waitedOn: waited.sort((a, b) => a[0]! - b[0]!),
  };
}

describe('weekly chunks', () => {
  it('starts weeks on Monday 00:00 UTC', () => {
    expect(weekStartMs(MONDAY)).toBe(MONDAY);
    expect(weekStartMs(MONDAY - 1)).toBe(MONDAY - WEEK_MS);
    expect(weekStartMs(MONDAY + 6 * DAY + 23 * 3_600_000)).toBe(MONDAY);
    expect(new Date(weekStartMs(Date.parse('1969-12-31T12:00:00Z'))).toISOString()).toBe(
      '1969-12-29T00:00:00.000Z',
    );
  });

  it('finds the percentiles a sort would, across chunks, with ties', () => {
    const next = random(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(next() * 300);
      // Few distinct values in some trials: selection must cope with runs of equal values.
      const spread = trial % 3 === 0 ? 4 : 10_000;
      const minutes = Array.from({ length: n }, () => round1(next() * spread));
      const rows = minutes.map((m, i) => row(i + 1, { decisionMinutes: m }));
      const cut = Math.floor(next() * n);
      const parts = [rows.slice(0, cut), rows.slice(cut)]
        .filter((p) => p.length > 0)
        .map((p) => ({ type: 'normal', chunk: summarise(p) }));
      const overall = addUp(parts).durations.get('overall')!;
      expect(overall).toEqual({
        n,
        p50: percentile(minutes, 50),
        p90: percentile(minutes, 90),
        mean: round1(mean(minutes)!),
      });
    }
  });

  it('adds up to what the changes sum to in one chunk', () => {
    const next = random(11);
    const states = ['approved', 'rejected', 'completed', 'failed', 'pending'] as const;
    const rows = Array.from({ length: 120 }, (_, i) =>
      row(i + 1, {
        type: i % 4 === 0 ? 'emergency' : 'normal',
        services: i % 3 === 0 ? ['payments', 'website'] : ['website'],
        state: states[i % states.length]!,
        createdMs: MONDAY + Math.floor(next() * 3 * WEEK_MS),
        decisionMinutes: i % 5 === 4 ? null : round1(next() * 500),
        leadMinutes: i % 2 === 0 ? round1(next() * 900) : null,
        groups: [{ group: 'sre', decisionMinutes: round1(next() * 90), firstResponseMinutes: 3 }],
        sittings: i % 7 === 0 ? ['2026-11-10'] : [],
        reviewDueMs: i % 9 === 0 ? MONDAY + i * DAY : null,
        classKey: `class-${i % 3}`,
        finalOutcome: i % 6 === 0 ? 'rejected' : 'approved',
      }),
    );
    const whole = addUp([
      { type: 'normal', chunk: summarise(rows.filter((r) => r.type === 'normal')) },
      { type: 'emergency', chunk: summarise(rows.filter((r) => r.type === 'emergency')) },
    ]);
    const byWeek = new Map<string, ChangeTimings[]>();
    for (const r of rows) {
      const key = `${weekStartMs(r.createdMs)} ${r.type} ${r.services.join()}`;
      byWeek.set(key, [...(byWeek.get(key) ?? []), r]);
    }
    const split = addUp(
      [...byWeek.values()].map((list) => ({ type: list[0]!.type, chunk: summarise(list) })),
    );
    expect(comparable(split)).toEqual(comparable(whole));
    expect(whole.total).toBe(120);
    expect(whole.byType.get('emergency')).toBe(30);
    expect(whole.durations.get('type:emergency')!.n).toBe(
      rows.filter((r) => r.type === 'emergency' && r.decisionMinutes !== null).length,
    );
    expect(whole.durations.get('service:payments')!.n).toBe(
      rows.filter((r) => r.services.includes('payments') && r.decisionMinutes !== null).length,
    );
    expect(whole.classes.get('class-0')!.firstId).toBe(1);
    expect(whole.sittingsHeld).toBe(1);
  });

  it('replays a CAB: the first sitting after the agenda deadline, none after the last', () => {
    const hour = 3_600_000;
    const sitting = MONDAY + 24 * hour + 10 * hour; // Tuesday 10:00
    const totals = addUp([
      {
        type: 'normal',
        chunk: summarise([
          // Submitted a day ahead: on the agenda; decided 2 h after submitting.
          row(1, { submittedMs: sitting - 30 * hour, decidedMs: sitting - 28 * hour }),
          // Submitted too late for that agenda: waits for the next sitting, a week on.
          row(2, { submittedMs: sitting - 2 * hour, decidedMs: sitting - hour }),
          // Rejected after the sitting: the CAB would have been sooner.
          row(3, {
            submittedMs: sitting - 40 * hour,
            decidedMs: sitting + 2 * hour,
            outcome: 'rejected',
            emergency: true,
          }),
          // After the last sitting's deadline: left out.
          row(4, { submittedMs: sitting + WEEK_MS, decidedMs: sitting + WEEK_MS + hour }),
        ]),
      },
    ]);
    const replay = replayWaitedOn(totals, {
      starts: [sitting, sitting + WEEK_MS],
      agendaLeadTimeMs: 24 * hour,
      sample: 200,
      items: 2,
    });
    expect(replay.count).toBe(3);
    expect(replay.ids).toEqual([1, 2, 3]);
    expect(replay.faster).toBe(2);
    expect(replay.totalSavedMinutes).toBe(28 * 60 + (7 * 24 + 1) * 60 - 2 * 60);
    expect(replay.medianSavedMinutes).toBe(28 * 60);
    expect(replay.ecab).toEqual({ count: 0, ids: [] });
    expect(replay.items.map((i) => i.id)).toEqual([3, 1]);
    expect(replay.items[0]).toMatchObject({ outcome: 'rejected', emergency: true, cabMs: sitting });
    const missed = replayWaitedOn(totals, {
      starts: [sitting, sitting + WEEK_MS],
      agendaLeadTimeMs: 24 * hour,
      sample: 200,
      items: 10,
    }).items.find((i) => i.id === 2)!;
    expect(missed.cabMs).toBe(sitting + WEEK_MS);
    expect(missed.nextMs).toBe(sitting);
  });
});
