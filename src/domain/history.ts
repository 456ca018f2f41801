import canonicalize from 'canonicalize';
import {
  DECISION_VIAS,
  formatChangeId,
  type DecisionVia,
  type Change,
  type ChangeReview,
  type ChangeState,
  type Decision,
  type RequirementSpec,
} from './change.js';
import type { AuditEvent } from './events.js';
import type { Policy } from './policy.js';
import { evaluateApprovals, requirementsFor } from './requirements.js';

/**
 * What a change's own events say it is. The audit chain is the record; the
 * `changes` and `decisions` tables are a copy kept for speed, and the copy is
 * what the gate reads. `audit verify` and the gate replay the events and compare
 * (app/audit.ts), so a row edited in the database cannot pass for a decision
 * that was never taken.
 */
export interface ChangeHistory {
  readonly changeId: number;
  readonly state: ChangeState;
  readonly version: number;
  readonly type: string;
  readonly requester: string | null;
  /** Every decision of every round, oldest first. */
  readonly decisions: readonly Decision[];
  /**
   * The current round and its requirements. Undefined when the history does not
   * say: events written before rounds were recorded on every edit.
   */
  readonly round?: number;
  readonly requirements?: readonly RequirementSpec[];
  /** Each time decisions made the change approved: to check against the policy in force then. */
  readonly approvals: readonly DecidedApproval[];
  /** The post-implementation review it owes, and whether (by whom, when, saying what) it was filed. */
  readonly review: ChangeReview | null;
}

export interface DecidedApproval {
  /** The `approved` event. */
  readonly eventId: number;
  readonly policyHash: string;
  readonly type: string;
  readonly requester: string | null;
  readonly requirements?: readonly RequirementSpec[];
  /** The decisions of that round up to then. */
  readonly decisions: readonly Decision[];
}

export interface HistoryProblem {
  readonly eventId: number;
  readonly reason: string;
}

const LIFECYCLE_EVENTS = {
  withdrawn: 'withdrawn',
  started: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  verified: 'verified',
} as const satisfies Partial<Record<AuditEvent['type'], ChangeState>>;

/** Replays one change's events, oldest first. */
export function replayHistory(
  events: readonly AuditEvent[],
): { ok: true; history: ChangeHistory } | { ok: false; problem: HistoryProblem } {
  const [created] = events;
  if (!created || created.type !== 'created')
    return {
      ok: false,
      problem: {
        eventId: created?.id ?? 0,
        reason: 'the history does not begin with the change being created',
      },
    };
  const data = (event: AuditEvent) => event.data as Record<string, unknown>;
  let state: ChangeState = 'draft';
  let version = 1;
  let type = String(data(created).type);
  let requester =
    'requester' in data(created) ? nullableString(data(created).requester) : created.actor;
  let round: number | undefined = 0;
  let requirements: readonly RequirementSpec[] | undefined = [];
  const decisions: Decision[] = [];
  const approvals: DecidedApproval[] = [];
  let review: ChangeReview | null = null;
  let previous: AuditEvent = created;

  for (const event of events.slice(1)) {
    const d = data(event);
    // A review becomes owed when the change completes or fails, or with a rejection after it was done.
    if (typeof d.reviewDue === 'string')
      review = { due: d.reviewDue, doneAt: null, by: null, answers: null };
    const sameAction = event.at === previous.at && event.actor === previous.actor;
    switch (event.type) {
      case 'created':
        return { ok: false, problem: { eventId: event.id, reason: 'the change is created twice' } };
      case 'edited': {
        version++;
        const changes = (d.changes ?? {}) as Record<string, { to?: unknown }>;
        if (changes.requester) requester = nullableString(changes.requester.to);
        if (typeof changes.type?.to === 'string') type = changes.type.to;
        if (typeof d.round === 'number') {
          round = d.round;
          requirements = d.requirements as RequirementSpec[];
          state = 'pending';
        } else if (state !== 'draft' && !changes.mergeSha && !changes.requester) {
          // Before rounds were recorded: an edit of a pending change, or new commits, may have
          // opened a round; what it required is said only if approvals were withdrawn.
          round = undefined;
          requirements = undefined;
        }
        break;
      }
      case 'submitted':
        version++;
        state = 'pending';
        round = typeof d.round === 'number' ? d.round : round === undefined ? undefined : round + 1;
        requirements = d.requirements as RequirementSpec[];
        break;
      case 'approval-granted':
      case 'approval-rejected':
        version++;
        decisions.push({
          changeId: event.changeId,
          round: Number(d.round),
          // A stand-in's decision is the absent person's: the event's actor is who gave it.
          ...(typeof d.onBehalfOf === 'string'
            ? { person: d.onBehalfOf, standIn: event.actor }
            : { person: event.actor }),
          ...(isDecisionVia(d.via) && { via: d.via }),
          verdict: event.type === 'approval-granted' ? 'approve' : 'reject',
          comment: nullableString(d.comment),
          at: event.at,
        });
        break;
      case 'approvals-withdrawn':
        state = 'pending';
        requirements = d.requirements as RequirementSpec[];
        break;
      case 'approved':
        state = 'approved';
        if (previous.type === 'discussed' && sameAction && round !== undefined) {
          // A meeting's outcome released its hold: the round's approvals were all in.
          approvals.push({
            eventId: event.id,
            policyHash: event.policyHash,
            type,
            requester,
            requirements,
            decisions: decisions.filter((decision) => decision.round === round),
          });
        } else if (previous.type === 'approval-granted' && sameAction) {
          const decidedRound = Number(data(previous).round);
          approvals.push({
            eventId: event.id,
            policyHash: event.policyHash,
            type,
            requester,
            requirements: round === decidedRound ? requirements : undefined,
            decisions: decisions.filter((decision) => decision.round === decidedRound),
          });
        }
        break;
      case 'rejected':
        state = 'rejected';
        break;
      case 'withdrawn':
      case 'started':
      case 'completed':
      case 'failed':
      case 'verified': {
        const from = d.from;
        if (typeof from === 'string' && from !== state)
          return {
            ok: false,
            problem: {
              eventId: event.id,
              reason: `it moves the change from ${from}, but its history has it ${state}`,
            },
          };
        version++;
        state = LIFECYCLE_EVENTS[event.type];
        break;
      }
      case 'reviewed':
        version++;
        if (review)
          review = {
            ...review,
            doneAt: event.at,
            by: event.actor,
            answers: (d.answers ?? {}) as ChangeReview['answers'],
          };
        break;
      case 'discussed':
        version++;
        break;
      case 'commented':
      case 'absence-set':
      case 'absence-ended':
      case 'policy-changed':
        break;
    }
    previous = event;
  }
  return {
    ok: true,
    history: {
      changeId: created.changeId,
      state,
      version,
      type,
      requester,
      decisions,
      ...(round === undefined ? {} : { round }),
      ...(requirements === undefined ? {} : { requirements }),
      approvals,
      review,
    },
  };
}

