import { decideChange } from '../../app/decide-change.js';
import type { AppDeps } from '../../app/deps.js';
import { earlyStartAllowances, evaluateChange, takesDecisions } from '../../domain/approval.js';
import { allowedActions, denialOf, type AuthorizationFacts } from '../../domain/authorization.js';
import { AppError } from '../../domain/errors.js';
import { canPerform } from '../../domain/lifecycle.js';
import { attendeesFor } from '../../domain/meetings.js';
import type { Person, Policy } from '../../domain/policy.js';
import { reviewAllowances } from '../../domain/reviews.js';
import { loadChange } from '../../notifications/channels/render-context.js';
import { summarise } from '../../notifications/templates/summary.js';
import { teamsBotCard } from './card.js';

export interface ViewDeps extends AppDeps {
  readonly publicUrl: string;
}

/** The Teams accounts (Entra object ids) of those who may decide the change now. */
function refreshUsers(policy: Policy, eligible: Iterable<string>): string[] {
  return [...eligible].flatMap((id) => {
    const teams = policy.people.get(id)?.teams;
    return teams ? [teams] : [];
  });
}

/**
 * The card for a change as it is now: for the channel (no viewer: the state,
 * and a button that asks for one's own view), or for one person (their buttons,
 * or why they have none). Undefined when the change no longer exists.
 */
export async function renderCard(
  deps: ViewDeps,
  changeId: number,
  viewer?: { person: Person | undefined; notice?: string; noticeIsError?: boolean },
): Promise<Record<string, unknown> | undefined> {
  const loaded = await loadChange(deps, changeId);
  if (!loaded) return undefined;
  const { change, decisions, presence, conflicts } = loaded;
  const { policy } = deps;
  const evaluation = evaluateChange(policy, change, decisions, presence);
  const summary = summarise(policy, change, decisions, deps.publicUrl, presence, conflicts);
  const open = takesDecisions(policy, change, evaluation);
  const input = {
    policy,
    change,
    decisions,
    summary,
    refreshFor: open ? refreshUsers(policy, evaluation.eligibleApprovers) : [],
  };
  if (!viewer) {
    const card = teamsBotCard(input);
    // Whoever the refresh does not reach (no `teams` id in the policy) asks for their view.
    if (open)
      (card.actions as unknown[]).unshift({
        type: 'Action.Execute',
        title: 'Approve or reject…',
        verb: 'refresh',
        data: { changeId: change.id, round: change.round, version: change.version },
      });
    return card;
  }
  const facts: AuthorizationFacts = {
    change,
    decisions,
    evaluation,
    approvers: decisions
      .filter((d) => d.verdict === 'approve')
      .flatMap((d) => (d.standIn ? [d.person, d.standIn] : [d.person])),
    attendees: attendeesFor(policy, change),
    allowances: {
      ...earlyStartAllowances(policy, change, evaluation),
      ...reviewAllowances(change),
    },
  };
  const { person } = viewer;
  const canDecide = person !== undefined && allowedActions(person, facts).includes('approve');
  let notice = viewer.notice;
  let noticeIsError = viewer.noticeIsError;
  if (!notice && !canDecide) {
    noticeIsError = false;
    if (!person) notice = 'Your Teams account is not one of the people of the policy.';
    else if (!canPerform(change.state, 'approve', facts.allowances))
      notice = `CHG-${change.id} is ${summary.state}: there is nothing to decide now.`;
    else
      notice = denialOf(person, 'approve', facts)?.message ?? 'You cannot decide this change now.';
  }
  return teamsBotCard(input, { canDecide, notice, noticeIsError });
}

export type Verb = 'approve' | 'reject';

/**
 * Decides as the web does (decideChange: separation of duties, distinct
 * approvers, stand-ins, freezes, holds, the round and version the card showed),
 * recorded `via: "teams"`. What went wrong is the notice of the card returned.
 */
export async function decideFromCard(
  deps: ViewDeps,
  person: Person,
  verb: Verb,
  data: { changeId: number; round?: number; version?: number; comment?: string },
): Promise<Record<string, unknown> | undefined> {
  try {
    await decideChange(deps, person, data.changeId, verb, {
      comment: data.comment,
      via: 'teams',
      round: data.round,
      version: data.version,
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const movedOn = error.code === 'stale_version' || error.code === 'invalid_state';
    return renderCard(deps, data.changeId, {
      person,
      notice: movedOn
        ? `CHG-${data.changeId} changed since this card was shown, so nothing was decided: here it is now. (${error.message})`
        : error.message,
      noticeIsError: true,
    });
  }
  return renderCard(deps, data.changeId, {
    person,
    notice: `You ${verb === 'approve' ? 'approved' : 'rejected'} CHG-${data.changeId}.`,
  });
}
