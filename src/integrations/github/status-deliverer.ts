import { Octokit } from '@octokit/rest';
import { Type, type Static } from 'typebox';
import type { ChangeRepository } from '../../app/ports.js';
import type { Deliverer, DeliveryOutcome } from '../../notifications/deliverer.js';
import { oneByOne } from '../../notifications/deliverer.js';
import type { Clock } from '../../shared/clock.js';
import { createAjv } from '../../shared/ajv.js';
import { parseRetryAfter } from '../../shared/retry.js';
import {
  commitStatusFor,
  GITHUB_STATUS_KIND,
  STATUS_CONTEXT,
  StatusState,
} from './commit-status.js';

/** The outbox payload of a commit status: what it said when the action was committed. */
export const StatusJob = Type.Object(
  {
    repository: Type.String({ pattern: '^[^/]+/[^/]+$' }),
    sha: Type.String({ minLength: 1 }),
    changeId: Type.Integer(),
    state: StatusState,
    description: Type.String(),
    targetUrl: Type.String(),
  },
  { additionalProperties: false },
);
export type StatusJob = Static<typeof StatusJob>;
const isStatusJob = createAjv().compile<StatusJob>(StatusJob);

const REQUEST_TIMEOUT_MS = 15_000;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface StatusDelivererOptions {
  /** GITHUB_API_URL: the only place these requests go (GitHub Enterprise: https://ghe.example.com/api/v3). */
  readonly apiUrl: string;
  readonly token?: string;
  readonly publicUrl: string;
  readonly changes: Pick<ChangeRepository, 'findLatestForCommit'>;
  readonly clock: Clock;
}

/**
 * Sets commit statuses through the GitHub REST API. The dispatcher retries with
 * back-off; a 4xx is final (no such commit, no access) except 408 and rate limits.
 */
export function githubStatusDeliverer(options: StatusDelivererOptions): Deliverer {
  const octokit = options.token
    ? new Octokit({
        auth: options.token,
        baseUrl: options.apiUrl,
        userAgent: 'changeboard',
        log: quiet,
      })
    : undefined;
  return oneByOne(GITHUB_STATUS_KIND, async (message): Promise<DeliveryOutcome> => {
    if (!octokit) return { ok: false, permanent: true, reason: 'GITHUB_TOKEN is not set' };
    if (!isStatusJob(message.payload))
      return { ok: false, permanent: true, reason: 'not a commit status job' };
    const job = message.payload;
    // Retries and several processes can deliver out of order, so the status sent is what the newest
    // change covering the commit says now: a late retry can never roll GitHub back to an older state.
    // A commit no change covers any more (the PR's head moved on) gets what was true at the time.
    const current = await options.changes.findLatestForCommit(job.repository, job.sha);
    const status = current ? commitStatusFor(current, options.publicUrl) : job;
    const [owner = '', repo = ''] = job.repository.split('/');
    try {
      await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: job.sha,
        context: STATUS_CONTEXT,
        state: status.state,
        description: status.description.slice(0, 140),
        target_url: status.targetUrl,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      return { ok: true };
    } catch (error) {
      return outcomeOf(error, options.clock.now());
    }
  });
}

interface HttpFailure {
  readonly status?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly headers?: Readonly<Record<string, string | number | undefined>> };
}

/** Octokit throws a RequestError with the HTTP status (500 when the request never got an answer). */
export function outcomeOf(error: unknown, now: Date): DeliveryOutcome {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as HttpFailure;
  const status = typeof failure.status === 'number' ? failure.status : undefined;
  const reason = typeof failure.message === 'string' ? failure.message : String(error);
  const header = (name: string) => {
    const value = failure.response?.headers?.[name];
    return value === undefined ? undefined : String(value);
  };
  const retryAfterMs =
    parseRetryAfter(header('retry-after'), now) ?? rateLimitReset(header('x-ratelimit-reset'), now);
  if (status === undefined) return { ok: false, permanent: false, reason: `GitHub: ${reason}` };
  // GitHub answers rate limits with 429, or with 403 and x-ratelimit-remaining: 0 (primary limit) or Retry-After (secondary).
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (header('x-ratelimit-remaining') === '0' || header('retry-after') !== undefined));
  if (status === 408 || rateLimited)
    return {
      ok: false,
      permanent: false,
      reason: `GitHub HTTP ${status}: ${reason}`,
      retryAfterMs,
    };
  if (status >= 400 && status < 500)
    return {
      ok: false,
      permanent: true,
      reason: `GitHub refused the status (HTTP ${status}): ${reason}`,
    };
  return { ok: false, permanent: false, reason: `GitHub HTTP ${status}: ${reason}`, retryAfterMs };
}

/** `x-ratelimit-reset` is the epoch second when the limit resets. */
function rateLimitReset(header: string | undefined, now: Date): number | undefined {
  if (!header || !/^\d+$/.test(header)) return undefined;
  return Math.max(0, Number(header) * 1000 - now.getTime());
}
