import type { Change, Decision, RequirementSpec, Verdict } from './change.js';
import { findMissingPlan, subjectOf } from './change-content.js';
import { AppError, invalidInput } from './errors.js';
import type { NewEvent } from './events.js';
import { findMissingAnswers } from './fields.js';
import { meetingsFor } from './meetings.js';
import type { Policy } from './policy.js';
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
): ApprovalEvaluation {
  return evaluateApprovals(change.requirements, decisions, {
    requester: change.requester,
    ...requirementsFor(policy, policy.changeTypes.get(change.type)),
  });
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
  const submitted: NewEvent = {
    changeId: change.id,
    type: 'submitted',
    actor: input.actor,
    data: { requirements, meetings: pending.meetings, round: pending.round },
  };
  return approvedIfMet(policy, pending, [submitted], input.actor, {
    reason: `${policy.changeTypes.get(change.type)?.label ?? change.type} changes are pre-approved`,
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
 * One approver's decision on the change's current round. One rejection rejects
 * the change; an approval that completes every requirement approves it.
 */
export function decide(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  input: { actor: string; verdict: Verdict; comment: string | null; now: string },
): Transition & { readonly decision: Decision } {
  assertDecisionComment(input.verdict, input.comment);
  const decision: Decision = {
    changeId: change.id,
    round: change.round,
    person: input.actor,
    verdict: input.verdict,
    comment: input.comment,
    at: input.now,
  };
  if (input.verdict === 'reject') {
    return {
      decision,
      change: { ...change, state: 'rejected' },
      events: [
        {
          changeId: change.id,
          type: 'approval-rejected',
          actor: input.actor,
          data: { comment: input.comment, round: change.round },
        },
        {
          changeId: change.id,
          type: 'rejected',
          actor: input.actor,
          data: { comment: input.comment },
        },
      ],
    };
  }
  const after = evaluateChange(policy, change, [...decisions, decision]);
  const granted: NewEvent = {
    changeId: change.id,
    type: 'approval-granted',
    actor: input.actor,
    data: {
      comment: input.comment,
      round: change.round,
      countedFor: after.requirements
        .filter((r) => r.approvedBy.includes(input.actor))
        .map((r) => r.group),
    },
  };
  if (!after.allMet) return { decision, change, events: [granted] };
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

/** A pending change whose requirements are already met (none at all) is approved in the same step. */
function approvedIfMet(
  policy: Policy,
  change: Change,
  events: readonly NewEvent[],
  actor: string,
  data: { reason: string },
): Transition {
  if (!evaluateChange(policy, change, []).allMet) return { change, events };
  return {
    change: { ...change, state: 'approved' },
    events: [...events, { changeId: change.id, type: 'approved', actor, data }],
  };
}
