import { CHANGE_STATES, type ChangeState } from '../change.js';
import { mean, percentile, round1 } from './stats.js';
import { minutesBetween, timelineOf, type ChangeHistory, type Timeline } from './timeline.js';

/**
 * The figures of "Is async working?" over one population of changes (those
 * created in the period, narrowed by service and type). Each figure keeps the
 * ids of the changes behind it, and, where the board can list exactly those,
 * the extra `states` filter that does.
 */

export interface CountFigure {
  readonly ids: readonly number[];
  /** The states that, added to the population's filters, list exactly `ids`. */
  readonly states?: readonly ChangeState[];
  /** `reviewDue=true` lists them (with `states` if any). */
  readonly reviewDue?: boolean;
}

export interface DurationFigure {
  readonly ids: readonly number[];
  readonly minutes: readonly number[];
  readonly p50: number | null;
  readonly p90: number | null;
  readonly mean: number | null;
  readonly states?: readonly ChangeState[];
}

export interface RateFigure {
  readonly numerator: readonly number[];
  readonly denominator: readonly number[];
  readonly rate: number | null;
  readonly states?: readonly ChangeState[];
}

export interface WeekFigure {
  /** Monday 00:00 UTC. */
  readonly weekStart: string;
  readonly weekEnd: string;
  readonly created: number;
  readonly submitted: number;
  readonly approved: number;
  readonly rejected: number;
  readonly completed: number;
  readonly failed: number;
  readonly timeToDecision: DurationFigure;
}

export interface InsightsFigures {
  readonly total: CountFigure;
  readonly byState: readonly (CountFigure & { readonly state: ChangeState })[];
  readonly byType: readonly (CountFigure & { readonly type: string })[];
  readonly timeToDecision: {
    readonly overall: DurationFigure;
    readonly byType: readonly (DurationFigure & { readonly type: string })[];
    readonly byService: readonly (DurationFigure & { readonly service: string })[];
    readonly byGroup: readonly (DurationFigure & { readonly group: string })[];
  };
  readonly firstResponseByGroup: readonly (DurationFigure & { readonly group: string })[];
  /** Changes that needed no approval (standard, pre-approved): left out of time to decision, the rates and the counterfactual. */
  readonly preApproved: CountFigure;
  readonly approvalRate: RateFigure;
  readonly rejectionRate: RateFigure;
  readonly changeFailureRate: RateFigure;
  readonly emergencyLeadTime: DurationFigure;
  readonly weekly: readonly WeekFigure[];
  readonly deployments: {
    readonly ids: readonly number[];
    readonly perWeek: number;
    readonly leadTime: DurationFigure;
  };
  readonly reviews: {
    readonly done: CountFigure;
    readonly overdue: CountFigure;
    readonly owed: CountFigure;
  };
  readonly meetings: {
    readonly sittingsHeld: number;
    readonly discussed: CountFigure;
    readonly decidedInMeeting: CountFigure;
    readonly decidedAsync: CountFigure;
  };
  readonly timelines: ReadonlyMap<number, Timeline>;
}

export interface InsightsInput {
  readonly histories: readonly ChangeHistory[];
  /** [from, to) of the period, ISO instants. */
  readonly from: string;
  readonly to: string;
  /** For "overdue" reviews. */
  readonly now: string;
  readonly membersOf: (group: string) => readonly string[];
  readonly isEmergency: (type: string) => boolean;
}

const WEEK_MS = 7 * 86_400_000;
const DECIDED_STATES: readonly ChangeState[] = [
  'approved',
  'in_progress',
  'completed',
  'verified',
  'rejected',
  'failed',
];

export function durations(
  samples: readonly { readonly id: number; readonly minutes: number }[],
  states?: readonly ChangeState[],
): DurationFigure {
  const minutes = samples.map((s) => round1(s.minutes));
  const m = mean(minutes);
  return {
    ids: samples.map((s) => s.id),
    minutes,
    p50: percentile(minutes, 50),
    p90: percentile(minutes, 90),
    mean: m === null ? null : round1(m),
    ...(states && { states }),
  };
}

