import { GITHUB_ACTOR } from '../domain/authorization.js';
import { formatChangeId, type Change } from '../domain/change.js';
import { shortSha } from '../domain/pull-requests.js';
import { recordEvents, saveChange, type AppDeps } from './deps.js';
import { ignored, processed, type NoticeResult, type PullRequestFacts } from './github-notices.js';
import {
  lockPullRequestChange,
  moveHead,
  type PullRequestTransaction,
} from './record-pull-request-push.js';

/**
 * A pull request was merged. Deployments usually run from the merge commit on the
 * base branch, not from the PR's head, so the change records it and covers it as
 * well, as long as what was merged is the head it records. Had we missed a push,
 * the merged head is recorded first, which withdraws approvals given for the old one.
 */
export async function recordPullRequestMerge(
  tx: PullRequestTransaction,
  deps: AppDeps,
  pullRequest: PullRequestFacts,
  mergeSha: string,
): Promise<NoticeResult> {
  let change = await lockPullRequestChange(tx, pullRequest);
  if (!change?.pullRequest) {
    return ignored(
      `no change was drafted from ${pullRequest.repository}#${pullRequest.number}, so none covers its merge commit`,
    );
  }
  const id = formatChangeId(change.id);
  if (change.state === 'rejected' || change.state === 'withdrawn')
    return ignored(`${id} is ${change.state}: it does not cover the merge commit`, change.id);
  if (change.pullRequest.headSha !== pullRequest.headSha.toLowerCase()) {
    const moved = await moveHead(
      tx,
      deps,
      change,
      pullRequest.headSha,
      `PR #${pullRequest.number} was merged with commits pushed after the recorded head`,
    );
    // A change past approval keeps its head: the merge is of commits it does not cover.
    if (moved.change.pullRequest?.headSha !== pullRequest.headSha.toLowerCase())
      return moved.message;
    change = moved.change;
  }
  const pull = change.pullRequest;
  if (!pull) return ignored(`${id} has no pull request`, change.id);
  const to = mergeSha.toLowerCase();
  if (pull.mergeSha === to) return ignored(`${id} already records the merge commit`, change.id);
  const now = deps.clock.now().toISOString();
  const next: Change = {
    ...change,
    pullRequest: { ...pull, mergeSha: to },
    version: change.version + 1,
    updatedAt: now,
  };
  await saveChange(tx, next, change);
  await recordEvents(
    tx,
    deps,
    next,
    [
      {
        changeId: change.id,
        type: 'edited',
        actor: GITHUB_ACTOR.id,
        data: {
          changes: { mergeSha: { from: pull.mergeSha, to } },
          reason: `PR #${pull.number} was merged as ${shortSha(to)}`,
        },
      },
    ],
    now,
  );
  return processed(`${id} also covers the merge commit ${shortSha(to)}`, change.id);
}
