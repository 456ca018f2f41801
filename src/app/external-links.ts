import { randomUUID } from 'node:crypto';
import { evaluateChange, takesDecisions } from '../domain/approval.js';
import {
  formatChangeId,
  type Change,
  type Decision,
  type DiscussionOutcome,
  type Verdict,
} from '../domain/change.js';
import { attendeesOf, DISCUSSABLE_STATES, findMeeting } from '../domain/meetings.js';
import { discussChange } from './discuss-change.js';
import { assertDecisionComment } from '../domain/approval.js';
import { AppError } from '../domain/errors.js';
import type { Meeting, Person } from '../domain/policy.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import { digestSecret, generateSecret } from '../shared/tokens.js';
import { currentPresence } from './absences.js';
import { decideChange } from './decide-change.js';
import type { AppDeps } from './deps.js';
import type { DirectWrites, ExternalLink } from './ports.js';
import { formatInstant } from '../shared/format-instant.js';

/**
 * External approvers (a supplier's engineers) never sign in. When a change needs
 * them, they are e-mailed a link for that change alone: a random 256-bit secret
 * stored as a digest, bound to the person, the change and its approval round
 * (an edit opens a new round and voids it), good for one decision, until it
 * expires (`externalLinkTtl`). Opening it only shows; deciding is a POST.
 */

/** The message that carries an external approver's link (the secret is made as it is sent). */
export const EXTERNAL_INVITATION = 'external-invitation';

export async function mintExternalLink(
  repos: Pick<DirectWrites, 'externalLinks'>,
  input: {
    person: string;
    change: Change;
    now: Date;
    ttlMs: number;
    /** For an agenda: the link records this meeting's outcome (its name) instead of a decision. */
    meeting?: string;
  },
): Promise<{ token: string; expiresAt: string }> {
  const token = generateSecret('cbx');
  const expiresAt = new Date(input.now.getTime() + input.ttlMs).toISOString();
  await repos.externalLinks.insert({
    digest: digestSecret(token),
    person: input.person,
    changeId: input.change.id,
    round: input.change.round,
    version: input.change.version,
    expiresAt,
    usedAt: null,
    createdAt: input.now.toISOString(),
    ...(input.meeting !== undefined && { meeting: input.meeting }),
  });
  return { token, expiresAt };
}

/** Why a link cannot be used, in words for the person holding it. */
export type ExternalLinkProblem =
  'unknown' | 'expired' | 'used' | 'edited' | 'moved' | 'not-needed';

export type ExternalLinkState =
  | {
      readonly usable: true;
      readonly link: ExternalLink;
      readonly person: Person;
      readonly change: Change;
      readonly decisions: readonly Decision[];
      readonly evaluation: ApprovalEvaluation;
      /** An agenda's link: it records this meeting's outcome. */
      readonly meeting?: Meeting;
    }
  | {
      readonly usable: false;
      readonly problem: ExternalLinkProblem;
      readonly reason: string;
      /** Shown only when the holder may still see it: the change the link was for. */
      readonly change?: Change;
    };

/** What opening a link shows; it never changes anything (mail scanners prefetch links). */
export async function inspectExternalLink(
  deps: AppDeps,
  token: string,
): Promise<ExternalLinkState> {
  const link = await deps.store.read.externalLinks.find(digestSecret(token));
  const person = link && deps.policy.people.get(link.person);
  const change = link && (await deps.store.read.changes.find(link.changeId));
  // An unknown link learns nothing: not whether the change or the person exists.
  if (!link || !person?.external || !change)
    return refuse(
      'unknown',
      'This link is not valid. It may have been mistyped or cut off; ask for a new one.',
    );
  if (link.usedAt)
    return refuse('used', `This link was already used, on ${formatInstant(link.usedAt)}.`, change);
  if (link.expiresAt <= deps.clock.now().toISOString())
    return refuse(
      'expired',
      `This link expired on ${formatInstant(link.expiresAt)}. Ask ${requesterName(deps, change)} for a new one.`,
    );
  if (change.round !== link.round)
    return refuse(
      'edited',
      `${formatChangeId(change.id)} was changed after this link was sent, so it needs a fresh look. A new link is on its way if your decision is still needed.`,
    );
  if (link.meeting !== undefined) return inspectMeetingLink(deps, link, person, change);
  const [decisions, presence] = await Promise.all([
    deps.store.read.changes.listDecisions(change.id, change.round),
    currentPresence(deps.store.read, deps.policy, deps.clock.now()),
  ]);
  const evaluation = evaluateChange(deps.policy, change, decisions, presence);
  // Pending, or started early with approvals still open: those approvals are still decided.
  if (!takesDecisions(deps.policy, change, evaluation))
    return refuse(
      'moved',
      `${formatChangeId(change.id)} is ${change.state.replace('_', ' ')} now, so there is nothing left to decide.`,
      change,
    );
  if (!evaluation.eligibleApprovers.has(person.id))
    return refuse(
      decisions.some((d) => d.person === person.id) ? 'used' : 'not-needed',
      decisions.some((d) => d.person === person.id)
        ? 'You have already decided on this change.'
        : `Your decision is no longer needed: ${formatChangeId(change.id)} has the approvals it needs from your group.`,
      change,
    );
  return { usable: true, link, person, change, decisions, evaluation };
}

