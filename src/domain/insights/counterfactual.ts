import type { Schedule } from '../policy.js';
import { percentile, round1 } from './stats.js';
import { minutesBetween, type Timeline } from './timeline.js';

/**
 * The meeting it replaced: for each change submitted and decided, the first
 * sitting of a CAB at the given cadence that could have decided it, against
 * when it really was decided. A change submitted less than `agendaLeadTimeMs`
 * before a sitting misses that sitting's agenda and waits for the next one.
 * The schedule (rrule and luxon, outside the domain) is handed in, and asked
 * once for every sitting of the period. Changes that needed no approval
 * (pre-approved) are left out: nobody waited for them.
 */

export interface CounterfactualItem {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly emergency: boolean;
  readonly outcome: 'approved' | 'rejected';
  readonly submittedAt: string;
  readonly decidedAt: string;
  readonly cabAt: string;
  readonly missedAgenda: boolean;
  /** cabAt − decidedAt in minutes: positive when asynchronous approval was sooner. */
  readonly savedMinutes: number;
}

export interface Counterfactual {
  readonly items: readonly CounterfactualItem[];
  readonly totalSavedMinutes: number;
  readonly medianSavedMinutes: number | null;
  readonly faster: number;
  /** Sittings the cadence holds in the period. */
  readonly sittings: number;
  /** Emergency changes decided before the CAB would have sat: each would have needed an emergency CAB. */
  readonly ecab: readonly number[];
}

export interface CounterfactualInput {
  readonly changes: readonly {
    readonly id: number;
    readonly title: string;
    readonly type: string;
  }[];
  readonly timelines: ReadonlyMap<number, Timeline>;
  readonly schedule: Pick<Schedule, 'between'>;
  readonly agendaLeadTimeMs: number;
  readonly isEmergency: (type: string) => boolean;
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 86_400_000;

/**
 * How far past the period (and past the last change's agenda deadline) sittings
 * are looked for: a cadence sits at least every two years, or its changes are
 * left out (the app refuses a `cab` that never sits in the period or this horizon).
 */
export const COUNTERFACTUAL_HORIZON_MS = 2 * 366 * DAY_MS;

/** The index of the first sitting starting at or after `at` in `starts` (ascending), else `starts.length`. */
export function firstFrom(starts: readonly number[], at: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (starts[mid]! < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Sittings under way at some moment of the period, as `between(from, to)` has them. */
export function sittingsInPeriod(
  sittings: readonly { readonly start: Date; readonly end: Date }[],
  fromMs: number,
  toMs: number,
): number {
  return sittings.filter((o) => o.start.getTime() <= toMs && o.end.getTime() > fromMs).length;
}

export function meetingCounterfactual(input: CounterfactualInput): Counterfactual {
  const decided = [...input.changes]
    .sort((a, b) => a.id - b.id)
    .flatMap((change) => {
      const tl = input.timelines.get(change.id);
      // A change that needed no approval waited for nobody: a CAB would not have sat on it.
      if (!tl || tl.preApproved || tl.outcome === null) return [];
      if (tl.submittedAt === null || tl.decidedAt === null) return [];
      return [
        { change, submittedAt: tl.submittedAt, decidedAt: tl.decidedAt, outcome: tl.outcome },
      ];
    });
  // The sittings, walked once for the whole period: from the earliest submission to a
  // horizon past the period and the last agenda deadline, soonest first.
  const periodFrom = Date.parse(input.from);
  const periodTo = Date.parse(input.to);
  let low = periodFrom;
  let high = periodTo;
  for (const d of decided) {
    const submitted = Date.parse(d.submittedAt);
    low = Math.min(low, submitted);
    high = Math.max(high, submitted + input.agendaLeadTimeMs, Date.parse(d.decidedAt));
  }
  const all = input.schedule.between(new Date(low), new Date(high + COUNTERFACTUAL_HORIZON_MS));
  const starts = all.map((o) => o.start.getTime());

  const items: CounterfactualItem[] = [];
  for (const { change, submittedAt, decidedAt, outcome } of decided) {
    const submitted = Date.parse(submittedAt);
    const cabIndex = firstFrom(starts, submitted + input.agendaLeadTimeMs);
    if (cabIndex >= starts.length) continue;
    const nextAfterSubmit = starts[firstFrom(starts, submitted)];
    const cabAt = new Date(starts[cabIndex]!).toISOString();
    items.push({
      id: change.id,
      title: change.title,
      type: change.type,
      emergency: input.isEmergency(change.type),
      outcome,
      submittedAt,
      decidedAt,
      cabAt,
      missedAgenda: nextAfterSubmit !== undefined && nextAfterSubmit < starts[cabIndex]!,
      savedMinutes: round1(minutesBetween(decidedAt, cabAt)),
    });
  }
  items.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  const saved = items.map((i) => i.savedMinutes);
  return {
    items,
    totalSavedMinutes: round1(saved.reduce((sum, s) => sum + s, 0)),
    medianSavedMinutes: percentile(saved, 50),
    faster: saved.filter((s) => s > 0).length,
    sittings: sittingsInPeriod(all, periodFrom, periodTo),
    ecab: items.filter((i) => i.emergency && i.savedMinutes > 0).map((i) => i.id),
  };
}