function rate(
  numerator: readonly number[],
  denominator: readonly number[],
  states?: readonly ChangeState[],
): RateFigure {
  return {
    numerator,
    denominator,
    rate: denominator.length === 0 ? null : numerator.length / denominator.length,
    ...(states && { states }),
  };
}

/** Monday 00:00 UTC of the week `instant` falls in. */
export function weekStartOf(instant: string): Date {
  const d = new Date(instant);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
}

function groupBy<T>(items: readonly T[], keys: (item: T) => readonly string[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items)
    for (const key of keys(item)) {
      const list = out.get(key);
      if (list) list.push(item);
      else out.set(key, [item]);
    }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

export function computeInsights(input: InsightsInput): InsightsFigures {
  const histories = [...input.histories].sort((a, b) => a.change.id - b.change.id);
  const timelines = new Map<number, Timeline>();
  for (const h of histories) timelines.set(h.change.id, timelineOf(h, input.membersOf));
  const ids = histories.map((h) => h.change.id);
  const changes = histories.map((h) => h.change);
  const t = (id: number) => timelines.get(id)!;

  const byState = CHANGE_STATES.map((state) => ({
    state,
    ids: changes.filter((c) => c.state === state).map((c) => c.id),
    states: [state],
  })).filter((f) => f.ids.length > 0);
  const byType = [...groupBy(changes, (c) => [c.type])].map(([type, list]) => ({
    type,
    ids: list.map((c) => c.id),
  }));

  // Time to decision: submitted → first approved or rejected; a change that needed no approval was not waited on.
  const preApprovedIds = ids.filter((id) => t(id).preApproved);
  const decided = changes.filter((c) => {
    const tl = t(c.id);
    return (
      !tl.preApproved && tl.outcome !== null && tl.submittedAt !== null && tl.decidedAt !== null
    );
  });
  const decisionSample = (list: readonly { id: number }[]) =>
    list.map((c) => ({
      id: c.id,
      minutes: minutesBetween(t(c.id).submittedAt!, t(c.id).decidedAt!),
    }));
  const overall = durations(decisionSample(decided));
  const ttdByType = [...groupBy(decided, (c) => [c.type])].map(([type, list]) => ({
    type,
    ...durations(decisionSample(list)),
  }));
  const ttdByService = [...groupBy(decided, (c) => c.services)].map(([service, list]) => ({
    service,
    ...durations(decisionSample(list)),
  }));
  const groupSamples = new Map<string, { id: number; minutes: number }[]>();
  const firstSamples = new Map<string, { id: number; minutes: number }[]>();
  for (const c of changes) {
    const tl = t(c.id);
    if (tl.requestedAt === null) continue;
    for (const g of tl.groups) {
      if (g.decidedAt !== null)
        push(groupSamples, g.group, {
          id: c.id,
          minutes: minutesBetween(tl.requestedAt, g.decidedAt),
        });
      if (g.firstResponseAt !== null)
        push(firstSamples, g.group, {
          id: c.id,
          minutes: minutesBetween(tl.requestedAt, g.firstResponseAt),
        });
    }
  }
  const perGroup = (m: Map<string, { id: number; minutes: number }[]>) =>
    [...m]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, samples]) => ({ group, ...durations(samples) }));

  const decidedIds = decided.map((c) => c.id);
  // The rates count where each change ended: approved, then edited and rejected, is rejected.
  const settledIds = ids.filter((id) => !t(id).preApproved && t(id).finalOutcome !== null);
  const approvedIds = settledIds.filter((id) => t(id).finalOutcome === 'approved');
  const rejectedIds = settledIds.filter((id) => t(id).finalOutcome === 'rejected');

  // Change failure rate: failed ÷ (completed + failed); a change that failed after completing counts once, as failed.
  const failedIds = ids.filter((id) => t(id).failedAt !== null);
  const deployedIds = ids.filter((id) => t(id).failedAt !== null || t(id).completedAt !== null);

  const emergencies = changes.filter(
    (c) => input.isEmergency(c.type) && t(c.id).verifiedAt !== null,
  );
  const emergencyLeadTime = durations(
    emergencies.map((c) => ({
      id: c.id,
      minutes: minutesBetween(t(c.id).createdAt, t(c.id).verifiedAt!),
    })),
    ['verified'],
  );

  // DORA lead time: the pull request's approval (a change drafted from GitHub is created then), else created → completed.
  const completed = changes.filter((c) => t(c.id).completedAt !== null);
  const leadTime = durations(
    completed.map((c) => {
      const tl = t(c.id);
      return {
        id: c.id,
        minutes: minutesBetween(tl.pullRequestApprovedAt ?? tl.createdAt, tl.completedAt!),
      };
    }),
  );
  const periodWeeks = (Date.parse(input.to) - Date.parse(input.from)) / WEEK_MS;

  const reviewed = changes.filter((c) => c.review?.doneAt);
  const owed = changes.filter((c) => c.review && !c.review.doneAt);
  const overdue = owed.filter((c) => c.review!.due < input.now);

  const discussed = ids.filter((id) => t(id).sittings.length > 0);
  const sittings = new Set(ids.flatMap((id) => t(id).sittings));

  return {
    total: { ids },
    byState,
    byType,
    timeToDecision: {
      overall,
      byType: ttdByType,
      byService: ttdByService,
      byGroup: perGroup(groupSamples),
    },
    firstResponseByGroup: perGroup(firstSamples),
    preApproved: { ids: preApprovedIds },
    approvalRate: rate(approvedIds, settledIds),
    // Rejected as its final outcome is the `rejected` state: its link lists exactly these.
    rejectionRate: { ...rate(rejectedIds, settledIds), states: ['rejected'] },
    changeFailureRate: rate(failedIds, deployedIds),
    emergencyLeadTime,
    weekly: weekly(
      input,
      changes.map((c) => t(c.id)),
    ),
    deployments: {
      ids: deployedIds,
      perWeek: periodWeeks > 0 ? round1(deployedIds.length / periodWeeks) : 0,
      leadTime,
    },
    reviews: {
      done: { ids: reviewed.map((c) => c.id) },
      overdue: { ids: overdue.map((c) => c.id) },
      owed: { ids: owed.map((c) => c.id), reviewDue: true },
    },
    meetings: {
      sittingsHeld: sittings.size,
      discussed: { ids: discussed },
      decidedInMeeting: { ids: decidedIds.filter((id) => t(id).sittings.length > 0) },
      decidedAsync: { ids: decidedIds.filter((id) => t(id).sittings.length === 0) },
    },
    timelines,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Weeks (Monday 00:00 UTC) from the one `from` falls in to the one before `to`; each event counted in its week. */
function weekly(input: InsightsInput, timelines: readonly Timeline[]): WeekFigure[] {
  const weeks: WeekFigure[] = [];
  const first = weekStartOf(input.from).getTime();
  const end = Date.parse(input.to);
  for (let start = first; start < end; start += WEEK_MS) {
    const weekStart = new Date(start).toISOString();
    const weekEnd = new Date(start + WEEK_MS).toISOString();
    const within = (at: string | null) => at !== null && at >= weekStart && at < weekEnd;
    const count = (pick: (tl: Timeline) => string | null) =>
      timelines.filter((tl) => within(pick(tl))).length;
    const decided = timelines.filter(
      (tl) => !tl.preApproved && within(tl.decidedAt) && tl.submittedAt !== null,
    );
    weeks.push({
      weekStart,
      weekEnd,
      created: count((tl) => tl.createdAt),
      submitted: count((tl) => tl.submittedAt),
      approved: count((tl) => (tl.outcome === 'approved' ? tl.decidedAt : null)),
      rejected: count((tl) => (tl.outcome === 'rejected' ? tl.decidedAt : null)),
      completed: count((tl) => tl.completedAt),
      failed: count((tl) => tl.failedAt),
      timeToDecision: durations(
        decided.map((tl) => ({
          id: tl.id,
          minutes: minutesBetween(tl.submittedAt!, tl.decidedAt!),
        })),
      ),
    });
  }
  return weeks;
}

export { DECIDED_STATES };
