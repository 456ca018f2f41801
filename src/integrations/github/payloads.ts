import type { EmitterWebhookEvent, EmitterWebhookEventName } from '@octokit/webhooks';
import { Type, type Static } from 'typebox';
import {
  DEPLOYMENT_STATES,
  type DeploymentState,
  type GithubNotice,
  type PullRequestFacts,
} from '../../app/github-notices.js';
import { invalidInput } from '../../domain/errors.js';
import { createAjv } from '../../shared/ajv.js';
import { describeAjvErrors, formatPath } from '../../shared/schema-issues.js';
import { Nullable } from '../../shared/schema.js';
import { textProblem, type TextIssue } from '../../shared/text.js';

/**
 * The parts of GitHub's webhook payloads that Changeboard reads, as schemas: a
 * payload of an event we act on must have them, or it is refused with 400 and
 * every problem listed. Everything else in the payload is ignored. The type
 * checks at the bottom hold these schemas against @octokit/webhooks' own payload
 * types, so they never ask for more than GitHub documents.
 */

const Sha = Type.String({ pattern: '^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$' });
const Login = Type.String({ minLength: 1, maxLength: 100 });
const HttpUrl = Type.String({ pattern: '^https?://', maxLength: 2000 });

const Repository = Type.Object({
  full_name: Type.String({ pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' }),
});

const PullRequest = Type.Object({
  number: Type.Integer({ minimum: 1 }),
  html_url: HttpUrl,
  title: Type.String(),
  body: Nullable(Type.String()),
  // GitHub sends null for an account that was deleted since.
  user: Nullable(Type.Object({ login: Login })),
  head: Type.Object({ sha: Sha }),
});

const ReviewSubmitted = Type.Object({
  review: Type.Object({
    state: Type.String(),
    user: Nullable(Type.Object({ login: Login })),
  }),
  pull_request: PullRequest,
  repository: Repository,
});

const PullRequestSynchronize = Type.Object({ pull_request: PullRequest, repository: Repository });

const PullRequestClosed = Type.Object({
  pull_request: Type.Object({
    ...PullRequest.properties,
    merged: Nullable(Type.Boolean()),
    merge_commit_sha: Nullable(Type.String()),
  }),
  repository: Repository,
});

const DeploymentStatusCreated = Type.Object({
  deployment_status: Type.Object({
    state: Type.String(),
    environment: Type.Optional(Type.String()),
    log_url: Type.Optional(Nullable(Type.String())),
    environment_url: Type.Optional(Nullable(Type.String())),
  }),
  deployment: Type.Object({
    sha: Sha,
    environment: Type.String(),
    production_environment: Type.Optional(Type.Boolean()),
  }),
  repository: Repository,
});

const ajv = createAjv();
const validators = {
  review: ajv.compile<Static<typeof ReviewSubmitted>>(ReviewSubmitted),
  synchronize: ajv.compile<Static<typeof PullRequestSynchronize>>(PullRequestSynchronize),
  closed: ajv.compile<Static<typeof PullRequestClosed>>(PullRequestClosed),
  deployment: ajv.compile<Static<typeof DeploymentStatusCreated>>(DeploymentStatusCreated),
  sha: ajv.compile<string>(Sha),
};

/** What the delivery list shows of any payload, even one we ignore. */
export function describePayload(payload: unknown): {
  action: string | null;
  repository: string | null;
} {
  const object = isObject(payload) ? payload : {};
  const repository = isObject(object.repository) ? object.repository.full_name : undefined;
  return {
    action: typeof object.action === 'string' ? object.action.slice(0, 100) : null,
    repository: typeof repository === 'string' ? repository.slice(0, 200) : null,
  };
}

/** Reads a verified payload into what it means for Changeboard. Throws `invalid_input` (400) when a payload of an event we act on lacks what we need. */
export function readNotice(event: string, payload: unknown): GithubNotice {
  if (!isObject(payload)) throw invalidInput([{ path: 'body', message: 'must be a JSON object' }]);
  const { action } = describePayload(payload);
  switch (`${event}.${action ?? ''}`) {
    case 'ping.':
      return { kind: 'ignored', reason: 'ping: GitHub checked that the webhook is reachable' };
    case 'pull_request_review.submitted': {
      const p = check(validators.review, payload);
      if (p.review.state.toLowerCase() !== 'approved')
        return { kind: 'ignored', reason: `a review that is ${p.review.state}, not an approval` };
      return {
        kind: 'review-approved',
        pullRequest: pullRequestFacts(p.pull_request, p.repository),
        reviewer: p.review.user?.login ?? null,
      };
    }
    case 'pull_request.synchronize': {
      const p = check(validators.synchronize, payload);
      return { kind: 'pushed', pullRequest: pullRequestFacts(p.pull_request, p.repository) };
    }
    case 'pull_request.closed': {
      const p = check(validators.closed, payload);
      const mergeSha = p.pull_request.merge_commit_sha;
      if (!p.pull_request.merged || !mergeSha)
        return { kind: 'ignored', reason: 'a pull request closed without merging' };
      if (!validators.sha(mergeSha))
        throw invalidInput([
          { path: 'pull_request.merge_commit_sha', message: 'is not a commit SHA' },
        ]);
      return {
        kind: 'merged',
        pullRequest: pullRequestFacts(p.pull_request, p.repository),
        mergeSha,
      };
    }
    case 'deployment_status.created': {
      const p = check(validators.deployment, payload);
      const state = p.deployment_status.state;
      if (!isDeploymentState(state))
        return {
          kind: 'ignored',
          reason: `a deployment status "${state}" (only in_progress, success and failure move changes)`,
        };
      return {
        kind: 'deployment',
        deployment: {
          repository: p.repository.full_name,
          sha: p.deployment.sha,
          state,
          environment: p.deployment_status.environment ?? p.deployment.environment,
          productionEnvironment: p.deployment.production_environment === true,
          url: p.deployment_status.log_url || p.deployment_status.environment_url || null,
        },
      };
    }
    default:
      return {
        kind: 'ignored',
        reason: `Changeboard does not act on ${event}${action ? ` (${action})` : ''}`,
      };
  }
}

function pullRequestFacts(
  pull: Static<typeof PullRequest>,
  repository: Static<typeof Repository>,
): PullRequestFacts {
  return {
    repository: repository.full_name,
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? '',
    headSha: pull.head.sha,
    // "ghost" is what GitHub itself shows for a deleted account.
    author: pull.user?.login ?? 'ghost',
  };
}

function check<T>(
  validate: ((data: unknown) => data is T) & { errors?: unknown; schema?: unknown },
  payload: unknown,
): T {
  if (validate(payload)) {
    // The text Changeboard takes from a payload obeys the same rule as the API's (shared/text.ts).
    const issues = textProblemsIn(validate.schema, payload, []);
    if (issues.length === 0) return payload;
    throw invalidInput(
      issues.map((issue) => ({ path: formatPath(issue.segments), message: issue.message })),
    );
  }
  throw invalidInput(
    describeAjvErrors(validate.errors as Parameters<typeof describeAjvErrors>[0]).map((issue) => ({
      path: formatPath(issue.segments),
      message: issue.message,
    })),
  );
}

/** The text at the places `schema` describes (what Changeboard reads), not the rest of the payload. */
function textProblemsIn(schema: unknown, value: unknown, segments: string[]): TextIssue[] {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? [{ segments, message }] : [];
  }
  if (!isObject(schema) || !isObject(value)) return [];
  if (Array.isArray(schema.anyOf))
    return schema.anyOf.flatMap((branch) => textProblemsIn(branch, value, segments));
  if (!isObject(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([key, property]) =>
    textProblemsIn(property, value[key], [...segments, key]),
  );
}

function isDeploymentState(state: string): state is DeploymentState {
  return (DEPLOYMENT_STATES as readonly string[]).includes(state);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Compile-time only: GitHub's documented payloads (the types of @octokit/webhooks) must satisfy what
// the schemas require, so a payload GitHub really sends is never refused for lacking something.
type Payload<E extends EmitterWebhookEventName> = EmitterWebhookEvent<E>['payload'];
const _fitsGithub: [
  (p: Payload<'pull_request_review.submitted'>) => Static<typeof ReviewSubmitted>,
  (p: Payload<'pull_request.synchronize'>) => Static<typeof PullRequestSynchronize>,
  (p: Payload<'pull_request.closed'>) => Static<typeof PullRequestClosed>,
  (p: Payload<'deployment_status.created'>) => Static<typeof DeploymentStatusCreated>,
] = [(p) => p, (p) => p, (p) => p, (p) => p];
