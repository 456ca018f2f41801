import { describeAway, EVERYONE_PRESENT, type Presence } from './absence.js';
import type { Change, Decision, DecisionVia, RequirementSpec, Verdict } from './change.js';
import { findMissingPlan, subjectOf } from './change-content.js';
import { AppError, invalidInput } from './errors.js';
import type { NewEvent } from './events.js';
import { findMissingAnswers } from './fields.js';
import { heldBy, meetingsFor } from './meetings.js';
import { findTemplate, templateRecord } from './standard-changes.js';
import { reviewAfterLateRejection } from './reviews.js';
import type { StateAllowances } from './lifecycle.js';
import { SERVICE_APPROVERS, type Policy } from './policy.js';
import {
  computeRequirements,
  evaluateApprovals,
  findUnsatisfiable,
  requirementsFor,
  type ApprovalEvaluation,
} from './requirements.js';

/**
 * The approval process, in one place: what a change needs, where each approval
 * counts, and how submitting, deciding and reopening a round move it. Each rule
 * is a pure function that returns the change as it becomes and the events that
 * say so; the use cases (app/act-on-change.ts) lock, store and record them.
 */

/** What a change's actions produce: the change as it becomes, and the events to record. */
export interface Transition {
  readonly change: Change;
  readonly events: readonly NewEvent[];
}

/** Where the change's approvals count now, under the policy's groups and its type's rules. */
export function evaluateChange(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  presence: Presence = EVERYONE_PRESENT,
): ApprovalEvaluation {
  return evaluateApprovals(change.requirements, decisions, {
    requester: change.requester,
    ...requirementsFor(policy, policy.changeTypes.get(change.type)),
    presence,
    describeAway: (absence) => describeAway(policy, absence),
  });
}

/** States in which a change started early still takes decisions on its open approvals. */
const STARTED_OPEN: readonly Change['state'][] = ['in_progress', 'completed'];

/**
 * What an early start allows a change (PRODUCT.md, "Emergencies, reviews and
 * standard changes"): once its type's `earlyStart` requirement is met, a
 * pending change may start; once started, the approvals still open stay
 * required and are still decided. Only types with `earlyStart` have any:
 * a change of another type started with every requirement met.
 */
export function earlyStartAllowances(
  policy: Policy,
  change: Change,
  evaluation: ApprovalEvaluation,
): StateAllowances {
  const early = policy.changeTypes.get(change.type)?.earlyStart;
  if (!early) return {};
  const counted = evaluation.requirements.filter((r) =>
    early.from === SERVICE_APPROVERS
      ? r.service !== undefined
      : r.group === early.from && r.service === undefined,
  );
  return {
    earlyStart:
      change.state === 'pending' &&
      counted.length > 0 &&
      counted.every((r) => r.approvedBy.length >= early.count),
    approvalsOpen: STARTED_OPEN.includes(change.state) && !evaluation.allMet,
  };
}

/**
 * Whether the change still takes decisions on its approvals: it is pending, or
 * it started early and approvals are still open. Its approvers are then still
 * asked, reminded and escalated to, and their e-mailed links still decide.
 */
export function takesDecisions(
  policy: Policy,
  change: Change,
  evaluation: ApprovalEvaluation,
): boolean {
  return (
    change.state === 'pending' ||
    earlyStartAllowances(policy, change, evaluation).approvalsOpen === true
  );
}

/**
 * The states in which a change of this type may still take decisions, for a
 * query to pre-filter by (the exact rule is {@link takesDecisions}): pending,
 * and, for a type with `earlyStart`, started (in progress or completed).
 */
export function statesTakingDecisions(policy: Policy, type: string): Change['state'][] {
  return policy.changeTypes.get(type)?.earlyStart ? ['pending', ...STARTED_OPEN] : ['pending'];
}

/** The types with `earlyStart`: their changes may still wait for approvals once started. */
export function earlyStartTypes(policy: Policy): string[] {
  return [...policy.changeTypes.values()].filter((t) => t.earlyStart).map((t) => t.id);
}

/** The groups whose approvals are still open, each once: what a change started early waits for. */
export function openGroups(evaluation: ApprovalEvaluation): string[] {
  return [...new Set(evaluation.requirements.filter((r) => !r.met).map((r) => r.group))];
}

/**
 * The gate a change passes to enter approval (on submit, and again after an edit
 * of a pending change): every required answer given, and every requirement one
 * that somebody other than the requester can meet. Returns its requirements.
 */
