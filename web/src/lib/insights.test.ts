import { describe, expect, it } from 'vitest';
import type { CounterfactualChange, GroupDuration, InsightsWeek } from '../api/types.js';
import {
  boardHref,
  counterfactualChart,
  defaultPeriod,
  durationUnit,
  formatMinutes,
  formatNumber,
  formatRate,
  groupChart,
  insightsParams,
  readInsightsFilters,
  weeklyChart,
  weeklySummary,
} from './insights.js';

// Wednesday 12 November 2026, 15:30 UTC.
const NOW = Date.parse('2026-11-12T15:30:00Z');

describe('the period', () => {
  it('defaults to this week and the eleven before it, from a Monday', () => {
    expect(defaultPeriod(NOW)).toEqual({ from: '2026-08-24', to: '2026-11-12' });
    expect(new Date('2026-08-24T00:00:00Z').getUTCDay()).toBe(1);
    // On a Monday the period starts eleven Mondays back.
    expect(defaultPeriod(Date.parse('2026-11-09T00:00:00Z')).from).toBe('2026-08-24');
    // On a Sunday the week it ends is still the current one.
    expect(defaultPeriod(Date.parse('2026-11-15T23:59:00Z')).from).toBe('2026-08-24');
  });

  it('reads from, to and the filters from the URL, ignoring malformed dates', () => {
    const filters = readInsightsFilters(
      new URLSearchParams('from=2026-10-01&to=2026-10-31&service=payments&type=normal'),
      NOW,
    );
    expect(filters).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
      service: 'payments',
      type: 'normal',
      cab: null,
      minChanges: null,
      isDefaultPeriod: false,
    });
    const bad = readInsightsFilters(
      new URLSearchParams('from=yesterday&to=2026-13-40&minChanges=0'),
      NOW,
    );
    expect(bad).toMatchObject({
      from: '2026-08-24',
      to: '2026-11-12',
      minChanges: null,
      isDefaultPeriod: true,
    });
  });

  it('keeps twelve weeks on the other side when one end is given, and orders reversed ends', () => {
    expect(readInsightsFilters(new URLSearchParams('to=2026-06-30'), NOW)).toMatchObject({
      from: '2026-04-08',
      to: '2026-06-30',
    });
    expect(readInsightsFilters(new URLSearchParams('from=2026-10-01'), NOW)).toMatchObject({
      from: '2026-10-01',
      to: '2026-11-12',
    });
    expect(
      readInsightsFilters(new URLSearchParams('from=2026-10-31&to=2026-10-01'), NOW),
    ).toMatchObject({ from: '2026-10-01', to: '2026-10-31' });
  });

  it('asks the API for whole UTC days, the last one included', () => {
    const filters = readInsightsFilters(
      new URLSearchParams(
        'from=2026-10-01&to=2026-10-31&minChanges=3&cab=FREQ%3DWEEKLY%3BBYDAY%3DTU%4010%3A00+UTC',
      ),
      NOW,
    );
    expect(insightsParams(filters)).toEqual({
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      cab: 'FREQ=WEEKLY;BYDAY=TU@10:00 UTC',
      minChanges: 3,
    });
  });
});

describe('wording', () => {
  it('says durations like the change clock does, and a dash for none', () => {
    expect(formatMinutes(null)).toBe('—');
    expect(formatMinutes(0.2)).toBe('under a minute');
    expect(formatMinutes(42)).toBe('42 min');
    expect(formatMinutes(125)).toBe('2 h 5 min');
    expect(formatMinutes(3 * 24 * 60 + 60)).toBe('3 d 1 h');
    expect(formatMinutes(-90)).toBe('−1 h 30 min');
  });

  it('says rates as percentages with at most one decimal', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(2 / 3)).toBe('66.7%');
    expect(formatRate(1)).toBe('100%');
    expect(formatNumber(1.25)).toBe('1.3');
    expect(formatNumber(undefined)).toBe('—');
  });
});

