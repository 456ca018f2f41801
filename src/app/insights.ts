import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { Change } from '../domain/change.js';
import { invalidInput, type Issue } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import {
  classFromKey,
  disqualified,
  draftEntry,
  drivingFields,
  keyOf,
  promotionCandidates,
  type StandardChangeDraft,
} from '../domain/insights/candidates.js';
import {
  COUNTERFACTUAL_HORIZON_MS,
  meetingCounterfactual,
  sittingsInPeriod,
  type CounterfactualItem,
} from '../domain/insights/counterfactual.js';
import { computeInsights, weekStartOf } from '../domain/insights/figures.js';
import type { PeriodTotals } from '../domain/insights/chunks.js';
import { timingsOf, type RollupRules } from '../domain/insights/rollup.js';
import { round1 } from '../domain/insights/stats.js';
import {
  summarizeCandidate,
  summarizeCounterfactual,
  summarizeFigures,
  summarizeNearMiss,
  type CandidateSummary,
  type ClassSummary,
  type CounterfactualSummary,
  type FiguresSummary,
  type NearMissSummary,
} from '../domain/insights/summary.js';
import type { Timeline } from '../domain/insights/timeline.js';
import { DEFAULT_AGENDA_LEAD_TIME_MS, type Policy, type Schedule } from '../domain/policy.js';
import { parseCadence } from '../policy/schedule.js';
import type { Clock } from '../shared/clock.js';
import type { ChangeQuery, InsightsPopulation, InsightsStore, Readers, WeekGrid } from './ports.js';

/**
 * "Is async working?": the figures of one period, read from the store in a
 * few batched queries (the period's changes a page at a time, then their
 * events in batches) and computed by the pure functions of domain/insights.
 */

/** The longest period asked about: a year (and a day, for a leap year). */
export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 90;
export const DEFAULT_MIN_CHANGES = 10;
/** The cadence when the policy has no scheduled meeting: fortnightly, Tuesday 10:00, in the team's most common zone. */
export const DEFAULT_CAB_RRULE = 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU';
export const DEFAULT_CAB_AT = '10:00';

const DAY_MS = 86_400_000;
const PAGE = 1000;
const EVENT_BATCH = 500;

export interface InsightsRequest {
  readonly from?: string;
  readonly to?: string;
  /** Comma-separated, as the query has them. */
  readonly service?: string;
  readonly type?: string;
  readonly cab?: string;
  readonly minChanges?: number;
}

export interface Cadence {
  readonly schedule: Schedule;
  readonly agendaLeadTimeMs: number;
  readonly source: 'query' | 'policy' | 'default';
  readonly meeting: string | null;
  readonly text: string;
}

export type CandidateWithYaml = CandidateSummary & { readonly yaml: string };

/** The period's figures as the API and the CLI show them. */
export interface Insights {
  readonly from: string;
  readonly to: string;
  readonly services: readonly string[];
  readonly types: readonly string[];
  readonly generatedAt: string;
  readonly figures: FiguresSummary;
  readonly cadence: Cadence;
  readonly counterfactual: CounterfactualSummary;
  readonly minChanges: number;
  readonly candidates: readonly CandidateWithYaml[];
  readonly nearMisses: readonly NearMissSummary[];
}

/** The period worked out in memory, change by change: the CSV's rows, and what the store's sums are held to in tests. */
export interface PeriodInMemory {
  readonly insights: Insights;
  readonly changes: readonly Change[];
  readonly timelines: ReadonlyMap<number, Timeline>;
  readonly counterfactualItems: readonly CounterfactualItem[];
}

export interface InsightsDeps {
  readonly policy: Policy;
  readonly clock: Clock;
  readonly store: {
    readonly read: Pick<Readers, 'changes' | 'events'>;
    readonly insights: InsightsStore;
  };
}

interface Scope {
  readonly from: string;
  readonly to: string;
  readonly services: readonly string[];
  readonly types: readonly string[];
  readonly cadence: Cadence;
  readonly minChanges: number;
}

