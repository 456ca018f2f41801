import type { Answers } from '../../domain/change.js';
import type { PeriodTotals } from '../../domain/insights/chunks.js';
import type { ChangeTimings } from '../../domain/insights/rollup.js';
import type {
  CounterfactualSummary,
  CountSummary,
  FiguresSummary,
} from '../../domain/insights/summary.js';

/** The changes a summary covers: created in [fromMs, toMs), of these types and services (any, when empty). */
export interface InsightsPopulation {
  readonly fromMs: number;
  readonly toMs: number;
  readonly services: readonly string[];
  readonly types: readonly string[];
}

/** Weeks (Monday 00:00 UTC) from `firstWeekMs`, `weeks` of them. */
export interface WeekGrid {
  readonly firstWeekMs: number;
  readonly weeks: number;
}

export interface ClassTallyRow {
  readonly classKey: string;
  readonly decided: CountSummary;
  readonly approved: number;
  /** Ids of the rejected (at most 21: enough to name 20 and say there are more). */
  readonly rejected: { readonly count: number; readonly ids: readonly number[] };
  readonly failed: { readonly count: number; readonly ids: readonly number[] };
  readonly open: number;
}

export interface ClassMember {
  readonly answers: Answers;
  readonly requester: string | null;
  readonly title: string;
}

/**
 * The insights' rollup (one row of `ChangeTimings` per change, caught up with
 * the change's version and the policy in force) and the sums over it: a year of
 * changes is summed in SQL, not loaded.
 */
export interface InsightsStore {
  /**
   * Changes of the population whose row is missing, behind their version, or of
   * another policy: the first `limit` by id, of those with an id in
   * (`ids.after`, `ids.upTo`] when given.
   */
  staleIds(
    population: InsightsPopulation,
    policyHash: string,
    limit: number,
    ids?: { readonly after: number; readonly upTo: number },
  ): Promise<readonly number[]>;
  /** Writes the rows (a row newer than the one given is kept). */
  save(
    rows: readonly { readonly version: number; readonly timings: ChangeTimings }[],
    policyHash: string,
  ): Promise<void>;
  /** Refreshes the planner's statistics of the rollup, after a backfill changed its size. */
  analyze(): Promise<void>;
  /** The period's sums, read from the weekly chunks (domain/insights/chunks.ts). */
  totals(population: InsightsPopulation): Promise<PeriodTotals>;
  /** Works out again the cleared chunks of the weeks wholly inside the period (nothing else is read); how many. */
  workOutCleared(population: InsightsPopulation): Promise<number>;
  figures(
    population: InsightsPopulation,
    options: { readonly nowMs: number; readonly grid: WeekGrid; readonly totals: PeriodTotals },
  ): Promise<
    Omit<FiguresSummary, 'deployments'> & {
      readonly deployments: Omit<FiguresSummary['deployments'], 'perWeek'>;
    }
  >;
  /** The CAB replay against these sitting starts (ascending); `sittings` is left to the caller. */
  counterfactual(
    population: InsightsPopulation,
    options: {
      readonly sittingStarts: readonly number[];
      readonly agendaLeadTimeMs: number;
      readonly totals: PeriodTotals;
    },
  ): Promise<Omit<CounterfactualSummary, 'sittings'>>;
  /** Classes with at least `minChanges` decided changes, in the order their first change was created. */
  classes(
    population: InsightsPopulation,
    minChanges: number,
    totals: PeriodTotals,
  ): Promise<readonly ClassTallyRow[]>;
  /** The latest `limit` decided changes of a class, oldest first. */
  classMembers(
    population: InsightsPopulation,
    classKey: string,
    limit: number,
  ): Promise<readonly ClassMember[]>;
}
