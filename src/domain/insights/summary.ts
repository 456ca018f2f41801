import type { ChangeState } from '../change.js';
import type {
  ChangeClass,
  NearMiss,
  PromotionCandidate,
  StandardChangeDraft,
} from './candidates.js';
import type { Counterfactual, CounterfactualItem } from './counterfactual.js';
import type { CountFigure, DurationFigure, InsightsFigures, RateFigure } from './figures.js';

/**
 * The figures as the API shows them: each with its count and the first ids
 * behind it (in id order, at most `SAMPLE_IDS`). The store sums a period into
 * this shape in SQL; `summarize*` turns figures computed in memory from
 * hand-made histories into the same shape, so the two can be compared.
 */

export const SAMPLE_IDS = 200;
export const SAMPLE_ITEMS = 500;

export interface CountSummary {
  readonly count: number;
  /** The first ids behind the figure (all of them when `count` ≤ SAMPLE_IDS). */
  readonly ids: readonly number[];
  readonly states?: readonly ChangeState[];
  readonly reviewDue?: boolean;
}

export interface DurationSummary extends CountSummary {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly mean: number | null;
}

export interface RateSummary {
  /** The changes counted in the numerator. */
  readonly numerator: CountSummary;
  readonly denominator: number;
  readonly rate: number | null;
  readonly states?: readonly ChangeState[];
}

export interface WeekSummary {
  readonly weekStart: string;
  readonly weekEnd: string;
  readonly created: number;
  readonly submitted: number;
  readonly approved: number;
  readonly rejected: number;
  readonly completed: number;
  readonly failed: number;
  readonly timeToDecision: { readonly p50: number | null; readonly p90: number | null };
}

export interface FiguresSummary {
  readonly total: CountSummary;
  readonly byState: readonly (CountSummary & { readonly state: ChangeState })[];
  readonly byType: readonly (CountSummary & { readonly type: string })[];
  readonly timeToDecision: {
    readonly overall: DurationSummary;
    readonly byType: readonly (DurationSummary & { readonly type: string })[];
    readonly byService: readonly (DurationSummary & { readonly service: string })[];
    readonly byGroup: readonly (DurationSummary & { readonly group: string })[];
  };
  readonly firstResponseByGroup: readonly (DurationSummary & { readonly group: string })[];
  readonly preApproved: CountSummary;
  readonly approvalRate: RateSummary;
  readonly rejectionRate: RateSummary;
  readonly changeFailureRate: RateSummary;
  readonly emergencyLeadTime: DurationSummary;
  readonly weekly: readonly WeekSummary[];
  readonly deployments: CountSummary & {
    readonly perWeek: number;
    readonly leadTime: DurationSummary;
  };
  readonly reviews: {
    readonly done: CountSummary;
    readonly overdue: CountSummary;
    readonly owed: CountSummary;
  };
  readonly meetings: {
    readonly sittingsHeld: number;
    readonly discussed: CountSummary;
    readonly decidedInMeeting: CountSummary;
    readonly decidedAsync: CountSummary;
  };
}

export interface CounterfactualSummary {
  /** Changes decided that a CAB would have sat on. */
  readonly decided: CountSummary;
  /** The first SAMPLE_ITEMS, soonest submitted first. */
  readonly items: readonly CounterfactualItem[];
  readonly totalSavedMinutes: number;
  readonly medianSavedMinutes: number | null;
  readonly faster: number;
  readonly sittings: number;
  readonly ecab: CountSummary;
}

export interface ClassSummary extends ChangeClass {
  /** Decided changes of the class. */
  readonly decided: CountSummary;
  readonly approved: number;
  readonly rejected: number;
  readonly failed: number;
  readonly open: number;
}

export interface CandidateSummary extends ClassSummary {
  readonly entry: StandardChangeDraft;
}

export interface NearMissSummary extends ClassSummary {
  readonly reason: string;
}

