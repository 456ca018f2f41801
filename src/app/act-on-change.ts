import type { Presence } from '../domain/absence.js';
import { earlyStartAllowances, evaluateChange, type Transition } from '../domain/approval.js';
import {
  denialOf,
  isConflict,
  type Actor,
  type AuthorizationFacts,
} from '../domain/authorization.js';
import { AppError } from '../domain/errors.js';
import type { Change, Decision, Discussion } from '../domain/change.js';
import { attendeesFor } from '../domain/meetings.js';
import { reviewAllowances } from '../domain/reviews.js';
import type { AuditEvent } from '../domain/events.js';
import { assertCanPerform, type ChangeAction } from '../domain/lifecycle.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import {
  assertVersion,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';
import { currentPresence } from './absences.js';
import type { ChangeTransaction } from './ports.js';

/** What an action decided: the change as stored now, its round's decisions and where they count. */
export interface Acted {
  readonly change: Change;
  readonly decisions: readonly Decision[];
  readonly evaluation: ApprovalEvaluation;
  readonly events: readonly AuditEvent[];
  /** Who was away when it acted (the evaluation's). */
  readonly presence: Presence;
}

/** What an action is decided on: the authorization facts, and who is away now. */
export interface ActingFacts extends AuthorizationFacts {
  readonly presence: Presence;
}

/** Who asks for what on which change, and on what they based it. */
export interface ActRequest {
  readonly actor: Actor;
  readonly id: number;
  readonly action: ChangeAction;
  /** The version the caller saw: refused (409) if the change moved on. */
  readonly version?: number;
  /** Deciding as a stand-in: whose decision it is (checked with the permission). */
  readonly onBehalfOf?: string;
}

/** A transition that also records a decision (approve, reject) or a meeting's outcome. */
export type Outcome = Transition & {
  readonly decision?: Decision;
  readonly discussion?: Discussion;
};

/**
 * The one way to act on a change, in one order for every action:
 *
 * 1. lock the change's row (concurrent actions on it queue here);
 * 2. conflicts, 409: what the caller wants was already done (`already_claimed`,
 *    `already_decided`), or the action is not possible in the change's state
 *    (`invalid_state`). A change that moved on says so before anyone is asked
 *    who they are, so the losers of a race for the last approval all hear
 *    "it is approved now";
 * 3. permission, 403: the actor must be allowed (`domain/authorization.ts`);
 * 4. the version the caller based the request on must be current (409);
 * 5. `transition` works out the new state and its events (domain/approval.ts);
 * 6. the decision, the change (version + 1) and the events are written, the
 *    events last.
 *
 * `transition` returns undefined when there is nothing to change (an edit
 * that edits nothing); the change is then returned as it is.
 */
export function actOnChange(
  deps: AppDeps,
  request: ActRequest,
  transition: (facts: ActingFacts, now: string) => Outcome | undefined,
  /** A transaction the caller holds (a GitHub delivery records itself and its effects in one). */
  within?: ChangeTransaction,
): Promise<Acted> {
  const now = deps.clock.now().toISOString();
  const work = (tx: ChangeTransaction) => act(tx, deps, { ...request, now }, transition);
  return within ? work(within) : deps.store.transaction(work);
}

async function act(
  tx: ChangeTransaction,
  deps: AppDeps,
  request: ActRequest & { now: string },
  transition: (facts: ActingFacts, now: string) => Outcome | undefined,
): Promise<Acted> {
  const { change, decisions } = await getChangeForUpdate(tx, request.id);
  const presence = await currentPresence(tx, deps.policy, new Date(request.now));
  const current = evaluateChange(deps.policy, change, decisions, presence);
  const facts: ActingFacts = {
    change,
    decisions,
    presence,
    evaluation: current,
    allowances: {
      ...earlyStartAllowances(deps.policy, change, current),
      ...reviewAllowances(change),
    },
    approvers: decisions
      .filter((d) => d.verdict === 'approve')
      .flatMap((d) => (d.standIn ? [d.person, d.standIn] : [d.person])),
    attendees: attendeesFor(deps.policy, change),
  };
  const denial = denialOf(request.actor, request.action, facts, request.onBehalfOf);
  if (denial && isConflict(denial)) throw new AppError(denial.code, denial.message);
  assertCanPerform(change.state, request.action, facts.allowances);
  if (denial) throw new AppError(denial.code, denial.message);
  assertVersion(change, request.version);

  const outcome = transition(facts, request.now);
  if (!outcome) return { change, decisions, evaluation: facts.evaluation, events: [], presence };
  const next: Change = { ...outcome.change, version: change.version + 1, updatedAt: request.now };
  if (outcome.discussion) await tx.changes.insertDiscussion(outcome.discussion);
  await saveChange(tx, next, change, { decision: outcome.decision });
  // A new round starts with no decisions; the same round keeps its own and the new one.
  const kept = next.round !== change.round ? [] : decisions;
  const after = outcome.decision ? [...kept, outcome.decision] : kept;
  const evaluation = evaluateChange(deps.policy, next, after, presence);
  const events = await recordEvents(tx, deps, next, outcome.events, request.now, evaluation);
  return { change: next, decisions: after, evaluation, events, presence };
}
