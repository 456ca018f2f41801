import type { Change, Decision } from './change.js';
import { AppError } from './errors.js';
import {
  CHANGE_ACTIONS,
  canPerform,
  type ChangeAction,
  type StateAllowances,
} from './lifecycle.js';
import type { Person } from './policy.js';
import type { ApprovalEvaluation } from './requirements.js';

export interface AuthorizationFacts {
  readonly change: Change;
  readonly decisions: readonly Decision[];
  readonly evaluation: ApprovalEvaluation;
  /** Everyone who approved the change in its current round. */
  readonly approvers: readonly string[];
  /** Who attends a meeting that still has to discuss the change (domain/meetings.ts attendeesFor). */
  readonly attendees?: ReadonlySet<string>;
  /** What an early start allows the change besides its state (domain/approval.ts earlyStartAllowances). */
  readonly allowances?: StateAllowances;
}

/**
 * Changeboard acting on facts an integration reported (GitHub said a deployment
 * succeeded), never on anyone's say-so. Its id is the event's actor; the policy
 * reserves it, so no person can have it.
 */
export interface SystemActor {
  readonly kind: 'system';
  readonly id: 'github';
}

export const GITHUB_ACTOR: SystemActor = { kind: 'system', id: 'github' };

/** Ids a person in the policy may not have, because system actors sign events with them. */
export const RESERVED_ACTOR_IDS: readonly string[] = [GITHUB_ACTOR.id];

export type Actor = Person | SystemActor;

export function isSystemActor(actor: Actor): actor is SystemActor {
  return 'kind' in actor && actor.kind === 'system';
}

/** What a system actor may do by itself: move an approved change through its implementation, as deployments report it. */
const SYSTEM_ACTIONS: readonly ChangeAction[] = ['start', 'complete', 'fail'];

export interface Denial {
  readonly code:
    'forbidden' | 'self_approval' | 'already_decided' | 'already_claimed' | 'already_reviewed';
  readonly message: string;
}

/** A denial that says the action was already done (409), rather than that the actor may not do it (403). */
export function isConflict(denial: Denial): boolean {
  return (
    denial.code === 'already_decided' ||
    denial.code === 'already_claimed' ||
    denial.code === 'already_reviewed'
  );
}

/** Who may do what (PRODUCT.md, "Who may do what"). Throws 403-class errors with the reason. */
export function authorize(actor: Actor, action: ChangeAction, facts: AuthorizationFacts): void {
  const denial = denialOf(actor, action, facts);
  if (denial) throw new AppError(denial.code, denial.message);
}

/**
 * Why `actor` may not do `action`, or undefined when they may. Returns rather
 * than throws so that listing a page's buttons costs no exceptions.
 */
export function denialOf(
  actor: Actor,
  action: ChangeAction,
  facts: AuthorizationFacts,
  /** Deciding as a stand-in: whose decision it would be. */
  onBehalfOf?: string,
): Denial | undefined {
  if (isSystemActor(actor)) {
    if (!SYSTEM_ACTIONS.includes(action))
      return forbidden(`${actor.id} may not ${action} a change; only people may`);
    return undefined;
  }
  const { change } = facts;
  const isRequester = actor.id === change.requester;
  switch (action) {
    case 'edit':
    case 'submit':
    case 'start':
    case 'complete':
    case 'fail':
      if (change.requester === null)
        return forbidden(
          `CHG-${change.id} is unassigned: claim it first to become its requester, then ${action} it`,
        );
      if (!isRequester)
        return forbidden(`only the requester (${change.requester}) may ${action} this change`);
      return undefined;
    case 'claim':
      if (change.requester !== null)
        return denied(
          'already_claimed',
          `CHG-${change.id} already has a requester (${change.requester})`,
        );
      return undefined;
    case 'withdraw':
      if (!isRequester && !actor.admin)
        return forbidden(
          change.requester === null
            ? `CHG-${change.id} is unassigned: only an admin may withdraw it (or claim it first)`
            : `only the requester (${change.requester}) or an admin may withdraw this change`,
        );
      return undefined;
    case 'verify':
      if (!isRequester && !facts.approvers.includes(actor.id)) {
        return forbidden('only the requester or someone who approved this change may verify it');
      }
      return undefined;
    case 'review':
      if (change.review?.doneAt)
        return denied(
          'already_reviewed',
          `CHG-${change.id} was already reviewed by ${change.review.by} at ${change.review.doneAt}`,
        );
      if (!isRequester && !facts.approvers.includes(actor.id)) {
        return forbidden(
          'only the requester or someone who may verify this change (an approver) may file its review',
        );
      }
      return undefined;
    case 'discuss':
      if (facts.change.meetings.length === 0)
        return forbidden(`no meeting has CHG-${change.id} on its agenda any more`);
      if (!facts.attendees?.has(actor.id))
        return forbidden(
          `only an attendee of ${facts.change.meetings.join(' or ')} may record its outcome`,
        );
      return undefined;
    case 'approve':
    case 'reject': {
      if (isRequester)
        return denied('self_approval', `you requested this change, so you cannot ${action} it`);
      if (onBehalfOf !== undefined && onBehalfOf === change.requester)
        return denied(
          'self_approval',
          `${onBehalfOf} requested this change: nobody decides on their behalf`,
        );
      // Whose decision it is (their own, or that of someone away they stand in for) is chosen by decide().
      if (facts.evaluation.eligibleApprovers.has(actor.id)) return undefined;
      if (facts.decisions.some((d) => d.person === actor.id || d.standIn === actor.id)) {
        return denied('already_decided', 'you have already decided on this version of the change');
      }
      const open = facts.evaluation.requirements.filter((r) => !r.met).map((r) => r.group);
      return forbidden(
        open.length === 0
          ? 'no approval is open on this change'
          : `you are not a member of a group with an open requirement (open: ${[...new Set(open)].join(', ')})`,
      );
    }
  }
}

function forbidden(message: string): Denial {
  return { code: 'forbidden', message };
}

function denied(code: Denial['code'], message: string): Denial {
  return { code, message };
}

/**
 * Why this person may not ask the change's requester a question (a comment with
 * `question: true`), or undefined when they may: anyone signed in but the
 * requester, once the change has one. Asking decides nothing, so it needs no
 * open requirement: an approver is the usual asker, but not the only one.
 */
export function askDenial(
  actor: Person,
  change: Pick<Change, 'id' | 'requester'>,
): Denial | undefined {
  if (change.requester === null)
    return forbidden(`CHG-${change.id} has no requester yet to ask: comment instead, or claim it`);
  if (change.requester === actor.id)
    return forbidden(
      'you requested this change, and a question goes to its requester: write a comment instead',
    );
  return undefined;
}

/** What a person may do on a change now: every action whose state and authorisation checks pass. */
export const VIEWER_ACTIONS = [...CHANGE_ACTIONS, 'comment', 'ask'] as const;
export type ViewerAction = (typeof VIEWER_ACTIONS)[number];

/**
 * The buttons a change page shows: every lifecycle action this person could
 * perform now, plus `comment` (anyone signed in) and `ask` (a question to the
 * requester, see askDenial). The server still checks each
 * action when it is taken; this only saves the UI from guessing.
 */
export function allowedActions(actor: Person, facts: AuthorizationFacts): ViewerAction[] {
  const allowed: ViewerAction[] = [];
  for (const action of CHANGE_ACTIONS) {
    if (canPerform(facts.change.state, action, facts.allowances) && !denialOf(actor, action, facts))
      allowed.push(action);
  }
  allowed.push('comment');
  if (!askDenial(actor, facts.change)) allowed.push('ask');
  return allowed;
}