export function requirementsForApproval(policy: Policy, change: Change): RequirementSpec[] {
  const subject = subjectOf(change);
  const missing = [
    ...findMissingAnswers(policy.fields, subject),
    ...findMissingPlan(policy.changeTypes.get(change.type), change),
  ];
  if (missing.length > 0) {
    throw new AppError(
      'answers_incomplete',
      `${missing.length} required question(s) unanswered`,
      missing,
    );
  }
  const requirements = computeRequirements(policy, subject);
  const unsatisfiable = findUnsatisfiable(requirements, {
    requester: change.requester,
    ...requirementsFor(policy, policy.changeTypes.get(change.type)),
  });
  if (unsatisfiable.length > 0) {
    const groups = [...new Set(unsatisfiable)];
    throw new AppError(
      'unsatisfiable_requirement',
      `nobody but the requester could approve for group${groups.length > 1 ? 's' : ''} ${groups.map((g) => `"${g}"`).join(', ')}; ask an admin to add approvers to the policy`,
      groups.map((group) => ({
        path: 'requirements',
        message: `group "${group}" has too few members other than ${change.requester}`,
      })),
    );
  }
  return requirements;
}

/** Sends a draft for approval with `requirements`; a change that needs none is approved at once. */
export function submitForApproval(
  policy: Policy,
  change: Change,
  requirements: readonly RequirementSpec[],
  input: { actor: string; now: string },
): Transition {
  const pending: Change = {
    ...change,
    state: 'pending',
    requirements,
    round: change.round + 1,
    meetings: meetingsFor(policy, subjectOf(change)),
    submittedAt: input.now,
    requestedAt: input.now,
  };
  // A standard change (pinned by pinTemplate) records what it was accepted as, in the chain.
  const template = change.template && findTemplate(policy, change.template.id);
  const submitted: NewEvent = {
    changeId: change.id,
    type: 'submitted',
    actor: input.actor,
    data: {
      requirements,
      meetings: pending.meetings,
      round: pending.round,
      ...(template && { template: templateRecord(template) }),
    },
  };
  return approvedIfMet(policy, pending, [submitted], input.actor, {
    reason: template
      ? `pre-approved as the standard change "${template.title}" (${template.id}, version ${template.version}), accepted by ${policy.people.get(template.approvedBy)?.name ?? template.approvedBy} on ${template.approvedOn}`
      : `${policy.changeTypes.get(change.type)?.label ?? change.type} changes are pre-approved`,
  });
}

/** A rejection says why: it is the one thing the requester has to go on. */
export function assertDecisionComment(verdict: Verdict, comment: string | null): void {
  if (verdict === 'reject' && !comment) {
    throw invalidInput(
      [{ path: 'comment', message: 'is required to reject' }],
      'a rejection needs a comment saying why',
    );
  }
}

/**
 * One approver's decision on the change's current round, in their own name or,
 * as a stand-in, for someone away (`onBehalfOf`, or the one reading possible).
 * One rejection rejects the change; an approval that completes every
 * requirement approves it.
 */
export function decide(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  input: {
    actor: string;
    onBehalfOf?: string;
    verdict: Verdict;
    comment: string | null;
    now: string;
    presence?: Presence;
    via?: DecisionVia;
  },
): Transition & { readonly decision: Decision } {
  assertDecisionComment(input.verdict, input.comment);
  const before = evaluateChange(policy, change, decisions, input.presence);
  const seat = chooseSeat(policy, change, decisions, before, input.actor, input.onBehalfOf);
  const standIn = seat === input.actor ? undefined : input.actor;
  const decision: Decision = {
    changeId: change.id,
    round: change.round,
    person: seat,
    ...(standIn && { standIn }),
    ...(input.via && { via: input.via }),
    verdict: input.verdict,
    comment: input.comment,
    at: input.now,
  };
  // Who acted, and for whom: the event's actor is always the human who clicked.
  const said = {
    comment: input.comment,
    round: change.round,
    ...(standIn && { onBehalfOf: seat }),
    ...(input.via && { via: input.via }),
  };
  // A change started early stays in its implementation: a decision is recorded, its state is not moved.
  const started = change.state !== 'pending';
  if (input.verdict === 'reject' && started) {
    // It is in its implementation, or done: a review looks back on it (owed now if it is already complete).
    const review = reviewAfterLateRejection(policy, change, input.now);
    return {
      decision,
      change: { ...change, ...(review && { review }) },
      events: [
        {
          changeId: change.id,
          type: 'approval-rejected',
          actor: input.actor,
          data: {
            ...said,
            afterStart: true,
            reviewRequired: true,
            ...(review && review !== change.review && { reviewDue: review.due }),
          },
        },
      ],
    };
  }
  if (input.verdict === 'reject') {
    return {
      decision,
      change: { ...change, state: 'rejected' },
      events: [
        { changeId: change.id, type: 'approval-rejected', actor: input.actor, data: said },
        {
          changeId: change.id,
          type: 'rejected',
          actor: input.actor,
          data: { comment: input.comment, ...(standIn && { onBehalfOf: seat }) },
        },
      ],
    };
  }
  const after = evaluateChange(policy, change, [...decisions, decision], input.presence);
  const granted: NewEvent = {
    changeId: change.id,
    type: 'approval-granted',
    actor: input.actor,
    data: {
      ...said,
      countedFor: after.requirements.filter((r) => r.approvedBy.includes(seat)).map((r) => r.group),
      // After an early start no `approved` follows: the approval that met the last requirement says so.
      ...(started && after.allMet && { requirementsMet: true }),
    },
  };
  // A meeting with `hold` still to record its outcome keeps the change pending.
  if (started || !after.allMet || heldBy(policy, change).length > 0)
    return { decision, change, events: [granted] };
  return {
    decision,
    change: { ...change, state: 'approved' },
    events: [
      granted,
      {
        changeId: change.id,
        type: 'approved',
        actor: input.actor,
        data: { approvers: [...new Set(after.requirements.flatMap((r) => r.approvedBy))] },
      },
    ],
  };
}

