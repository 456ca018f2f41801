import type { Schedule } from '../policy.js';
import { percentile, round1 } from './stats.js';
import { minutesBetween, type Timeline } from './timeline.js';

/**
 * The meeting it replaced: for each change submitted and decided, the first
 * sitting of a CAB at the given cadence that could have decided it, against
 * when it really was decided. A change submitted less than `agendaLeadTimeMs`
 * before a sitting misses that sitting's agenda and waits for the next one.
 * The schedule (rrule and luxon, outside the domain) is handed in.
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
  readonly schedule: Pick<Schedule, 'next' | 'between'>;
  readonly agendaLeadTimeMs: number;
  readonly isEmergency: (type: string) => boolean;
  readonly from: string;
  readonly to: string;
}

/** The first sitting starting at or after `after`. */
function firstSittingFrom(schedule: Pick<Schedule, 'next'>, after: Date): Date | undefined {
  // `next` also returns a sitting already under way at `after`: skip it.
  return schedule.next(after, 3).find((o) => o.start.getTime() >= after.getTime())?.start;
}

export function meetingCounterfactual(input: CounterfactualInput): Counterfactual {
  const items: CounterfactualItem[] = [];
  for (const change of [...input.changes].sort((a, b) => a.id - b.id)) {
    const tl = input.timelines.get(change.id);
    if (!tl || tl.outcome === null || tl.submittedAt === null || tl.decidedAt === null) continue;
    const submitted = new Date(tl.submittedAt);
    const onAgenda = new Date(submitted.getTime() + input.agendaLeadTimeMs);
    const cab = firstSittingFrom(input.schedule, onAgenda);
    if (!cab) continue;
    const nextAfterSubmit = firstSittingFrom(input.schedule, submitted);
    const cabAt = cab.toISOString();
    items.push({
      id: change.id,
      title: change.title,
      type: change.type,
      emergency: input.isEmergency(change.type),
      outcome: tl.outcome,
      submittedAt: tl.submittedAt,
      decidedAt: tl.decidedAt,
      cabAt,
      missedAgenda: nextAfterSubmit !== undefined && nextAfterSubmit.getTime() < cab.getTime(),
      savedMinutes: round1(minutesBetween(tl.decidedAt, cabAt)),
    });
  }
  items.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  const saved = items.map((i) => i.savedMinutes);
  return {
    items,
    totalSavedMinutes: round1(saved.reduce((sum, s) => sum + s, 0)),
    medianSavedMinutes: percentile(saved, 50),
    faster: saved.filter((s) => s > 0).length,
    sittings: input.schedule.between(new Date(input.from), new Date(input.to)).length,
    ecab: items.filter((i) => i.emergency && i.savedMinutes > 0).map((i) => i.id),
  };
}