/** An agenda's link: usable while its meeting still has the change to discuss, and the person attends. */
async function inspectMeetingLink(
  deps: AppDeps,
  link: ExternalLink,
  person: Person,
  change: Change,
): Promise<ExternalLinkState> {
  const meeting = findMeeting(deps.policy, link.meeting!);
  const id = formatChangeId(change.id);
  if (!meeting || !attendeesOf(deps.policy, meeting).has(person.id))
    return refuse(
      'not-needed',
      `${link.meeting} no longer needs your outcome on ${id}: the meeting or its attendees changed.`,
      change,
    );
  if (!(DISCUSSABLE_STATES as readonly string[]).includes(change.state) || change.state === 'draft')
    return refuse(
      'moved',
      `${id} is ${change.state.replace('_', ' ')} now, so there is nothing left for ${meeting.name} to decide.`,
      change,
    );
  if (!change.meetings.includes(meeting.name))
    return refuse('moved', `${meeting.name}'s outcome on ${id} is already recorded.`, change);
  const [decisions, presence] = await Promise.all([
    deps.store.read.changes.listDecisions(change.id, change.round),
    currentPresence(deps.store.read, deps.policy, deps.clock.now()),
  ]);
  const evaluation = evaluateChange(deps.policy, change, decisions, presence);
  return { usable: true, link, person, change, decisions, evaluation, meeting };
}

/**
 * Records the link's meeting outcome as its person (an external attendee),
 * `via: external-link`; the link is spent in the same transaction, as a decision's is.
 */
export async function discussByExternalLink(
  deps: AppDeps,
  token: string,
  input: { outcome: DiscussionOutcome; minutes?: string },
): Promise<{ change: Change; person: Person; meeting: Meeting }> {
  const state = await inspectExternalLink(deps, token);
  if (!state.usable) throw new AppError('invalid_state', state.reason);
  const meeting = state.meeting;
  if (!meeting)
    throw new AppError('invalid_state', 'This link asks for your decision, not a meeting outcome.');
  return deps.store.transaction(async (tx) => {
    if (!(await tx.externalLinks.use(state.link.digest, deps.clock.now().toISOString())))
      throw new AppError('invalid_state', 'This link was just used.');
    const acted = await discussChange(
      deps,
      state.person,
      state.change.id,
      {
        meeting: meeting.name,
        outcome: input.outcome,
        minutes: input.minutes,
        via: 'external-link',
        round: state.link.round,
      },
      tx,
    );
    return { change: acted.change, person: state.person, meeting };
  });
}

/**
 * Decides as the link's person, recorded `via: external-link`. The link is spent
 * in the decision's own transaction: a decision that fails leaves it unspent,
 * and of two racing uses exactly one decides.
 */
export async function decideByExternalLink(
  deps: AppDeps,
  token: string,
  input: { verdict: Verdict; comment?: string },
): Promise<{ change: Change; person: Person }> {
  const state = await inspectExternalLink(deps, token);
  if (!state.usable) throw new AppError('invalid_state', state.reason);
  if (state.meeting)
    throw new AppError(
      'invalid_state',
      `This link records ${state.meeting.name}'s outcome, not a decision of your own.`,
    );
  const comment = input.comment?.trim() || null;
  assertDecisionComment(input.verdict, comment);
  return deps.store.transaction(async (tx) => {
    if (!(await tx.externalLinks.use(state.link.digest, deps.clock.now().toISOString())))
      throw new AppError('invalid_state', 'This link was just used.');
    const acted = await decideChange(
      deps,
      state.person,
      state.change.id,
      input.verdict,
      { comment: comment ?? undefined, via: 'external-link', round: state.link.round },
      tx,
    );
    return { change: acted.change, person: state.person };
  });
}

/**
 * A fresh link for an external approver the change still needs
 * (`POST /changes/{id}/invitations`): by the requester or an admin. The link is
 * made when the e-mail is sent, like every link.
 */
export async function inviteExternalApprover(
  deps: AppDeps,
  actor: Person,
  changeId: number,
  personId: string,
): Promise<{ person: Person; change: Change }> {
  const person = deps.policy.people.get(personId);
  if (!person)
    throw new AppError('invalid_input', `no person "${personId}" in the policy`, [
      { path: 'person', message: `no person "${personId}" in the policy` },
    ]);
  if (!person.external)
    throw new AppError('invalid_input', `${person.name} is not an external approver`, [
      {
        path: 'person',
        message: `${person.name} signs in to the board; only external approvers get links`,
      },
    ]);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const change = await tx.changes.find(changeId, { forUpdate: true });
    if (!change) throw new AppError('not_found', `no change CHG-${changeId}`);
    if (change.requester !== actor.id && !actor.admin)
      throw new AppError('forbidden', 'only the requester or an admin may send a fresh link');
    const [decisions, presence] = await Promise.all([
      tx.changes.listDecisions(change.id, change.round),
      currentPresence(tx, deps.policy, now),
    ]);
    const evaluation = evaluateChange(deps.policy, change, decisions, presence);
    if (!takesDecisions(deps.policy, change, evaluation))
      throw new AppError(
        'invalid_state',
        `${formatChangeId(change.id)} is ${change.state}: there is nothing to decide`,
      );
    if (!evaluation.eligibleApprovers.has(person.id))
      throw new AppError(
        'invalid_state',
        `${person.name}'s decision is not needed on ${formatChangeId(change.id)} (already given, or their group's requirement is met)`,
      );
    await tx.outbox.enqueue(
      [
        {
          id: randomUUID(),
          kind: 'email',
          target: person.id,
          changeId: change.id,
          eventId: null,
          payload: { template: EXTERNAL_INVITATION, round: change.round },
          notBefore: now.toISOString(),
        },
      ],
      now.toISOString(),
    );
    return { person, change };
  });
}

function refuse(problem: ExternalLinkProblem, reason: string, change?: Change): ExternalLinkState {
  return { usable: false, problem, reason, ...(change && { change }) };
}

function requesterName(deps: AppDeps, change: Change): string {
  return (change.requester && deps.policy.people.get(change.requester)?.name) ?? 'the requester';
}