describe('boardHref', () => {
  it('turns the API link of a figure into the board under the same filters', () => {
    expect(boardHref('/api/v1/changes?service=payments&type=normal&limit=200&view=card')).toBe(
      '/?service=payments&type=normal&closed=1',
    );
    expect(boardHref('/api/v1/changes')).toBe('/?closed=1');
    expect(boardHref('/api/v1/changes?type=normal&answer=risk%3Alow%2Ctested%3Atrue')).toBe(
      '/?type=normal&answer.risk=low&answer.tested=true&closed=1',
    );
  });

  it('shows the closed columns unless the figure is only about open changes', () => {
    expect(
      boardHref('/api/v1/changes?state=rejected&createdFrom=2026-10-01T00%3A00%3A00.000Z'),
    ).toBe('/?state=rejected&createdFrom=2026-10-01T00%3A00%3A00.000Z&closed=1');
    expect(boardHref('/api/v1/changes?state=approved')).toBe('/?state=approved');
  });
});

describe('the charts’ series', () => {
  const week = (weekStart: string, p50: number | null, p90: number | null): InsightsWeek => ({
    weekStart,
    created: 0,
    submitted: 0,
    approved: 0,
    rejected: 0,
    completed: 0,
    failed: 0,
    timeToDecisionP50Minutes: p50,
    timeToDecisionP90Minutes: p90,
    changes: '/api/v1/changes',
  });

  it('picks an axis unit that keeps numbers readable', () => {
    expect(durationUnit(90).name).toBe('minutes');
    expect(durationUnit(600).name).toBe('hours');
    expect(durationUnit(5 * 24 * 60).name).toBe('days');
  });

  it('draws weeks in order, in hours once a p90 passes two hours, with gaps kept', () => {
    const chart = weeklyChart([
      week('2026-11-09T00:00:00.000Z', 30, 240),
      week('2026-11-02T00:00:00.000Z', null, null),
    ]);
    expect(chart.unit.name).toBe('hours');
    expect(chart.x).toEqual([
      Date.parse('2026-11-02T00:00:00Z') / 1000,
      Date.parse('2026-11-09T00:00:00Z') / 1000,
    ]);
    expect(chart.series).toEqual([
      { label: 'p50', values: [null, 0.5] },
      { label: 'p90', values: [null, 4] },
    ]);
  });

  it('puts approver groups side by side', () => {
    const group = (name: string, p50: number, p90: number): GroupDuration => ({
      group: name,
      count: 1,
      p50Minutes: p50,
      p90Minutes: p90,
      meanMinutes: p50,
      changes: '/api/v1/changes',
      changeIds: [],
      truncated: false,
    });
    const chart = groupChart([group('security', 20, 45), group('cto', 10, 100)]);
    expect(chart).toMatchObject({ x: [0, 1], labels: ['security', 'cto'] });
    expect(chart.unit.name).toBe('minutes');
    expect(chart.series[1]).toEqual({ label: 'p90', values: [45, 100] });
  });

  it('measures both waits of a change from its submission', () => {
    const change = (id: string, submittedAt: string, decidedAt: string, cabAt: string) =>
      ({
        id,
        title: id,
        type: 'normal',
        emergency: false,
        outcome: 'approved',
        submittedAt,
        decidedAt,
        cabAt,
        missedAgenda: false,
        savedMinutes: (Date.parse(cabAt) - Date.parse(decidedAt)) / 60_000,
      }) satisfies CounterfactualChange;
    const chart = counterfactualChart([
      change('CHG-2', '2026-11-04T09:00:00Z', '2026-11-04T12:00:00Z', '2026-11-10T10:00:00Z'),
      change('CHG-1', '2026-11-03T09:00:00Z', '2026-11-03T09:30:00Z', '2026-11-10T10:00:00Z'),
    ]);
    expect(chart.unit.name).toBe('days');
    expect(chart.x[0]).toBe(Date.parse('2026-11-03T09:00:00Z') / 1000);
    expect(chart.series[0]!.values).toEqual([0.02, 0.13]);
    expect(chart.series[1]!.values).toEqual([7.04, 6.04]);
  });

  it('sums the weekly series up in a sentence', () => {
    expect(weeklySummary([week('2026-11-02T00:00:00.000Z', null, null)])).toBe(
      'No change was decided in the period.',
    );
    expect(
      weeklySummary([
        week('2026-11-02T00:00:00.000Z', 90, 100),
        week('2026-11-09T00:00:00.000Z', null, null),
        week('2026-11-16T00:00:00.000Z', 30, 60),
      ]),
    ).toBe(
      'Half the decisions took 1 h 30 min or less in the week of 2 Nov 2026, and 30 min or less in the week of 16 Nov 2026. 2 of 3 weeks had decisions.',
    );
  });
});
