import type { Insights, PeriodInMemory } from '../app/insights.js';
import { formatChangeId, type ChangeState } from '../domain/change.js';
import type { CountSummary, DurationSummary, RateSummary } from '../domain/insights/summary.js';
import type { ChangeClass } from '../domain/insights/candidates.js';
import { minutesBetween } from '../domain/insights/timeline.js';
import type {
  CountFigureJson,
  DurationFigureJson,
  InsightsJson,
  RateFigureJson,
} from './contract/index.js';

/** Shapes the insights for the API (every figure with its `changes` link and ids) and as CSV. */

const MAX_IDS = 200;
const MAX_ITEMS = 500;

interface LinkFilter {
  readonly states?: readonly ChangeState[];
  readonly reviewDue?: boolean;
  readonly cls?: ChangeClass;
  /** The insights figure (GET /changes `figure`) that lists exactly the changes behind it. */
  readonly figure?: string;
}

/** `GET /api/v1/changes` listing the changes behind a figure: the population's filters plus the figure's own. */
export function changesLink(
  insights: Pick<Insights, 'from' | 'to' | 'services' | 'types'>,
  filter: LinkFilter = {},
): string {
  const params = new URLSearchParams({ createdFrom: insights.from, createdTo: insights.to });
  const services = filter.cls ? filter.cls.services : insights.services;
  const types = filter.cls ? [filter.cls.type] : insights.types;
  if (services.length > 0) params.set('service', services.join(','));
  if (types.length > 0) params.set('type', types.join(','));
  if (filter.states?.length) params.set('state', filter.states.join(','));
  if (filter.reviewDue !== undefined) params.set('reviewDue', String(filter.reviewDue));
  if (filter.figure !== undefined) params.set('figure', filter.figure);
  if (filter.cls) {
    // The board's answer filter splits on commas and colons: a value with either is left to the ids.
    const pairs = Object.entries(filter.cls.answers)
      .map(([field, value]) => `${field}:${String(value)}`)
      .filter((pair) => pair.split(':').length === 2 && !pair.includes(','));
    if (pairs.length > 0) params.set('answer', pairs.join(','));
  }
  return `/api/v1/changes?${params.toString()}`;
}

function behind(
  insights: Pick<Insights, 'from' | 'to' | 'services' | 'types'>,
  f: CountSummary,
  filter: LinkFilter = {},
) {
  return {
    changes: changesLink(insights, filter),
    changeIds: f.ids.slice(0, MAX_IDS).map(formatChangeId),
    truncated: f.count > Math.min(f.ids.length, MAX_IDS),
  };
}

/** A figure's link: its own `figure` where it has one, else the filters it carries (state, reviewDue). */
const linkOf = (f: LinkFilter, figure?: string): LinkFilter =>
  figure === undefined ? f : { ...(f.cls && { cls: f.cls }), figure };

function count(insights: Insights, f: CountSummary, figure?: string): CountFigureJson {
  return { count: f.count, ...behind(insights, f, linkOf(f, figure)) };
}

function duration(
  insights: Pick<Insights, 'from' | 'to' | 'services' | 'types'>,
  f: DurationSummary,
  figure?: string,
): DurationFigureJson {
  return {
    count: f.count,
    p50Minutes: f.p50,
    p90Minutes: f.p90,
    meanMinutes: f.mean,
    ...behind(insights, f, linkOf(f, figure)),
  };
}

function rate(insights: Insights, f: RateSummary, figure: string): RateFigureJson {
  return {
    numerator: f.numerator.count,
    denominator: f.denominator,
    rate: f.rate === null ? null : Math.round(f.rate * 10_000) / 10_000,
    ...behind(insights, f.numerator, { figure }),
  };
}

