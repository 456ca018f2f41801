/**
 * What a GitHub webhook told us, in our terms: src/integrations/github reads the
 * payloads into these, so the use cases never see GitHub's JSON.
 */

export interface PullRequestFacts {
  /** `owner/name` as GitHub spells it. */
  readonly repository: string;
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
  readonly headSha: string;
  /** The PR author's GitHub login. */
  readonly author: string;
}

export const DEPLOYMENT_STATES = ['in_progress', 'success', 'failure'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface DeploymentFacts {
  readonly repository: string;
  readonly sha: string;
  readonly state: DeploymentState;
  readonly environment: string;
  /** GitHub's `production_environment` flag on the deployment. */
  readonly productionEnvironment: boolean;
  /** Where to see it: the deployment's log or environment URL, when GitHub has one. */
  readonly url: string | null;
}

export type GithubNotice =
  | {
      readonly kind: 'review-approved';
      readonly pullRequest: PullRequestFacts;
      readonly reviewer: string | null;
    }
  | { readonly kind: 'pushed'; readonly pullRequest: PullRequestFacts }
  | { readonly kind: 'merged'; readonly pullRequest: PullRequestFacts; readonly mergeSha: string }
  | { readonly kind: 'deployment'; readonly deployment: DeploymentFacts }
  | { readonly kind: 'ignored'; readonly reason: string };

/** What one delivery did. `changeId` names the change it drafted or moved. */
export interface NoticeResult {
  readonly outcome: 'processed' | 'ignored';
  readonly message: string;
  readonly changeId: number | null;
}

export function processed(message: string, changeId: number): NoticeResult {
  return { outcome: 'processed', message, changeId };
}

export function ignored(message: string, changeId: number | null = null): NoticeResult {
  return { outcome: 'ignored', message, changeId };
}
