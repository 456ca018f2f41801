import { GITHUB_ACTOR } from '../domain/authorization.js';
import { formatChangeId, type ChangeState } from '../domain/change.js';
import type { LifecycleAction } from '../domain/lifecycle.js';
import { describeReleaseEnvironments, releasesTo, shortSha } from '../domain/pull-requests.js';
import { moveChange } from './change-lifecycle.js';
import { recordEvents, type AppDeps } from './deps.js';
import {
  ignored,
  processed,
  type DeploymentFacts,
  type DeploymentState,
  type NoticeResult,
} from './github-notices.js';
import type { ChangeTransaction } from './ports.js';

/**
 * A deployment of a commit reported its status. The newest change covering the
 * commit moves through the ordinary lifecycle rules, as the `github` system actor:
 * in_progress starts it, success completes it, failure fails it (starting it first
 * when GitHub never said it was in progress, so a freeze still refuses it). A
 * deployment of a commit whose change is not approved is noted on its timeline.
 * Only deployments that release the change's services count: one to staging or a
 * preview is ignored (see `releasesTo`).
 */
export async function recordDeploymentStatus(
  tx: ChangeTransaction,
  deps: AppDeps,
  deployment: DeploymentFacts,
): Promise<NoticeResult> {
  const commit = `${deployment.repository}@${shortSha(deployment.sha)}`;
  const found = await tx.changes.findLatestForCommit(deployment.repository, deployment.sha);
  if (!found) return ignored(`no change covers ${commit}`);
  const id = formatChangeId(found.id);
  const what = `GitHub deployment of ${shortSha(deployment.sha)} to ${deployment.environment}: ${deployment.state.replace('_', ' ')}${deployment.url ? ` (${deployment.url})` : ''}`;

  const services = found.services.flatMap((s) => deps.policy.services.get(s) ?? []);
  if (!releasesTo(services, deployment))
    return ignored(
      `a deployment to ${deployment.environment} does not release ${id}: ${describeReleaseEnvironments(services)}; a service's \`environments\` in the policy choose others`,
      found.id,
    );

  const moves = movesFor(found.state, deployment.state);
  if (moves === 'unapproved') {
    const change = await tx.changes.find(found.id, { forUpdate: true });
    if (!change) return ignored(`no change covers ${commit}`);
    await recordEvents(
      tx,
      deps,
      change,
      [
        {
          changeId: change.id,
          type: 'commented',
          actor: GITHUB_ACTOR.id,
          data: { body: `${what}, while this change is ${change.state}: it is not approved` },
        },
      ],
      deps.clock.now().toISOString(),
    );
    return processed(
      `${id} is ${found.state}, not approved: the deployment was noted on its timeline`,
      found.id,
    );
  }
  if (moves.length === 0)
    return ignored(
      `${id} is ${found.state.replace('_', ' ')}; a deployment that is ${deployment.state.replace('_', ' ')} does not move it`,
      found.id,
    );
  let state: ChangeState = found.state;
  for (const action of moves) {
    state = (await moveChange(deps, GITHUB_ACTOR, found.id, action, { comment: what }, tx)).change
      .state;
  }
  return processed(`${id} is ${state.replace('_', ' ')} (${what})`, found.id);
}

function movesFor(
  state: ChangeState,
  deployment: DeploymentState,
): readonly LifecycleAction[] | 'unapproved' {
  switch (state) {
    case 'draft':
    case 'pending':
    case 'rejected':
    case 'withdrawn':
      return deployment === 'failure' ? [] : 'unapproved';
    case 'approved':
      return deployment === 'in_progress'
        ? ['start']
        : deployment === 'success'
          ? ['start', 'complete']
          : ['start', 'fail'];
    case 'in_progress':
      return deployment === 'success' ? ['complete'] : deployment === 'failure' ? ['fail'] : [];
    case 'completed':
      return deployment === 'failure' ? ['fail'] : [];
    case 'verified':
    case 'failed':
      return [];
  }
}
