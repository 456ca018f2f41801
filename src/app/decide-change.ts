import { assertDecisionComment, decide } from '../domain/approval.js';
import { AppError } from '../domain/errors.js';
import type { DecisionVia, Verdict } from '../domain/change.js';
import type { Person } from '../domain/policy.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';
import type { ChangeTransaction } from './ports.js';

export interface DecisionInput {
  readonly comment?: string;
  /** Deciding as a stand-in: whose decision this is (someone away the actor stands in for). */
  readonly onBehalfOf?: string;
  /** How it was given, when not on the board: `external-link`. */
  readonly via?: DecisionVia;
  /** Refused if an edit opened another approval round since (a link is for the round it was sent in). */
  readonly round?: number;
  /** When given, the decision is refused (409) if the change moved on since the approver looked at it. */
  readonly version?: number;
}

/**
 * Approve or reject. The change row is locked first, so when many approvals race
 * for the last open requirement exactly one of them sees it complete and writes
 * the single `approved` transition; the others find the change approved already.
 */
export function decideChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  verdict: Verdict,
  input: DecisionInput,
  /** A transaction the caller holds (an external link is spent in the decision's). */
  within?: ChangeTransaction,
): Promise<Acted> {
  const comment = input.comment?.trim() || null;
  // Before anything is locked: a rejection without a reason is refused however the change stands.
  assertDecisionComment(verdict, comment);
  return actOnChange(
    deps,
    { actor, id, action: verdict, version: input.version, onBehalfOf: input.onBehalfOf },
    ({ change, decisions, presence }, now) => {
      if (input.round !== undefined && input.round !== change.round)
        throw new AppError(
          'invalid_state',
          `CHG-${change.id} was changed after this link was sent, so it needs a fresh look`,
        );
      return decide(deps.policy, change, decisions, {
        actor: actor.id,
        onBehalfOf: input.onBehalfOf,
        verdict,
        comment,
        now,
        presence,
        via: input.via,
      });
    },
    within,
  );
}