/** Checks every parameter, naming each bad one by its query path. */
export function readInsightsRequest(policy: Policy, now: Date, input: InsightsRequest): Scope {
  const issues: Issue[] = [];
  const instant = (name: string, text: string | undefined): Date | undefined => {
    if (text === undefined) return undefined;
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) {
      issues.push({ path: `query.${name}`, message: 'must be an ISO 8601 instant' });
      return undefined;
    }
    return d;
  };
  const toDate = instant('to', input.to) ?? now;
  const fromDate =
    instant('from', input.from) ?? new Date(toDate.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  if (!(fromDate < toDate)) issues.push({ path: 'query.to', message: 'must be after from' });
  else if (toDate.getTime() - fromDate.getTime() > MAX_PERIOD_DAYS * DAY_MS)
    issues.push({
      path: 'query.from',
      message: `the period may be at most ${MAX_PERIOD_DAYS} days; ask for a shorter one`,
    });
  const list = (name: string, text: string | undefined, known: readonly string[]) => {
    const values = (text ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const value of values)
      if (!known.includes(value))
        issues.push({
          path: `query.${name}`,
          message: `unknown value "${value}"; expected one of: ${known.join(', ')}`,
        });
    return [...new Set(values)];
  };
  const services = list('service', input.service, [...policy.services.keys()]);
  const types = list('type', input.type, [...policy.changeTypes.keys()]);
  let cadence: Cadence | undefined;
  if (input.cab !== undefined) {
    const parsed = parseCadence(input.cab);
    if (typeof parsed === 'string') issues.push({ path: 'query.cab', message: parsed });
    else if (fromDate < toDate && neverSits(parsed, fromDate, toDate))
      issues.push({
        path: 'query.cab',
        message: `never sits from ${fromDate.toISOString()} to ${new Date(toDate.getTime() + COUNTERFACTUAL_HORIZON_MS).toISOString()} (the period and two years after it), so no change could have waited for it; write a cadence that sits, like FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London`,
      });
    else
      cadence = {
        schedule: parsed,
        agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
        source: 'query',
        meeting: null,
        text: input.cab.trim(),
      };
  }
  if (issues.length > 0) throw invalidInput(issues);
  return {
    from: fromDate.toISOString(),
    to: toDate.toISOString(),
    services,
    types,
    cadence: cadence ?? defaultCadence(policy),
    minChanges: input.minChanges ?? DEFAULT_MIN_CHANGES,
  };
}

/** No sitting in the period or the counterfactual's horizon after it: one bounded walk of the rule. */
function neverSits(schedule: Schedule, from: Date, to: Date): boolean {
  return schedule.between(from, new Date(to.getTime() + COUNTERFACTUAL_HORIZON_MS)).length === 0;
}

/** The team's own first scheduled meeting, else fortnightly Tuesday 10:00 in the zone most people are in (UTC without people). */
export function defaultCadence(policy: Policy): Cadence {
  const meeting = policy.meetings.find((m) => m.schedule);
  if (meeting?.schedule) {
    const s = meeting.schedule;
    return {
      schedule: s,
      agendaLeadTimeMs: meeting.agendaLeadTimeMs,
      source: 'policy',
      meeting: meeting.name,
      text: `${s.rrule.replace(/^RRULE:/i, '')}@${s.at} ${s.timezone}`,
    };
  }
  const zones = new Map<string, number>();
  for (const person of policy.people.values())
    zones.set(person.timezone, (zones.get(person.timezone) ?? 0) + 1);
  const zone = [...zones].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'UTC';
  const text = `${DEFAULT_CAB_RRULE}@${DEFAULT_CAB_AT} ${zone}`;
  let schedule = parseCadence(text);
  if (typeof schedule === 'string')
    schedule = parseCadence(`${DEFAULT_CAB_RRULE}@${DEFAULT_CAB_AT} UTC`);
  if (typeof schedule === 'string')
    throw new Error(`the default cadence does not parse: ${schedule}`);
  return {
    schedule,
    agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
    source: 'default',
    meeting: null,
    text: `${schedule.rrule.replace(/^RRULE:/i, '')}@${schedule.at} ${schedule.timezone}`,
  };
}

/** Every change created in the period (with the filters), oldest first, and its events: one query per page and per batch. */
export async function readPeriod(
  read: Pick<Readers, 'changes' | 'events'>,
  scope: Pick<Scope, 'from' | 'to' | 'services' | 'types'>,
): Promise<{ changes: Change[]; events: Map<number, AuditEvent[]> }> {
  const changes: Change[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await read.changes.list({
      createdFrom: scope.from,
      createdTo: scope.to,
      ...(scope.services.length > 0 && { services: scope.services }),
      ...(scope.types.length > 0 && { types: scope.types }),
      order: 'newest',
      beforeId,
      limit: PAGE,
    });
    changes.push(...page);
    if (page.length < PAGE) break;
    beforeId = page[page.length - 1]!.id;
  }
  changes.reverse();
  const events = new Map<number, AuditEvent[]>();
  for (let i = 0; i < changes.length; i += EVENT_BATCH) {
    const batch = await read.events.listForChanges(
      changes.slice(i, i + EVENT_BATCH).map((c) => c.id),
    );
    for (const [id, list] of batch) events.set(id, list);
  }
  return { changes, events };
}