/**
 * Where the stored change and its stored decisions disagree with what its
 * history says, one sentence each; empty when they agree.
 */
export function compareWithHistory(
  history: ChangeHistory,
  change: Change,
  decisions: readonly Decision[],
): string[] {
  const id = formatChangeId(change.id);
  const problems: string[] = [];
  const differs = (what: string, stored: unknown, replayed: unknown) => {
    if (canonicalize(stored) !== canonicalize(replayed))
      problems.push(
        `${id}: its ${what} is stored as ${JSON.stringify(stored)}, but its history says ${JSON.stringify(replayed)}`,
      );
  };
  differs('state', change.state, history.state);
  differs('version', change.version, history.version);
  differs('type', change.type, history.type);
  differs('requester', change.requester, history.requester);
  if (history.round !== undefined) differs('round', change.round, history.round);
  if (history.requirements !== undefined)
    differs('requirements', change.requirements, history.requirements);
  // A review marked filed in its table, to pass verify, must be in the history.
  differs('review', change.review ?? null, history.review);

  const key = (d: Decision) =>
    JSON.stringify([
      d.round,
      d.person,
      d.standIn ?? null,
      d.via ?? null,
      d.verdict,
      d.comment,
      d.at,
    ]);
  const recorded = new Map<string, number>();
  for (const decision of history.decisions)
    recorded.set(key(decision), (recorded.get(key(decision)) ?? 0) + 1);
  for (const decision of decisions) {
    const count = recorded.get(key(decision)) ?? 0;
    if (count === 0)
      problems.push(
        `${id}: a decision to ${decision.verdict} by ${decision.person} (round ${decision.round}, ${decision.at}) is stored but not in its history`,
      );
    else recorded.set(key(decision), count - 1);
  }
  for (const [missing, count] of recorded)
    if (count > 0) {
      const [round, person, , , verdict] = JSON.parse(missing) as [number, string, ...unknown[]];
      problems.push(
        `${id}: its history has a decision to ${String(verdict)} by ${person} (round ${round}) that is not stored`,
      );
    }
  return problems;
}

/**
 * Whether each approval the history records really met the change's
 * requirements under the policy in force when it was given; one sentence per
 * approval that did not. `policyAt` finds a policy by its hash.
 */
export function checkApprovalOutcomes(
  history: ChangeHistory,
  policyAt: (hash: string) => Policy | undefined,
): string[] {
  const id = formatChangeId(history.changeId);
  const problems: string[] = [];
  for (const approval of history.approvals) {
    const policy = policyAt(approval.policyHash);
    if (!policy || approval.requirements === undefined) continue;
    const evaluation = evaluateApprovals(approval.requirements, approval.decisions, {
      requester: approval.requester,
      ...requirementsFor(policy, policy.changeTypes.get(approval.type)),
    });
    if (!evaluation.allMet)
      problems.push(
        `${id}: event ${approval.eventId} says it was approved, but under the policy in force (${approval.policyHash.slice(0, 12)}…) its requirements were not met: ${evaluation.requirements
          .filter((r) => !r.met)
          .map((r) => `${r.group} (${r.approvedBy.length} of ${r.count})`)
          .join(', ')}`,
      );
  }
  return problems;
}

function isDecisionVia(value: unknown): value is DecisionVia {
  return (DECISION_VIAS as readonly unknown[]).includes(value);
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