export const countOf = (
  ids: readonly number[],
  extra: Omit<CountSummary, 'count' | 'ids'> = {},
) => ({
  count: ids.length,
  ids: ids.slice(0, SAMPLE_IDS),
  ...extra,
});

const duration = (f: DurationFigure): DurationSummary => ({
  ...countOf(f.ids, f.states ? { states: f.states } : {}),
  p50: f.p50,
  p90: f.p90,
  mean: f.mean,
});

const count = (f: CountFigure): CountSummary =>
  countOf(f.ids, {
    ...(f.states && { states: f.states }),
    ...(f.reviewDue !== undefined && { reviewDue: f.reviewDue }),
  });

const rate = (f: RateFigure): RateSummary => ({
  numerator: countOf(f.numerator),
  denominator: f.denominator.length,
  rate: f.rate,
  ...(f.states && { states: f.states }),
});

export function summarizeFigures(f: InsightsFigures): FiguresSummary {
  return {
    total: count(f.total),
    byState: f.byState.map((s) => ({ ...count(s), state: s.state })),
    byType: f.byType.map((t) => ({ ...count(t), type: t.type })),
    timeToDecision: {
      overall: duration(f.timeToDecision.overall),
      byType: f.timeToDecision.byType.map((t) => ({ ...duration(t), type: t.type })),
      byService: f.timeToDecision.byService.map((s) => ({ ...duration(s), service: s.service })),
      byGroup: f.timeToDecision.byGroup.map((g) => ({ ...duration(g), group: g.group })),
    },
    firstResponseByGroup: f.firstResponseByGroup.map((g) => ({ ...duration(g), group: g.group })),
    preApproved: count(f.preApproved),
    approvalRate: rate(f.approvalRate),
    rejectionRate: rate(f.rejectionRate),
    changeFailureRate: rate(f.changeFailureRate),
    emergencyLeadTime: duration(f.emergencyLeadTime),
    weekly: f.weekly.map((w) => ({
      weekStart: w.weekStart,
      weekEnd: w.weekEnd,
      created: w.created,
      submitted: w.submitted,
      approved: w.approved,
      rejected: w.rejected,
      completed: w.completed,
      failed: w.failed,
      timeToDecision: { p50: w.timeToDecision.p50, p90: w.timeToDecision.p90 },
    })),
    deployments: {
      ...countOf(f.deployments.ids),
      perWeek: f.deployments.perWeek,
      leadTime: duration(f.deployments.leadTime),
    },
    reviews: {
      done: count(f.reviews.done),
      overdue: count(f.reviews.overdue),
      owed: count(f.reviews.owed),
    },
    meetings: {
      sittingsHeld: f.meetings.sittingsHeld,
      discussed: count(f.meetings.discussed),
      decidedInMeeting: count(f.meetings.decidedInMeeting),
      decidedAsync: count(f.meetings.decidedAsync),
    },
  };
}

export function summarizeCounterfactual(cf: Counterfactual): CounterfactualSummary {
  return {
    decided: countOf(cf.items.map((i) => i.id).sort((a, b) => a - b)),
    items: cf.items.slice(0, SAMPLE_ITEMS),
    totalSavedMinutes: cf.totalSavedMinutes,
    medianSavedMinutes: cf.medianSavedMinutes,
    faster: cf.faster,
    sittings: cf.sittings,
    ecab: countOf([...cf.ecab].sort((a, b) => a - b)),
  };
}

const classSummary = (c: PromotionCandidate | NearMiss): ClassSummary => ({
  type: c.type,
  services: c.services,
  answers: c.answers,
  decided: countOf(c.ids),
  approved: c.approved.length,
  rejected: c.rejected.length,
  failed: c.failed.length,
  open: c.open.length,
});

export const summarizeCandidate = (c: PromotionCandidate): CandidateSummary => ({
  ...classSummary(c),
  entry: c.entry,
});

export const summarizeNearMiss = (n: NearMiss): NearMissSummary => ({
  ...classSummary(n),
  reason: n.reason,
});