/**
 * The figures of a period, summed by the store over its rollup: rows behind
 * their change or the policy are worked out again first (a page of changes and
 * their events at a time), then every figure is one aggregate in SQL.
 */
export async function getInsights(deps: InsightsDeps, input: InsightsRequest): Promise<Insights> {
  const now = deps.clock.now();
  const scope = readInsightsRequest(deps.policy, now, input);
  const population = populationOf(scope);
  // Unfiltered: a change whose type or services were edited is summed by where it is now.
  await catchUpTimings(deps, { ...population, types: [], services: [] });
  const { insights: store } = deps.store;
  const grid = weekGrid(scope);
  const totals = await store.totals(population);
  const summed = await store.figures(population, { nowMs: now.getTime(), grid, totals });
  const periodWeeks = (population.toMs - population.fromMs) / WEEK_MS;
  const figures: FiguresSummary = {
    ...summed,
    deployments: {
      ...summed.deployments,
      perWeek: periodWeeks > 0 ? round1(summed.deployments.count / periodWeeks) : 0,
    },
  };
  const counterfactual = await replayCab(store, population, totals, scope.cadence);
  const { candidates, nearMisses } = await candidatesOf(
    deps,
    population,
    totals,
    scope.minChanges,
    now,
  );
  return {
    ...scopeFields(scope, now),
    figures,
    cadence: scope.cadence,
    counterfactual,
    minChanges: scope.minChanges,
    candidates,
    nearMisses,
  };
}

const WEEK_MS = 7 * DAY_MS;
/** Changes worked out again per round trip while catching the rollup up. */
const CATCH_UP_BATCH = 500;
/** A candidate's entry is drafted from its class's latest changes. */
const DRAFTED_FROM = 500;

function populationOf(
  scope: Pick<Scope, 'from' | 'to' | 'services' | 'types'>,
): InsightsPopulation {
  return {
    fromMs: Date.parse(scope.from),
    toMs: Date.parse(scope.to),
    services: scope.services,
    types: scope.types,
  };
}

function scopeFields(scope: Scope, now: Date) {
  return {
    from: scope.from,
    to: scope.to,
    services: scope.services,
    types: scope.types,
    generatedAt: now.toISOString(),
  };
}

/** Weeks (Monday 00:00 UTC) from the one `from` falls in to the one `to` falls in. */
function weekGrid(scope: Pick<Scope, 'from' | 'to'>): WeekGrid {
  const firstWeekMs = weekStartOf(scope.from).getTime();
  return { firstWeekMs, weeks: Math.ceil((Date.parse(scope.to) - firstWeekMs) / WEEK_MS) };
}

export function rollupRules(policy: Policy): RollupRules {
  return {
    membersOf: (group) => policy.groups.get(group) ?? [],
    isEmergency: isEmergencyType(policy),
    drivingFields: (type) => drivingFields(policy, type),
  };
}

/** The changes a board query with `figure` lists: those of its period and filters (all time without one). */
export function populationOfQuery(
  query: Pick<ChangeQuery, 'createdFrom' | 'createdTo' | 'services' | 'types'>,
): InsightsPopulation {
  return {
    fromMs: query.createdFrom === undefined ? 0 : Date.parse(query.createdFrom),
    toMs: query.createdTo === undefined ? END_OF_TIME_MS : Date.parse(query.createdTo),
    services: query.services ?? [],
    types: query.types ?? [],
  };
}

const END_OF_TIME_MS = Date.parse('9999-12-31T00:00:00Z');

/**
 * Populations found fresh, per store, at an audit chain head and a policy:
 * every change to a change appends to the chain, so until its head moves (or
 * the policy changes) nothing in them can be behind, and the check is skipped.
 */
const freshAt = new WeakMap<object, FreshPopulation[]>();
interface FreshPopulation {
  readonly population: InsightsPopulation;
  readonly head: number;
  readonly policyHash: string;
}
const REMEMBERED = 8;

const covers = (outer: InsightsPopulation, inner: InsightsPopulation): boolean =>
  outer.fromMs <= inner.fromMs &&
  outer.toMs >= inner.toMs &&
  (outer.services.length === 0 || outer.services.join() === inner.services.join()) &&
  (outer.types.length === 0 || outer.types.join() === inner.types.join());