/**
 * Whose decision `actor` gives: `onBehalfOf` when they may give it, else the one
 * they can give. Someone who could decide both in their own name and for a person
 * away must say which.
 */
function chooseSeat(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  evaluation: ApprovalEvaluation,
  actor: string,
  onBehalfOf: string | undefined,
): string {
  const seats = evaluation.capacities.get(actor) ?? [];
  const name = (id: string) => policy.people.get(id)?.name ?? id;
  if (onBehalfOf !== undefined && onBehalfOf !== actor) {
    if (onBehalfOf === change.requester)
      throw new AppError(
        'self_approval',
        `${name(onBehalfOf)} requested this change: nobody decides on their behalf`,
      );
    if (decisions.some((d) => d.person === onBehalfOf))
      throw new AppError(
        'already_decided',
        `${name(onBehalfOf)}'s decision on this version was already given`,
      );
    if (!seats.includes(onBehalfOf))
      throw new AppError(
        'forbidden',
        `you cannot decide for ${name(onBehalfOf)}: only their delegate or deputy can, only while they are away, and only where their approval still counts`,
      );
    return onBehalfOf;
  }
  if (onBehalfOf === actor) {
    if (!seats.includes(actor))
      throw new AppError(
        'forbidden',
        'your own approval would not count towards any open requirement',
      );
    return actor;
  }
  if (seats.length === 1) return seats[0]!;
  if (seats.length === 0) throw new AppError('forbidden', 'you cannot decide on this change now');
  const others = seats.filter((seat) => seat !== actor).map(name);
  throw invalidInput(
    [
      {
        path: 'onBehalfOf',
        message: `you can decide ${seats.includes(actor) ? 'in your own name or ' : ''}for ${others.join(' or ')}: say which`,
      },
    ],
    'say whose decision this is (onBehalfOf)',
  );
}

/**
 * A new approval round: the change is pending again with `requirements`, and the
 * approvals of the round before no longer count. `edited` is the event that
 * caused it (an edit, new commits); the round and its requirements are added to
 * it so the history can be replayed (domain/history.ts). Approvals withdrawn, or
 * an approved change sent back, are said so in `approvals-withdrawn`.
 */
export function reopenRound(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  input: {
    edited: NewEvent;
    requirements: readonly RequirementSpec[];
    now: string;
    /** Why earlier approvals are withdrawn, for the timeline. */
    withdrawnBecause: string;
    /** Why the change needs no approval any more, if so. */
    approvedBecause: string;
  },
): Transition {
  const reopened: Change = {
    ...change,
    state: 'pending',
    requirements: input.requirements,
    round: change.round + 1,
    requestedAt: input.now,
  };
  const events: NewEvent[] = [
    {
      ...input.edited,
      data: { ...input.edited.data, round: reopened.round, requirements: input.requirements },
    },
  ];
  const withdrawn = decisions.filter((d) => d.verdict === 'approve').map((d) => d.person);
  if (withdrawn.length > 0 || change.state === 'approved') {
    events.push({
      changeId: change.id,
      type: 'approvals-withdrawn',
      actor: input.edited.actor,
      data: { reason: input.withdrawnBecause, withdrawn, requirements: input.requirements },
    });
  }
  return approvedIfMet(policy, reopened, events, input.edited.actor, {
    reason: input.approvedBecause,
  });
}

/**
 * A pending change whose requirements are already met (none at all) is approved
 * in the same step, unless a meeting holds it.
 */
function approvedIfMet(
  policy: Policy,
  change: Change,
  events: readonly NewEvent[],
  actor: string,
  data: { reason: string },
): Transition {
  if (!evaluateChange(policy, change, []).allMet || heldBy(policy, change).length > 0)
    return { change, events };
  return {
    change: { ...change, state: 'approved' },
    events: [...events, { changeId: change.id, type: 'approved', actor, data }],
  };
}
