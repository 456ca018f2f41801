import type { ChangeState } from '../change.js';
import { classKeyOf } from './candidates.js';
import { round1 } from './stats.js';
import { minutesBetween, timelineOf, type ChangeHistory, type Timeline } from './timeline.js';

/**
 * What one change contributes to every figure of "Is async working?", worked
 * out once from its events. The store keeps one of these per change (a rollup
 * caught up with the change's version) and sums a period in SQL; the figures
 * computed in memory (figures.ts) draw on the same rules, and a test holds the
 * two to the same numbers.
 */
export interface ChangeTimings {
  readonly id: number;
  readonly type: string;
  /** The change's services, sorted. */
  readonly services: readonly string[];
  readonly state: ChangeState;
  readonly createdMs: number;
  readonly submittedMs: number | null;
  /** The first decision (time to decision measures it); null until decided. */
  readonly decidedMs: number | null;
  readonly completedMs: number | null;
  readonly failedMs: number | null;
  readonly verifiedMs: number | null;
  readonly outcome: 'approved' | 'rejected' | null;
  readonly finalOutcome: 'approved' | 'rejected' | null;
  readonly everRejected: boolean;
  readonly preApproved: boolean;
  readonly emergency: boolean;
  /** Submitted → first decision, for a change someone waited on; else null. */
  readonly decisionMinutes: number | null;
  /** The pull request's approval (else created) → completed. */
  readonly leadMinutes: number | null;
  /** Created → verified, for an emergency. */
  readonly emergencyMinutes: number | null;
  readonly sittings: readonly string[];
  readonly groups: readonly GroupMinutes[];
  readonly reviewDueMs: number | null;
  readonly reviewed: boolean;
  /** The change's class for promotion candidates; null when raised from a template (standard already). */
  readonly classKey: string | null;
}

export interface GroupMinutes {
  readonly group: string;
  /** Approvers asked → the group's requirement met (or a member rejected). */
  readonly decisionMinutes: number | null;
  readonly firstResponseMinutes: number | null;
}

export interface RollupRules {
  readonly membersOf: (group: string) => readonly string[];
  readonly isEmergency: (type: string) => boolean;
  /** The answers that drive requirements of a type (candidates.ts drivingFields). */
  readonly drivingFields: (type: string) => readonly string[];
}

const ms = (at: string | null): number | null => (at === null ? null : Date.parse(at));
const minutes = (from: string | null, to: string | null): number | null =>
  from === null || to === null ? null : round1(minutesBetween(from, to));

/** Waited on: submitted, decided, and not pre-approved (what time to decision and the CAB replay count). */
export function waitedOn(t: Timeline): boolean {
  return !t.preApproved && t.outcome !== null && t.submittedAt !== null && t.decidedAt !== null;
}

export function timingsOf(history: ChangeHistory, rules: RollupRules): ChangeTimings {
  const { change } = history;
  const t = timelineOf(history, rules.membersOf);
  const emergency = rules.isEmergency(change.type);
  return {
    id: change.id,
    type: change.type,
    services: [...change.services].sort(),
    state: change.state,
    createdMs: Date.parse(t.createdAt),
    submittedMs: ms(t.submittedAt),
    decidedMs: ms(t.decidedAt),
    completedMs: ms(t.completedAt),
    failedMs: ms(t.failedAt),
    verifiedMs: ms(t.verifiedAt),
    outcome: t.outcome,
    finalOutcome: t.finalOutcome,
    everRejected: t.everRejected,
    preApproved: t.preApproved,
    emergency,
    decisionMinutes: waitedOn(t) ? minutes(t.submittedAt, t.decidedAt) : null,
    leadMinutes: minutes(t.pullRequestApprovedAt ?? t.createdAt, t.completedAt),
    emergencyMinutes: emergency ? minutes(t.createdAt, t.verifiedAt) : null,
    sittings: t.sittings,
    groups:
      t.requestedAt === null
        ? []
        : t.groups.map((g) => ({
            group: g.group,
            decisionMinutes: minutes(t.requestedAt, g.decidedAt),
            firstResponseMinutes: minutes(t.requestedAt, g.firstResponseAt),
          })),
    reviewDueMs: ms(change.review?.due ?? null),
    reviewed: Boolean(change.review?.doneAt),
    classKey: change.template ? null : classKeyOf(change, rules.drivingFields(change.type)),
  };
}

/**
 * The figures `GET /api/v1/changes?figure=` lists exactly (with the period's
 * `createdFrom`/`createdTo` and the population's filters): each figure's link
 * names one, so it lists the changes behind that number and no others.
 */
export const LISTED_FIGURES = [
  'decided',
  'preApproved',
  'approved',
  'rejected',
  'failed',
  'deployed',
  'completed',
  'emergencyVerified',
  'discussed',
  'decidedInMeeting',
  'decidedAsync',
  'reviewed',
  'reviewOverdue',
] as const;

export type InsightFigure =
  | { readonly kind: (typeof LISTED_FIGURES)[number] }
  | { readonly kind: 'group' | 'firstResponse'; readonly group: string };

/** `decidedAsync`, `group:security`, `firstResponse:security`; a string says what is wrong. */
export function parseFigure(text: string, groups: readonly string[]): InsightFigure | string {
  const [kind, group, ...rest] = text.split(':');
  if (kind === 'group' || kind === 'firstResponse') {
    if (group === undefined || rest.length > 0 || !groups.includes(group))
      return `"${text}": ${kind}:<group> names one of the policy's groups: ${groups.join(', ')}`;
    return { kind, group };
  }
  if (group === undefined && (LISTED_FIGURES as readonly string[]).includes(text))
    return { kind: text as (typeof LISTED_FIGURES)[number] };
  return `unknown figure "${text}"; expected one of: ${[...LISTED_FIGURES, 'group:<group>', 'firstResponse:<group>'].join(', ')}`;
}

export function figureName(figure: InsightFigure): string {
  return 'group' in figure ? `${figure.kind}:${figure.group}` : figure.kind;
}