/** Works out again every row of the population that is missing or behind its change or the policy. */
export async function catchUpTimings(
  deps: Pick<InsightsDeps, 'policy' | 'store'>,
  population: InsightsPopulation,
  {
    atMost = Number.POSITIVE_INFINITY,
    step = CATCH_UP_BATCH,
    scanWindow = SCAN_WINDOW,
  }: {
    /** Changes worked out at most. */
    atMost?: number;
    /** Changes worked out per transaction. */
    step?: number;
    /** Change ids looked at per query. */
    scanWindow?: number;
  } = {},
): Promise<number> {
  const { policy, store } = deps;
  // Read before looking: a change written meanwhile moves the head past it.
  const head = (await store.read.events.head())?.lastId ?? 0;
  const known = freshAt.get(store) ?? [];
  if (
    known.some(
      (f) => f.head === head && f.policyHash === policy.hash && covers(f.population, population),
    )
  )
    return 0;
  const rules = rollupRules(policy);
  let caughtUp = 0;
  let complete = false;
  // Walked a window of ids at a time: on SQLite each query holds the process's only
  // thread, and a year of changes in one scan would hold it for a second.
  const lastId = (await store.read.changes.lastId()) ?? 0;
  let after = 0;
  while (caughtUp < atMost && after < lastId) {
    const limit = Math.min(CATCH_UP_BATCH, atMost - caughtUp);
    const window = { after, upTo: Math.min(lastId, after + scanWindow) };
    const ids = await store.insights.staleIds(population, policy.hash, limit, window);
    // On SQLite every statement runs on the process's only thread, and awaiting one
    // does not let the event loop turn: requests and deliveries are served between steps.
    await turnOfTheEventLoop();
    for (let from = 0; from < ids.length; from += step) {
      const slice = ids.slice(from, from + step);
      // The change before its events: a row is never newer than the version it is saved as.
      const changes = await store.read.changes.findMany(slice);
      const events = await store.read.events.listForChanges(slice);
      await store.insights.save(
        changes.map((change) => ({
          version: change.version,
          timings: timingsOf({ change, events: events.get(change.id) ?? [] }, rules),
        })),
        policy.hash,
      );
      caughtUp += changes.length;
      if (caughtUp % ANALYZE_EVERY < changes.length) await store.insights.analyze();
      await turnOfTheEventLoop();
    }
    after = ids.length < limit ? window.upTo : ids.at(-1)!;
  }
  // Changes past lastId were created after the head was read: their events are past it too.
  complete = after >= lastId;
  if (complete)
    freshAt.set(
      store,
      [{ population, head, policyHash: policy.hash }, ...known].slice(0, REMEMBERED),
    );
  return caughtUp;
}

/** Change ids looked at per query when looking for rows that are behind. */
const SCAN_WINDOW = 20_000;

/** A backfill refreshes the planner's statistics as the rollup grows (PostgreSQL may run without autovacuum). */
const ANALYZE_EVERY = 10_000;

/** Changes the scheduled round works out at most, so that a backfill (an upgrade, a new policy) never holds deliveries up for long. */
const WARM_PER_ROUND = 2000;

/**
 * Changes the scheduled round works out per step. It runs beside deliveries, and on
 * SQLite each step holds the process's only thread: small steps keep cards moving.
 */
const WARM_BATCH = 100;

/**
 * Keeps the rollup of the longest period asked about caught up between requests
 * (run with the dispatcher's scheduled work), so that the first request after
 * many changes, an upgrade or a new policy does not work them all out itself,
 * and works out again the weekly chunks those rows cleared.
 */
export function insightsWarmer(deps: Pick<InsightsDeps, 'policy' | 'store' | 'clock'>) {
  return async (): Promise<number> => {
    const now = deps.clock.now().getTime();
    const period = {
      fromMs: now - MAX_PERIOD_DAYS * DAY_MS,
      toMs: now + DAY_MS,
      services: [],
      types: [],
    };
    const caughtUp = await catchUpTimings(deps, period, {
      atMost: WARM_PER_ROUND,
      step: WARM_BATCH,
    });
    // The weeks those rows are in are summed again here rather than by the next reader.
    if (caughtUp > 0) await deps.store.insights.workOutCleared(period);
    return caughtUp;
  };
}

async function replayCab(
  store: InsightsStore,
  population: InsightsPopulation,
  totals: PeriodTotals,
  cadence: Cadence,
): Promise<CounterfactualSummary> {
  // From the earliest submission waited on to the latest agenda deadline or decision.
  const { waited } = totals;
  const low = Math.min(population.fromMs, waited?.low ?? population.fromMs);
  const high = Math.max(
    population.toMs,
    waited === null
      ? population.toMs
      : Math.max(waited.lastSubmitted + cadence.agendaLeadTimeMs, waited.lastDecided),
  );
  const all = cadence.schedule.between(new Date(low), new Date(high + COUNTERFACTUAL_HORIZON_MS));
  const replayed = await store.counterfactual(population, {
    sittingStarts: all.map((o) => o.start.getTime()),
    agendaLeadTimeMs: cadence.agendaLeadTimeMs,
    totals,
  });
  return {
    ...replayed,
    sittings: sittingsInPeriod(all, population.fromMs, population.toMs),
  };
}