export function presentInsights(insights: Insights): InsightsJson {
  const { figures: f, counterfactual: cf, cadence } = insights;
  const schedule = cadence.schedule;
  return {
    period: { from: insights.from, to: insights.to },
    filters: { services: [...insights.services], types: [...insights.types] },
    generatedAt: insights.generatedAt,
    total: count(insights, f.total),
    counts: {
      byState: f.byState.map((s) => ({ state: s.state, ...count(insights, s) })),
      byType: f.byType.map((t) => ({
        type: t.type,
        ...count(insights, t),
        changes: changesLink({ ...insights, types: [t.type] }),
      })),
    },
    timeToDecision: {
      overall: duration(insights, f.timeToDecision.overall, 'decided'),
      byType: f.timeToDecision.byType.map((t) => ({
        type: t.type,
        ...duration({ ...insights, types: [t.type] }, t, 'decided'),
      })),
      byService: f.timeToDecision.byService.map((s) => ({
        service: s.service,
        ...duration({ ...insights, services: [s.service] }, s, 'decided'),
      })),
      byGroup: f.timeToDecision.byGroup.map((g) => ({
        group: g.group,
        ...duration(insights, g, `group:${g.group}`),
      })),
    },
    firstResponse: {
      byGroup: f.firstResponseByGroup.map((g) => ({
        group: g.group,
        ...duration(insights, g, `firstResponse:${g.group}`),
      })),
    },
    preApproved: count(insights, f.preApproved, 'preApproved'),
    rates: {
      approval: rate(insights, f.approvalRate, 'approved'),
      rejection: rate(insights, f.rejectionRate, 'rejected'),
    },
    changeFailureRate: rate(insights, f.changeFailureRate, 'failed'),
    emergencyLeadTime: duration(insights, f.emergencyLeadTime, 'emergencyVerified'),
    weekly: f.weekly.map((w) => ({
      weekStart: w.weekStart,
      created: w.created,
      submitted: w.submitted,
      approved: w.approved,
      rejected: w.rejected,
      completed: w.completed,
      failed: w.failed,
      timeToDecisionP50Minutes: w.timeToDecision.p50,
      timeToDecisionP90Minutes: w.timeToDecision.p90,
      changes: changesLink({
        ...insights,
        from: w.weekStart < insights.from ? insights.from : w.weekStart,
        to: w.weekEnd > insights.to ? insights.to : w.weekEnd,
      }),
    })),
    deployments: {
      count: f.deployments.count,
      perWeek: f.deployments.perWeek,
      leadTime: duration(insights, f.deployments.leadTime, 'completed'),
      changes: changesLink(insights, { figure: 'deployed' }),
    },
    reviews: {
      done: count(insights, f.reviews.done, 'reviewed'),
      overdue: count(insights, f.reviews.overdue, 'reviewOverdue'),
      owed: count(insights, f.reviews.owed),
    },
    meetings: {
      sittingsHeld: f.meetings.sittingsHeld,
      discussed: count(insights, f.meetings.discussed, 'discussed'),
      decidedInMeeting: count(insights, f.meetings.decidedInMeeting, 'decidedInMeeting'),
      decidedAsync: count(insights, f.meetings.decidedAsync, 'decidedAsync'),
    },
    meetingCounterfactual: {
      cadence: {
        rrule: schedule.rrule.replace(/^RRULE:/i, ''),
        at: schedule.at,
        timezone: schedule.timezone,
        agendaLeadTimeMinutes: Math.round(cadence.agendaLeadTimeMs / 60_000),
        source: cadence.source,
        meeting: cadence.meeting,
        text: cadence.text,
      },
      decided: cf.decided.count,
      totalSavedMinutes: cf.totalSavedMinutes,
      medianSavedMinutes: cf.medianSavedMinutes,
      faster: cf.faster,
      sittings: cf.sittings,
      ecab: { count: cf.ecab.count, ...behind(insights, cf.ecab) },
      items: cf.items.slice(0, MAX_ITEMS).map((i) => ({ ...i, id: formatChangeId(i.id) })),
      itemsTruncated: cf.decided.count > Math.min(cf.items.length, MAX_ITEMS),
      ...behind(insights, cf.decided, { figure: 'decided' }),
    },
    promotionCandidates: {
      minChanges: insights.minChanges,
      candidates: insights.candidates.map((c) => ({
        type: c.type,
        services: [...c.services],
        answers: { ...c.answers },
        count: c.decided.count,
        entry: {
          ...c.entry,
          services: [...c.entry.services],
          answers: { ...c.entry.answers },
          locked: [...c.entry.locked],
          requesters: [...c.entry.requesters],
        },
        yaml: c.yaml,
        ...behind(insights, c.decided, { cls: c }),
      })),
      nearMisses: insights.nearMisses.map((n) => ({
        type: n.type,
        services: [...n.services],
        answers: { ...n.answers },
        count: n.decided.count,
        approved: n.approved,
        rejected: n.rejected,
        failed: n.failed,
        open: n.open,
        reason: n.reason,
        ...behind(insights, n.decided, { cls: n }),
      })),
    },
  };
}

export const CSV_COLUMNS = [
  'id',
  'title',
  'type',
  'services',
  'requester',
  'state',
  'template',
  'pull_request',
  'created',
  'pull_request_approved',
  'submitted',
  'requested',
  'first_response',
  'decided',
  'outcome',
  'started',
  'completed',
  'failed',
  'verified',
  'first_response_minutes',
  'time_to_decision_minutes',
  'lead_time_minutes',
  'created_to_verified_minutes',
  'review_due',
  'review_done',
  'meeting_sittings',
  'cab_at',
  'cab_saved_minutes',
] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
 * Text that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) is prefixed with a single quote; numbers are written as numbers.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function insightsCsv(period: PeriodInMemory): string {
  const cab = new Map(period.counterfactualItems.map((i) => [i.id, i]));
  const mins = (from: string | null, to: string | null) =>
    from === null || to === null ? null : Math.round(minutesBetween(from, to) * 10) / 10;
  const rows = [CSV_COLUMNS.join(',')];
  for (const change of period.changes) {
    const t = period.timelines.get(change.id)!;
    const item = cab.get(change.id);
    const cells: (string | number | null)[] = [
      formatChangeId(change.id),
      change.title,
      change.type,
      change.services.join(' '),
      change.requester,
      change.state,
      change.template?.id ?? null,
      change.pullRequest?.url ?? null,
      t.createdAt,
      t.pullRequestApprovedAt,
      t.submittedAt,
      t.requestedAt,
      t.firstResponseAt,
      t.decidedAt,
      t.outcome,
      t.startedAt,
      t.completedAt,
      t.failedAt,
      t.verifiedAt,
      mins(t.requestedAt, t.firstResponseAt),
      t.outcome === null ? null : mins(t.submittedAt, t.decidedAt),
      mins(t.pullRequestApprovedAt ?? t.createdAt, t.completedAt),
      mins(t.createdAt, t.verifiedAt),
      change.review?.due ?? null,
      change.review?.doneAt ?? null,
      t.sittings.length,
      item?.cabAt ?? null,
      item?.savedMinutes ?? null,
    ];
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
