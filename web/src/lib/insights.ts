import type {
  CounterfactualChange,
  GroupDuration,
  InsightsWeek,
  InsightsFilterParams,
} from '../api/types.js';
import { elapsedInWords } from './clock.js';

/**
 * The insights page's arithmetic, kept apart from React so it can be tested:
 * the period and filters as the URL holds them, how figures are worded, the
 * link from a figure to the board, and the series the charts draw.
 */

const DAY = 86_400_000;
/** The default period: this week and the eleven before it. */
export const DEFAULT_WEEKS = 12;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface InsightsFilters {
  /** First day of the period, YYYY-MM-DD (UTC), inclusive. */
  readonly from: string;
  /** Last day of the period, YYYY-MM-DD (UTC), inclusive. */
  readonly to: string;
  readonly service: string | null;
  readonly type: string | null;
  /** A CAB cadence to replay (`RRULE@HH:MM Zone`); the API's default when null. */
  readonly cab: string | null;
  /** Promotion candidates: the fewest changes a class needs; the API's default when null. */
  readonly minChanges: number | null;
  /** Neither end was given in the URL: the last twelve weeks. */
  readonly isDefaultPeriod: boolean;
}

function isDay(value: string | null): value is string {
  return value !== null && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return day(Date.parse(`${date}T00:00:00Z`) + days * DAY);
}

/**
 * The last twelve weeks, whole weeks as the API's weekly series counts them
 * (from Monday 00:00 UTC), up to and including today.
 */
export function defaultPeriod(now: number): { from: string; to: string } {
  const today = day(now);
  const weekday = (new Date(now).getUTCDay() + 6) % 7; // Monday 0
  return { from: addDays(today, -weekday - (DEFAULT_WEEKS - 1) * 7), to: today };
}

/** The filters from the page's query string; what is missing or malformed falls back to the default. */
export function readInsightsFilters(search: URLSearchParams, now: number): InsightsFilters {
  const fallback = defaultPeriod(now);
  const from = search.get('from');
  const to = search.get('to');
  const validFrom = isDay(from) ? from : null;
  const validTo = isDay(to) ? to : null;
  let period = { from: validFrom ?? fallback.from, to: validTo ?? fallback.to };
  // Only one end given: keep the default length of period on the other side.
  if (validFrom && !validTo) period = { from: validFrom, to: maxDay(validFrom, fallback.to) };
  if (validTo && !validFrom)
    period = { from: addDays(validTo, -DEFAULT_WEEKS * 7 + 1), to: validTo };
  if (period.from > period.to) period = { from: period.to, to: period.from };
  return {
    ...period,
    service: search.get('service') || null,
    type: search.get('type') || null,
    cab: search.get('cab')?.trim() || null,
    minChanges: positiveInteger(search.get('minChanges')),
    isDefaultPeriod: !validFrom && !validTo,
  };
}