async function candidatesOf(
  deps: Pick<InsightsDeps, 'policy' | 'store'>,
  population: InsightsPopulation,
  totals: PeriodTotals,
  minChanges: number,
  now: Date,
): Promise<{ candidates: CandidateWithYaml[]; nearMisses: NearMissSummary[] }> {
  const { policy, store } = deps;
  const takenIds = new Set((policy.standardChanges ?? []).map((s) => s.id));
  const candidates: CandidateWithYaml[] = [];
  const nearMisses: NearMissSummary[] = [];
  for (const tally of await store.insights.classes(population, minChanges, totals)) {
    const cls = classFromKey(tally.classKey);
    const summary = {
      ...cls,
      decided: tally.decided,
      approved: tally.approved,
      rejected: tally.rejected.count,
      failed: tally.failed.count,
      open: tally.open,
    };
    const reason = disqualified(tally.rejected, tally.failed);
    if (reason !== null) {
      nearMisses.push({ ...summary, reason });
      continue;
    }
    const members = await store.insights.classMembers(population, tally.classKey, DRAFTED_FROM);
    const entry = draftEntry(
      cls,
      members,
      { policy, today: now.toISOString().slice(0, 10) },
      takenIds,
    );
    candidates.push({ ...summary, entry, yaml: standardChangeYaml(entry) });
  }
  const bySize = (a: ClassSummary, b: ClassSummary) =>
    b.decided.count - a.decided.count || keyOf(a).localeCompare(keyOf(b));
  return { candidates: candidates.sort(bySize), nearMisses: nearMisses.sort(bySize) };
}

/** The period change by change, in memory: for the CSV (a row per change) and to check the store's sums against. */
export async function getPeriodInMemory(
  deps: InsightsDeps,
  input: InsightsRequest,
): Promise<PeriodInMemory> {
  const now = deps.clock.now();
  const scope = readInsightsRequest(deps.policy, now, input);
  const { changes, events } = await readPeriod(deps.store.read, scope);
  return computeInMemory(deps.policy, now, scope, changes, events);
}

export function isEmergencyType(policy: Policy): (type: string) => boolean {
  // An emergency is the type so named, or any type that lets work start before its approvals are all in.
  return (type) => type === 'emergency' || policy.changeTypes.get(type)?.earlyStart !== undefined;
}

function computeInMemory(
  policy: Policy,
  now: Date,
  scope: Scope,
  changes: readonly Change[],
  events: ReadonlyMap<number, readonly AuditEvent[]>,
): PeriodInMemory {
  const isEmergency = isEmergencyType(policy);
  const figures = computeInsights({
    histories: changes.map((change) => ({ change, events: events.get(change.id) ?? [] })),
    from: scope.from,
    to: scope.to,
    now: now.toISOString(),
    membersOf: (group) => policy.groups.get(group) ?? [],
    isEmergency,
  });
  const counterfactual = meetingCounterfactual({
    changes,
    timelines: figures.timelines,
    schedule: scope.cadence.schedule,
    agendaLeadTimeMs: scope.cadence.agendaLeadTimeMs,
    isEmergency,
    from: scope.from,
    to: scope.to,
  });
  const promoted = promotionCandidates({
    changes,
    timelines: figures.timelines,
    policy,
    minChanges: scope.minChanges,
    today: now.toISOString().slice(0, 10),
  });
  return {
    insights: {
      ...scopeFields(scope, now),
      figures: summarizeFigures(figures),
      cadence: scope.cadence,
      counterfactual: summarizeCounterfactual(counterfactual),
      minChanges: scope.minChanges,
      candidates: promoted.candidates.map((c) => ({
        ...summarizeCandidate(c),
        yaml: standardChangeYaml(c.entry),
      })),
      nearMisses: promoted.nearMisses.map(summarizeNearMiss),
    },
    changes,
    timelines: figures.timelines,
    counterfactualItems: counterfactual.items,
  };
}

/** The entry as a `standardChanges:` list item, ready to paste; `approvedBy` is left for a person to fill in. */
export function standardChangeYaml(entry: StandardChangeDraft): string {
  const text = stringify([{ ...entry, approvedOn: entry.approvedOn }], { lineWidth: 0 });
  return text.replace(
    /^(\s*)approvedBy: null$/m,
    '$1approvedBy: null # fill in: the person who accepts this template',
  );
}
