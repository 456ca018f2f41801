import type { Change, Verdict } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { Person } from '../domain/policy.js';
import { digestSecret, generateSecret } from '../shared/tokens.js';
import { decideChange } from './decide-change.js';
import { assertDecisionComment, evaluateChange, takesDecisions } from '../domain/approval.js';
import type { AppDeps } from './deps.js';
import { currentPresence } from './absences.js';
import type { ActionLink, DirectWrites } from './ports.js';

export const DEFAULT_LINK_TTL_MS = 72 * 3_600_000;

export interface ActionLinkPair {
  readonly approve: string;
  readonly reject: string;
  readonly expiresAt: string;
}

/**
 * Approve and reject links for one approver, one change and one approval round.
 * Each is a random 256-bit token that only this server minted, stored as a
 * digest: single-use, expiring, and void once the round changes (an edit) or
 * the change is decided.
 */
export async function createActionLinks(
  repos: Pick<DirectWrites, 'actionLinks'>,
  input: { person: string; change: Change; now: Date; ttlMs: number },
): Promise<ActionLinkPair> {
  const expiresAt = new Date(input.now.getTime() + input.ttlMs).toISOString();
  const tokens = { approve: generateSecret('cba'), reject: generateSecret('cba') };
  await repos.actionLinks.insert(
    (['approve', 'reject'] as const).map((verdict) => ({
      digest: digestSecret(tokens[verdict]),
      person: input.person,
      changeId: input.change.id,
      round: input.change.round,
      verdict,
      expiresAt,
      usedAt: null,
      createdAt: input.now.toISOString(),
    })),
  );
  return { ...tokens, expiresAt };
}

export type LinkState =
  | {
      readonly usable: true;
      readonly link: ActionLink;
      readonly person: Person;
      readonly change: Change;
    }
  | { readonly usable: false; readonly reason: string; readonly change?: Change };

/**
 * What opening a link shows. Reading a link never changes anything (mail
 * scanners prefetch links). `signedInAs` is the person of the browser's web
 * session, if any: a link forwarded to a colleague who is signed in as
 * themselves is refused rather than used in the sender's name.
 */
export async function inspectActionLink(
  deps: AppDeps,
  token: string,
  viewer: { signedInAs?: string } = {},
): Promise<LinkState> {
  const link = await deps.store.read.actionLinks.find(digestSecret(token));
  if (!link)
    return {
      usable: false,
      reason: 'This link is not valid. It may have been mistyped or cut off.',
    };
  const change = await deps.store.read.changes.find(link.changeId);
  if (!change) return { usable: false, reason: 'The change this link was for no longer exists.' };
  const person = deps.policy.people.get(link.person);
  if (!person)
    return {
      usable: false,
      reason: 'The person this link was sent to is no longer in the policy.',
      change,
    };
  if (viewer.signedInAs && viewer.signedInAs !== person.id) {
    const other = deps.policy.people.get(viewer.signedInAs)?.name ?? viewer.signedInAs;
    return {
      usable: false,
      reason: `This link was sent to ${person.name}, but you are signed in as ${other}. Only ${person.name} can use it; open the change to decide as yourself.`,
      change,
    };
  }
  if (link.usedAt)
    return { usable: false, reason: `This link was already used on ${link.usedAt}.`, change };
  if (link.expiresAt <= deps.clock.now().toISOString())
    return { usable: false, reason: `This link expired on ${link.expiresAt}.`, change };
  const [decisions, presence] = await Promise.all([
    deps.store.read.changes.listDecisions(change.id, change.round),
    currentPresence(deps.store.read, deps.policy, deps.clock.now()),
  ]);
  const evaluation = evaluateChange(deps.policy, change, decisions, presence);
  // Pending, or started early with approvals still open: those approvals are still decided.
  if (!takesDecisions(deps.policy, change, evaluation))
    return {
      usable: false,
      reason: `The change is ${change.state.replace('_', ' ')} now, so there is nothing to decide.`,
      change,
    };
  if (change.round !== link.round) {
    return {
      usable: false,
      reason:
        'The change was edited after this link was sent, so its earlier approvals no longer count. Open the change to see what changed.',
      change,
    };
  }
  if (
    !evaluation.eligibleApprovers.has(person.id) &&
    decisions.some((d) => d.person === person.id || d.standIn === person.id)
  )
    return { usable: false, reason: 'You have already decided on this change.', change };
  if ((evaluation.capacities.get(person.id)?.length ?? 0) > 1)
    return {
      usable: false,
      reason: `${person.name} can decide here both in their own name and for someone away: open the change to say which.`,
      change,
    };
  if (!evaluation.eligibleApprovers.has(person.id)) {
    return {
      usable: false,
      reason: `${person.name} is not needed to approve this change any more.`,
      change,
    };
  }
  return { usable: true, link, person, change };
}

/** The confirmed action: spends the link, then decides as the person it was sent to. */
export async function useActionLink(
  deps: AppDeps,
  token: string,
  input: { comment?: string; signedInAs?: string },
): Promise<{ change: Change; verdict: Verdict; person: Person; allMet: boolean }> {
  const state = await inspectActionLink(deps, token, { signedInAs: input.signedInAs });
  if (!state.usable) throw new AppError('invalid_state', state.reason);
  assertDecisionComment(state.link.verdict, input.comment?.trim() || null);
  if (
    !(await deps.store.direct.actionLinks.use(state.link.digest, deps.clock.now().toISOString()))
  ) {
    throw new AppError('invalid_state', 'This link was just used.');
  }
  const { change, evaluation } = await decideChange(
    deps,
    state.person,
    state.change.id,
    state.link.verdict,
    { comment: input.comment, via: 'email-link' },
  );
  return { change, verdict: state.link.verdict, person: state.person, allMet: evaluation.allMet };
}