function positiveInteger(value: string | null): number | null {
  if (!value || !/^\d{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= 10_000 ? n : null;
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

/** The API's query for the filters: whole UTC days, `to` exclusive. */
export function insightsParams(filters: InsightsFilters): InsightsFilterParams {
  return {
    from: `${filters.from}T00:00:00.000Z`,
    to: `${addDays(filters.to, 1)}T00:00:00.000Z`,
    ...(filters.service ? { service: filters.service } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.cab ? { cab: filters.cab } : {}),
    ...(filters.minChanges ? { minChanges: filters.minChanges } : {}),
  };
}

/** "2 h 5 min" for a duration in minutes; an em dash when nothing was measured. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '—';
  if (minutes < 0) return `−${elapsedInWords(-minutes * 60_000)}`;
  return elapsedInWords(minutes * 60_000);
}

const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

/** "92.3%" for a rate of 0..1; an em dash when it has no denominator. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return percent.format(rate);
}

const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** "1.5" for a rate per week and other counts that need not be whole. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return decimal.format(value);
}

/** Query parameters of the changes list that the board has no use for. */
const LIST_ONLY = new Set(['view', 'limit', 'cursor']);
const CLOSED_STATES = ['rejected', 'withdrawn', 'failed'];

/**
 * The board filtered to the changes behind a figure. The API names them with
 * a link to `GET /api/v1/changes` under the same filters; the board reads the
 * same filters from its own URL.
 */
export function boardHref(changes: string): string {
  const url = new URL(changes, 'http://changeboard.invalid');
  const next = new URLSearchParams();
  for (const [key, value] of url.searchParams) {
    if (LIST_ONLY.has(key)) continue;
    // The API's `answer=risk:low,tested:true` is the board's `answer.risk=low&answer.tested=true`.
    if (key === 'answer') {
      for (const pair of value.split(',')) {
        const [field, answer] = pair.split(':');
        if (field && answer !== undefined) next.set(`answer.${field}`, answer);
      }
    } else next.set(key, value);
  }
  const states = next.get('state')?.split(',') ?? CLOSED_STATES;
  // Closed changes have a column only when the board is asked to show them.
  if (states.some((s) => CLOSED_STATES.includes(s))) next.set('closed', '1');
  const text = next.toString();
  return text ? `/?${text}` : '/';
}

/** The unit a chart's axis counts in, chosen so its numbers stay readable. */
export interface DurationUnit {
  readonly name: 'minutes' | 'hours' | 'days';
  readonly minutes: number;
}

export function durationUnit(maxMinutes: number): DurationUnit {
  if (maxMinutes < 120) return { name: 'minutes', minutes: 1 };
  if (maxMinutes < 72 * 60) return { name: 'hours', minutes: 60 };
  return { name: 'days', minutes: 24 * 60 };
}

function largest(values: readonly (number | null)[]): number {
  return values.reduce<number>((max, v) => (v !== null && v > max ? v : max), 0);
}

function inUnit(value: number | null, unit: DurationUnit): number | null {
  return value === null ? null : Math.round((value / unit.minutes) * 100) / 100;
}

/** A chart's data: x values and one row of y values per series, y in `unit`. */
export interface ChartSeries {
  readonly x: number[];
  readonly unit: DurationUnit;
  readonly series: readonly { readonly label: string; readonly values: (number | null)[] }[];
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** Time to decision week by week: p50 and p90, x in seconds since the epoch. */
export function weeklyChart(weekly: readonly InsightsWeek[]): ChartSeries {
  const weeks = [...weekly].sort((a, b) => Date.parse(a.weekStart) - Date.parse(b.weekStart));
  const p50 = weeks.map((w) => w.timeToDecisionP50Minutes);
  const p90 = weeks.map((w) => w.timeToDecisionP90Minutes);
  const unit = durationUnit(Math.max(largest(p50), largest(p90)));
  return {
    x: weeks.map((w) => seconds(w.weekStart)),
    unit,
    series: [
      { label: 'p50', values: p50.map((v) => inUnit(v, unit)) },
      { label: 'p90', values: p90.map((v) => inUnit(v, unit)) },
    ],
  };
}

/** Time to decision per approver group: x is the group's index in `labels`. */
export function groupChart(
  groups: readonly GroupDuration[],
): ChartSeries & { readonly labels: string[] } {
  const p50 = groups.map((g) => g.p50Minutes);
  const p90 = groups.map((g) => g.p90Minutes);
  const unit = durationUnit(Math.max(largest(p50), largest(p90)));
  return {
    x: groups.map((_, i) => i),
    labels: groups.map((g) => g.group),
    unit,
    series: [
      { label: 'p50', values: p50.map((v) => inUnit(v, unit)) },
      { label: 'p90', values: p90.map((v) => inUnit(v, unit)) },
    ],
  };
}

/**
 * The meeting it replaced, change by change: how long each waited for its
 * decision, and how long it would have waited for the CAB, against when it
 * was submitted.
 */
export function counterfactualChart(items: readonly CounterfactualChange[]): ChartSeries {
  const sorted = [...items].sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  const waited = (at: string, since: string) => (Date.parse(at) - Date.parse(since)) / 60_000;
  const async = sorted.map((c) => waited(c.decidedAt, c.submittedAt));
  const cab = sorted.map((c) => waited(c.cabAt, c.submittedAt));
  const unit = durationUnit(Math.max(largest(async), largest(cab)));
  return {
    x: sorted.map((c) => seconds(c.submittedAt)),
    unit,
    series: [
      { label: 'Decided async', values: async.map((v) => inUnit(v, unit)) },
      { label: 'A CAB would have decided', values: cab.map((v) => inUnit(v, unit)) },
    ],
  };
}

/** "Mon 3 Nov": the start of a week of the weekly series, in UTC as the API counts weeks. */
export function formatWeek(iso: string): string {
  return weekFormat.format(new Date(iso));
}

const weekFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A one-sentence reading of a weekly series, for the chart's caption. */
export function weeklySummary(weekly: readonly InsightsWeek[]): string {
  const measured = weekly.filter((w) => w.timeToDecisionP50Minutes !== null);
  if (measured.length === 0) return 'No change was decided in the period.';
  const first = measured[0]!;
  const last = measured[measured.length - 1]!;
  const span =
    measured.length === 1
      ? `In the week of ${formatWeek(first.weekStart)}, half the decisions took ${formatMinutes(first.timeToDecisionP50Minutes)} or less.`
      : `Half the decisions took ${formatMinutes(first.timeToDecisionP50Minutes)} or less in the week of ${formatWeek(first.weekStart)}, and ${formatMinutes(last.timeToDecisionP50Minutes)} or less in the week of ${formatWeek(last.weekStart)}.`;
  return `${span} ${measured.length} of ${weekly.length} weeks had decisions.`;
}
