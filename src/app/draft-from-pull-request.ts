import { GITHUB_ACTOR } from '../domain/authorization.js';
import { formatChangeId, type PullRequestRef } from '../domain/change.js';
import { checkContent, type ChangeContent } from '../domain/change-content.js';
import { invalidInput } from '../domain/errors.js';
import {
  draftTypeFor,
  personForGithubLogin,
  serviceForRepository,
} from '../domain/pull-requests.js';
import { truncate } from '../shared/text.js';
import { newDraft } from './create-change.js';
import { recordEvents, type AppDeps } from './deps.js';
import { ignored, processed, type NoticeResult, type PullRequestFacts } from './github-notices.js';
import type { PullRequestTransaction } from './record-pull-request-push.js';
import { lockPullRequestChange, moveHead } from './record-pull-request-push.js';

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 50_000;

/**
 * A pull request was approved on GitHub: draft its change, once. The draft gets
 * the PR's title, description and link, the service its repository maps to, and
 * the author as requester (unassigned when nobody in the policy has their login).
 * A later approval of the same PR updates that draft (its head commit) instead of
 * drafting another; only after the change was rejected or withdrawn does a new
 * approval start a new one.
 */
export async function draftFromPullRequest(
  tx: PullRequestTransaction,
  deps: AppDeps,
  pullRequest: PullRequestFacts,
  reviewer: string | null,
): Promise<NoticeResult> {
  const where = `${pullRequest.repository}#${pullRequest.number}`;
  const service = serviceForRepository(deps.policy, pullRequest.repository);
  if (!service) {
    return ignored(
      `${pullRequest.repository} is not a repository of any service in the policy (services.*.repositories)`,
    );
  }
  const existing = await lockPullRequestChange(tx, pullRequest);
  if (existing && existing.state !== 'rejected' && existing.state !== 'withdrawn') {
    const { message } = await moveHead(
      tx,
      deps,
      existing,
      pullRequest.headSha,
      `PR #${pullRequest.number} was approved again${reviewer ? ` by @${reviewer}` : ''} on a new head`,
    );
    return message.outcome === 'processed'
      ? message
      : ignored(
          `${formatChangeId(existing.id)} was already drafted from ${where}: ${message.message}`,
          existing.id,
        );
  }

  const content: ChangeContent = {
    title: truncate(pullRequest.title.trim(), TITLE_MAX) || `Pull request ${where}`,
    description: truncate(pullRequest.body, DESCRIPTION_MAX),
    type: draftTypeFor(deps.policy),
    services: [service.id],
    answers: {},
    plannedStart: null,
    plannedEnd: null,
    links: [{ title: `PR #${pullRequest.number}`, url: pullRequest.url }],
  };
  const issues = checkContent(deps.policy, content);
  if (issues.length > 0) throw invalidInput(issues);
  const requester = personForGithubLogin(deps.policy, pullRequest.author)?.id ?? null;
  const ref: PullRequestRef = {
    repository: pullRequest.repository.toLowerCase(),
    number: pullRequest.number,
    url: pullRequest.url,
    headSha: pullRequest.headSha.toLowerCase(),
    mergeSha: null,
    author: pullRequest.author,
  };
  const now = deps.clock.now().toISOString();
  const change = await tx.changes.insert({
    ...newDraft(deps.policy, content, requester, now),
    pullRequest: ref,
  });
  await recordEvents(
    tx,
    deps,
    change,
    [
      {
        changeId: change.id,
        type: 'created',
        actor: GITHUB_ACTOR.id,
        // `source: 'github'` and the PR facts tell notifications this draft is waiting for its requester.
        data: {
          ...content,
          source: 'github',
          repository: ref.repository,
          number: ref.number,
          url: ref.url,
          headSha: ref.headSha,
          author: ref.author,
          reviewer,
          requester,
        },
      },
    ],
    now,
  );
  return processed(
    requester
      ? `drafted ${formatChangeId(change.id)} from ${where} for ${requester}`
      : `drafted ${formatChangeId(change.id)} from ${where}, unassigned: nobody in the policy has the GitHub login ${pullRequest.author}`,
    change.id,
  );
}
