import { firstFrom } from './counterfactual.js';
import type { ChangeTimings } from './rollup.js';
import { round1 } from './stats.js';

/**
 * The insights of a period are sums of what its changes contribute
 * (rollup.ts). A chunk holds those sums for the changes of one week of
 * creation, one type and one set of services: the store keeps a chunk per
 * such key and a year is read as about fifty weeks of chunks (the weeks cut by
 * the period's edges are summed from their changes), not as every change.
 * Counts add up; durations keep their values, for exact percentiles.
 */

export const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05, a Monday: weeks start on Monday 00:00 UTC, as the weekly series does. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

export function weekStartMs(ms: number): number {
  return ms - ((((ms - FIRST_MONDAY_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS);
}

export interface ChunkKey {
  readonly weekMs: number;
  readonly type: string;
  /** The sorted services as a JSON array. */
  readonly servicesKey: string;
}

export function chunkKeyOf(t: Pick<ChangeTimings, 'createdMs' | 'type' | 'services'>): ChunkKey {
  return { weekMs: weekStartMs(t.createdMs), type: t.type, servicesKey: servicesKeyOf(t.services) };
}

export function servicesKeyOf(services: readonly string[]): string {
  return JSON.stringify([...services].sort());
}

export const COUNTED = [
  'preApproved',
  'settled',
  'approved',
  'rejected',
  'failed',
  'deployed',
  'reviewsDone',
  'reviewsOwed',
  'discussed',
  'decidedInMeeting',
  'decidedAsync',
] as const;
export type Counted = (typeof COUNTED)[number];

/** A class's tally for promotion candidates: [decided, approved, rejected, failed, open, first id]. */
type ClassTally = [number, number, number, number, number, number];

/** Bumped whenever Chunk changes shape: a chunk stored in another format is worked out again. */
export const CHUNK_FORMAT = 1;

/** Plain JSON: the store keeps it as text. */
export interface Chunk {
  readonly format: typeof CHUNK_FORMAT;
  /** Changes per `${state}\t${type}`. */
  readonly states: Record<string, number>;
  readonly counts: Record<Counted, number>;
  /** When each review still owed is due (overdue is a matter of when one asks). */
  readonly reviewsDue: number[];
  /**
   * Minutes per duration figure: `overall` (time to decision), `week:<ms>` (by
   * the week of the decision), `service:<s>`, `group:<g>`, `first:<g>` (first
   * response), `lead`, `emergency`. Per type is `overall` of that type's chunks.
   */
  readonly durations: Record<string, number[]>;
  /** `${what}@${weekMs}`: created, submitted, approved, rejected, completed, failed in that week. */
  readonly weeks: Record<string, number>;
  readonly sittings: string[];
  readonly classes: Record<string, ClassTally>;
  /** Of the changes waited on: earliest and latest submission, latest decision. */
  readonly waited: [low: number, lastSubmitted: number, lastDecided: number] | null;
  /** The changes waited on, for the CAB replay: WAITED_FIELDS numbers each. */
  readonly waitedOn: number[];
}

/** id, submitted, decided (ms), emergency (1 or 0), rejected (1 or 0). */
const WAITED_FIELDS = 5;

export function summarise(rows: readonly ChangeTimings[]): Chunk {
  const states: Record<string, number> = {};
  const counts = Object.fromEntries(COUNTED.map((k) => [k, 0])) as Record<Counted, number>;
  const reviewsDue: number[] = [];
  const durations: Record<string, number[]> = {};
  const weeks: Record<string, number> = {};
  const sittings = new Set<string>();
  const classes: Record<string, ClassTally> = {};
  let waited: [number, number, number] | null = null;
  const waitedOn: number[] = [];
  const add = (key: string, value: number | null) => {
    if (value === null) return;
    (durations[key] ??= []).push(value);
  };
  const inWeek = (what: string, at: number | null) => {
    if (at === null) return;
    const key = `${what}@${weekStartMs(at)}`;
    weeks[key] = (weeks[key] ?? 0) + 1;
  };
  const count = (what: Counted, yes: boolean) => {
    if (yes) counts[what] += 1;
  };
  for (const t of rows) {
    const stateType = `${t.state}\t${t.type}`;
    states[stateType] = (states[stateType] ?? 0) + 1;
    const settled = !t.preApproved && t.finalOutcome !== null;
    const sat = new Set(t.sittings).size > 0;
    const decided = t.decisionMinutes !== null;
    count('preApproved', t.preApproved);
    count('settled', settled);
    count('approved', settled && t.finalOutcome === 'approved');
    count('rejected', settled && t.finalOutcome === 'rejected');
    count('failed', t.failedMs !== null);
    count('deployed', t.failedMs !== null || t.completedMs !== null);
    count('reviewsDone', t.reviewed);
    count('reviewsOwed', t.reviewDueMs !== null && !t.reviewed);
    count('discussed', sat);
    count('decidedInMeeting', decided && sat);
    count('decidedAsync', decided && !sat);
    if (t.reviewDueMs !== null && !t.reviewed) reviewsDue.push(t.reviewDueMs);

    add('overall', t.decisionMinutes);
    if (t.decidedMs !== null) add(`week:${weekStartMs(t.decidedMs)}`, t.decisionMinutes);
    add('lead', t.leadMinutes);
    add('emergency', t.emergencyMinutes);
    if (decided) for (const service of t.services) add(`service:${service}`, t.decisionMinutes);
    for (const g of t.groups) {
      add(`group:${g.group}`, g.decisionMinutes);
      add(`first:${g.group}`, g.firstResponseMinutes);
    }

    inWeek('created', t.createdMs);
    inWeek('submitted', t.submittedMs);
    if (t.outcome !== null) inWeek(t.outcome, t.decidedMs);
    inWeek('completed', t.completedMs);
    inWeek('failed', t.failedMs);
    for (const s of t.sittings) sittings.add(s);

    if (t.classKey !== null) {
      const tally = (classes[t.classKey] ??= [0, 0, 0, 0, 0, t.id]);
      const final = t.finalOutcome;
      if (final !== null) tally[0] += 1;
      if (final === 'approved' && !t.everRejected) tally[1] += 1;
      if (final === 'rejected' || t.everRejected) tally[2] += 1;
      if (final !== null && t.failedMs !== null) tally[3] += 1;
      if (final === null) tally[4] += 1;
      tally[5] = Math.min(tally[5], t.id);
    }
    if (decided && t.submittedMs !== null && t.decidedMs !== null) {
      waitedOn.push(
        t.id,
        t.submittedMs,
        t.decidedMs,
        t.emergency ? 1 : 0,
        t.outcome === 'rejected' ? 1 : 0,
      );
      waited =
        waited === null
          ? [t.submittedMs, t.submittedMs, t.decidedMs]
          : [
              Math.min(waited[0], t.submittedMs),
              Math.max(waited[1], t.submittedMs),
              Math.max(waited[2], t.decidedMs),
            ];
    }
  }
  return {
    format: CHUNK_FORMAT,
    states,
    counts,
    reviewsDue,
    durations,
    weeks,
    sittings: [...sittings],
    classes,
    waited,
    waitedOn,
  };
}

export interface DurationTotal {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  /** Rounded to one decimal. */
  readonly mean: number;
}

export interface ClassTotal {
  readonly decided: number;
  readonly approved: number;
  readonly rejected: number;
  readonly failed: number;
  readonly open: number;
  readonly firstId: number;
}

/** The sums of a period: its chunks added up, durations as their figures. */
export interface PeriodTotals {
  readonly total: number;
  readonly byState: ReadonlyMap<string, number>;
  readonly byType: ReadonlyMap<string, number>;
  readonly counts: Readonly<Record<Counted, number>>;
  readonly reviewsDue: readonly number[];
  /** The keys of Chunk.durations, with `type:<t>` for time to decision per type. */
  readonly durations: ReadonlyMap<string, DurationTotal>;
  readonly weeks: ReadonlyMap<string, number>;
  readonly sittingsHeld: number;
  readonly classes: ReadonlyMap<string, ClassTotal>;
  readonly waited: {
    readonly low: number;
    readonly lastSubmitted: number;
    readonly lastDecided: number;
  } | null;
  readonly waitedOn: readonly (readonly number[])[];
}

export function addUp(
  parts: readonly { readonly type: string; readonly chunk: Chunk }[],
): PeriodTotals {
  const byState = new Map<string, number>();
  const byType = new Map<string, number>();
  const counts = Object.fromEntries(COUNTED.map((k) => [k, 0])) as Record<Counted, number>;
  const reviewsDue: number[] = [];
  const values = new Map<string, number[][]>();
  const weeks = new Map<string, number>();
  const sittings = new Set<string>();
  const classes = new Map<string, ClassTally>();
  let waited: [number, number, number] | null = null;
  const waitedOn: number[][] = [];
  const bump = (map: Map<string, number>, key: string, n: number) =>
    map.set(key, (map.get(key) ?? 0) + n);
  for (const { type, chunk } of parts) {
    for (const [stateType, n] of Object.entries(chunk.states)) {
      const [state, rowType] = stateType.split('\t') as [string, string];
      bump(byState, state, n);
      bump(byType, rowType, n);
    }
    for (const k of COUNTED) counts[k] += chunk.counts[k];
    reviewsDue.push(...chunk.reviewsDue);
    for (const [key, list] of Object.entries(chunk.durations)) {
      const lists = values.get(key);
      if (lists) lists.push(list);
      else values.set(key, [list]);
      if (key === 'overall') {
        const typeKey = `type:${type}`;
        const ofType = values.get(typeKey);
        if (ofType) ofType.push(list);
        else values.set(typeKey, [list]);
      }
    }
    for (const [key, n] of Object.entries(chunk.weeks)) bump(weeks, key, n);
    for (const s of chunk.sittings) sittings.add(s);
    for (const [key, [decided, approved, rejected, failed, open, first]] of Object.entries(
      chunk.classes,
    )) {
      const tally = classes.get(key);
      if (!tally) classes.set(key, [decided, approved, rejected, failed, open, first]);
      else {
        tally[0] += decided;
        tally[1] += approved;
        tally[2] += rejected;
        tally[3] += failed;
        tally[4] += open;
        tally[5] = Math.min(tally[5], first);
      }
    }
    if (chunk.waitedOn.length > 0) waitedOn.push(chunk.waitedOn);
    const w = chunk.waited;
    if (w !== null)
      waited =
        waited === null
          ? [...w]
          : [Math.min(waited[0], w[0]), Math.max(waited[1], w[1]), Math.max(waited[2], w[2])];
  }
  const durations = new Map<string, DurationTotal>();
  for (const [key, lists] of values) {
    const figure = durationOf(lists);
    if (figure !== null) durations.set(key, figure);
  }
  const total = [...byState.values()].reduce((a, b) => a + b, 0);
  return {
    total,
    byState,
    byType,
    counts,
    reviewsDue,
    durations,
    weeks,
    sittingsHeld: sittings.size,
    classes: new Map(
      [...classes].map(([key, [decided, approved, rejected, failed, open, firstId]]) => [
        key,
        { decided, approved, rejected, failed, open, firstId },
      ]),
    ),
    waited:
      waited === null ? null : { low: waited[0], lastSubmitted: waited[1], lastDecided: waited[2] },
    waitedOn,
  };
}

export interface ReplayedChange {
  readonly id: number;
  readonly submittedMs: number;
  readonly decidedMs: number;
  readonly emergency: boolean;
  readonly outcome: 'approved' | 'rejected';
  readonly cabMs: number;
  /** The first sitting after the submission: sooner than cabMs when the agenda was missed. */
  readonly nextMs: number;
  readonly savedMinutes: number;
}

export interface Replay {
  readonly count: number;
  /** The first `sample` ids by id. */
  readonly ids: readonly number[];
  readonly totalSavedMinutes: number;
  readonly medianSavedMinutes: number | null;
  readonly faster: number;
  readonly ecab: { readonly count: number; readonly ids: readonly number[] };
  /** The first `items`, soonest submitted first. */
  readonly items: readonly ReplayedChange[];
}

/**
 * The CAB replay (counterfactual.ts has it change by change): each change
 * waited on is decided at the first sitting at or after its submission plus
 * the agenda's lead time; one submitted too late for the last sitting is left
 * out. `starts` ascending.
 */
export function replayWaitedOn(
  totals: Pick<PeriodTotals, 'waitedOn'>,
  options: {
    readonly starts: readonly number[];
    readonly agendaLeadTimeMs: number;
    readonly sample: number;
    readonly items: number;
  },
): Replay {
  const { starts, agendaLeadTimeMs } = options;
  // Columns of the changes a CAB would have sat on; objects only for the items shown.
  const ids: number[] = [];
  const submitted: number[] = [];
  const saved: number[] = [];
  const ecabIds: number[] = [];
  const where: [list: readonly number[], at: number, cabMs: number][] = [];
  let total = 0;
  let faster = 0;
  for (const list of totals.waitedOn)
    for (let i = 0; i < list.length; i += WAITED_FIELDS) {
      const submittedMs = list[i + 1]!;
      const cab = firstFrom(starts, submittedMs + agendaLeadTimeMs);
      if (cab >= starts.length) continue;
      const cabMs = starts[cab]!;
      const savedMinutes = Math.round((cabMs - list[i + 2]!) / 6000) / 10;
      total += savedMinutes;
      if (savedMinutes > 0) {
        faster += 1;
        if (list[i + 3] === 1) ecabIds.push(list[i]!);
      }
      ids.push(list[i]!);
      submitted.push(submittedMs);
      saved.push(savedMinutes);
      where.push([list, i, cabMs]);
    }
  const first = (values: readonly number[], n: number) => {
    const copy = Float64Array.from(values);
    if (copy.length > n) select(copy, n - 1, 0, copy.length - 1);
    return copy.subarray(0, n).sort();
  };
  // The soonest submitted: those up to the n-th submission time, ordered (ties by id).
  const cutoff = first(submitted, options.items).at(-1) ?? Number.NEGATIVE_INFINITY;
  const items: ReplayedChange[] = [];
  for (let k = 0; k < submitted.length; k++) {
    if (submitted[k]! > cutoff) continue;
    const [list, i, cabMs] = where[k]!;
    items.push({
      id: list[i]!,
      submittedMs: list[i + 1]!,
      decidedMs: list[i + 2]!,
      emergency: list[i + 3] === 1,
      outcome: list[i + 4] === 1 ? 'rejected' : 'approved',
      cabMs,
      nextMs: starts[firstFrom(starts, list[i + 1]!)]!,
      savedMinutes: saved[k]!,
    });
  }
  const median = rankOf(saved.length, 50);
  const savedValues = Float64Array.from(saved);
  select(savedValues, median, 0, savedValues.length - 1);
  return {
    count: ids.length,
    ids: [...first(ids, options.sample)],
    totalSavedMinutes: round1(total),
    medianSavedMinutes: saved.length === 0 ? null : savedValues[median]!,
    faster,
    ecab: { count: ecabIds.length, ids: [...first(ecabIds, options.sample)] },
    items: items
      .sort((a, b) => a.submittedMs - b.submittedMs || a.id - b.id)
      .slice(0, options.items),
  };
}

/** p50 and p90 by nearest rank (the ⌈p·n⌉-th smallest, as stats.ts), and the mean. */
function durationOf(lists: readonly number[][]): DurationTotal | null {
  let n = 0;
  for (const list of lists) n += list.length;
  if (n === 0) return null;
  const values = new Float64Array(n);
  let at = 0;
  let sum = 0;
  for (const list of lists)
    for (const value of list) {
      values[at++] = value;
      sum += value;
    }
  // Selection, not a sort: the p90's rank is found among what lies above the p50's.
  const p50 = rankOf(n, 50);
  const p90 = rankOf(n, 90);
  select(values, p50, 0, n - 1);
  select(values, p90, p50, n - 1);
  return { n, p50: values[p50]!, p90: values[p90]!, mean: round1(sum / n) };
}

/** The index of the ⌈p·n⌉-th smallest. */
function rankOf(n: number, p: number): number {
  return Math.max(1, Math.ceil((p / 100) * n)) - 1;
}

/** Reorders values[left..right] so that values[k] is the value a sort would put there, smaller ones before it. */
function select(values: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const pivot = median3(values[left]!, values[(left + right) >>> 1]!, values[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}
