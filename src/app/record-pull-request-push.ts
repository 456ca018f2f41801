import { reopenRound, type Transition } from '../domain/approval.js';
import { GITHUB_ACTOR } from '../domain/authorization.js';
import { formatChangeId, type Change } from '../domain/change.js';
import { subjectOf } from '../domain/change-content.js';
import type { NewEvent } from '../domain/events.js';
import { shortSha } from '../domain/pull-requests.js';
import { computeRequirements } from '../domain/requirements.js';
import { recordEvents, saveChange, type AppDeps } from './deps.js';
import { ignored, processed, type NoticeResult, type PullRequestFacts } from './github-notices.js';
import type { ChangeTransaction, TransactionWith } from './ports.js';

/** What work on a pull request's change uses: the change's, and the pull request's lock. */
export type PullRequestTransaction = ChangeTransaction & TransactionWith<'github'>;

/** New commits were pushed to a pull request (`synchronize`). */
export async function recordPullRequestPush(
  tx: PullRequestTransaction,
  deps: AppDeps,
  pullRequest: PullRequestFacts,
): Promise<NoticeResult> {
  const change = await lockPullRequestChange(tx, pullRequest);
  if (!change) {
    return ignored(
      `no change was drafted from ${pullRequest.repository}#${pullRequest.number} (that happens when it is approved)`,
    );
  }
  const result = await moveHead(
    tx,
    deps,
    change,
    pullRequest.headSha,
    `new commits were pushed to PR #${pullRequest.number}`,
  );
  return result.message;
}

/**
 * The newest change drafted from this pull request, locked; deliveries about one
 * PR queue here, so two approvals arriving at once draft one change.
 */
export async function lockPullRequestChange(
  tx: TransactionWith<'github' | 'changes'>,
  pullRequest: Pick<PullRequestFacts, 'repository' | 'number'>,
): Promise<Change | undefined> {
  await tx.github.lockPullRequest(pullRequest.repository, pullRequest.number);
  return tx.changes.findLatestForPullRequest(pullRequest.repository, pullRequest.number, {
    forUpdate: true,
  });
}

/**
 * Records a new head commit on a change drafted from a pull request. An approval
 * covers the commit it was given for: a pending or approved change starts a new
 * round (re-computed requirements, earlier approvals withdrawn, back to pending),
 * unless its type keeps approvals on push. A change already being implemented, or
 * finished, keeps its head: the new commits are simply not covered by it.
 * The caller holds the change's row lock.
 */
export async function moveHead(
  tx: PullRequestTransaction,
  deps: AppDeps,
  change: Change,
  headSha: string,
  why: string,
): Promise<{ change: Change; message: NoticeResult }> {
  const id = formatChangeId(change.id);
  const pullRequest = change.pullRequest;
  const to = headSha.toLowerCase();
  if (!pullRequest) return { change, message: ignored(`${id} has no pull request`, change.id) };
  const from = pullRequest.headSha;
  if (from === to)
    return { change, message: ignored(`${id} already records ${shortSha(to)}`, change.id) };
  switch (change.state) {
    case 'draft':
    case 'pending':
    case 'approved':
      break;
    case 'in_progress':
    case 'completed':
    case 'verified':
    case 'failed':
    case 'rejected':
    case 'withdrawn':
      return {
        change,
        message: ignored(
          `${id} is ${change.state.replace('_', ' ')}: it keeps covering ${shortSha(from)}, not the new head ${shortSha(to)}`,
          change.id,
        ),
      };
  }

  const now = deps.clock.now().toISOString();
  const moved: Change = { ...change, pullRequest: { ...pullRequest, headSha: to } };
  const edited: NewEvent = {
    changeId: change.id,
    type: 'edited',
    actor: GITHUB_ACTOR.id,
    data: { changes: { headSha: { from, to } }, reason: why },
  };
  const keepsApprovals = deps.policy.changeTypes.get(change.type)?.keepApprovalsOnPush ?? false;
  let transition: Transition = { change: moved, events: [edited] };
  let summary = `${id} now covers ${shortSha(to)}`;
  if (change.state !== 'draft' && !keepsApprovals) {
    // The answers did not change since they were complete at submit, so unlike an edit there is no
    // answer gate here; only the policy may have moved on, and the new round follows it.
    transition = reopenRound(
      deps.policy,
      moved,
      await tx.changes.listDecisions(change.id, change.round),
      {
        edited,
        requirements: computeRequirements(deps.policy, subjectOf(change)),
        now,
        withdrawnBecause: `${why} (${shortSha(from)} → ${shortSha(to)}): an approval covers the commit it was given for`,
        approvedBecause: 'no approval is required for this change',
      },
    );
    summary =
      transition.change.state === 'approved'
        ? `${id} is approved for ${shortSha(to)} (no approval required)`
        : `${id} is pending again for ${shortSha(to)}`;
  } else if (change.state !== 'draft') {
    summary = `${id} keeps its approvals (${change.type} changes keep them on push) and covers ${shortSha(to)}`;
  }
  const next: Change = { ...transition.change, version: change.version + 1, updatedAt: now };
  await saveChange(tx, next, change);
  await recordEvents(tx, deps, next, transition.events, now);
  return { change: next, message: processed(summary, change.id) };
}
