import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { TestApp, ApiResponse } from './app.js';

/** The webhook examples GitHub's own documentation is built from (@octokit/webhooks-examples). */
interface WebhookDefinition {
  readonly name: string;
  // Payloads are whatever GitHub sends; tests read and tweak them freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly examples: any[];
}
const require = createRequire(import.meta.url);
const DEFINITIONS = require('@octokit/webhooks-examples') as WebhookDefinition[];
/** Examples from the GitHub Enterprise Server variants too, for tests that read every example. */
export const ALL_DEFINITIONS: { source: string; definitions: WebhookDefinition[] }[] = [
  'api.github.com',
  'ghes-31',
  'ghes-32',
  'ghes-33',
  'ghes-34',
  'ghes-35',
].map((source) => ({
  source,
  definitions: require(`@octokit/webhooks-examples/${source}/index.json`) as WebhookDefinition[],
}));

/** A deep copy of a real example payload of `event` with this `action` (the first one, or the nth). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function example(event: string, action?: string, nth = 0): any {
  const definition = DEFINITIONS.find((d) => d.name === event);
  const matching = (definition?.examples ?? []).filter(
    (e: { action?: string }) => action === undefined || e.action === action,
  );
  const chosen: unknown = matching[nth];
  if (!chosen) throw new Error(`no example ${event}.${action ?? ''} #${nth}`);
  return structuredClone(chosen);
}

export const WEBHOOK_SECRET = 'It’s a Secret to Everybody';
export const GITHUB_TOKEN = 'ghp_testtoken0000000000000000000000000000';

export const EXAMPLE_REPOSITORY = 'Codertocat/Hello-World';
export const EXAMPLE_AUTHOR = 'Codertocat';

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

/**
 * The real `pull_request_review.submitted` example turned into an approval (no
 * example has review.state "approved"), for PR `number` at `headSha`: the only
 * fields a test needs to change so that tests do not share a pull request.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function approvalPayload(number: number, headSha: string): any {
  const payload = example('pull_request_review', 'submitted');
  payload.review.state = 'approved';
  retarget(payload.pull_request, number, headSha);
  return payload;
}

/** The real `pull_request.synchronize` example: new commits on PR `number`, now at `headSha`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pushPayload(number: number, before: string, headSha: string): any {
  const payload = example('pull_request', 'synchronize');
  payload.number = number;
  payload.before = before;
  payload.after = headSha;
  retarget(payload.pull_request, number, headSha);
  return payload;
}

/** The real `pull_request.closed` example, merged as `mergeSha`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mergePayload(number: number, headSha: string, mergeSha: string): any {
  const payload = example('pull_request', 'closed');
  payload.number = number;
  retarget(payload.pull_request, number, headSha);
  payload.pull_request.merged = true;
  payload.pull_request.merge_commit_sha = mergeSha;
  return payload;
}

/** A real `deployment_status.created` example for `sha` in this state (to production unless `to` says otherwise). */
export function deploymentPayload(
  sha: string,
  state: string,
  to: { environment?: string; production?: boolean } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): any {
  const payload = example('deployment_status', 'created');
  payload.deployment.sha = sha;
  payload.deployment_status.state = state;
  if (to.environment) {
    payload.deployment.environment = to.environment;
    payload.deployment_status.environment = to.environment;
  }
  if (to.production !== undefined) payload.deployment.production_environment = to.production;
  return payload;
}

function retarget(
  pullRequest: { number: number; html_url: string; head: { sha: string } },
  number: number,
  headSha: string,
) {
  pullRequest.number = number;
  pullRequest.html_url = pullRequest.html_url.replace(/\/pull\/\d+$/, `/pull/${number}`);
  pullRequest.head.sha = headSha;
}

/** Exactly what GitHub puts in X-Hub-Signature-256: HMAC SHA-256 of the raw body, hex, `sha256=` prefix. */
export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  readonly id?: string;
  readonly secret?: string;
  /** Replaces the computed signature header; null leaves it out. */
  readonly signature?: string | null;
  /** The body to send instead of the payload's JSON (signed as is unless `signature` is given). */
  readonly body?: string;
  readonly contentType?: string;
}

/** Posts a delivery as GitHub does: JSON body, event and delivery headers, signed with the secret. */
export function deliver(
  t: TestApp,
  event: string,
  payload: unknown,
  options: DeliveryOptions = {},
): Promise<ApiResponse & { id: string }> {
  const id = options.id ?? randomUUID();
  const body = options.body ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-id': '1',
  };
  const signature =
    options.signature === undefined
      ? sign(options.secret ?? WEBHOOK_SECRET, body)
      : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return t
    .call(null, 'POST', '/integrations/github/webhook', body, headers)
    .then((r) => ({ ...r, id }));
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * A stand-in for the GitHub REST API on 127.0.0.1: records every request and
 * answers from a script (201 with a status object when the script is empty).
 */
export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly #script: ScriptedResponse[] = [];
  readonly #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      this.requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const next = this.#script.shift() ?? { status: 201, body: { id: 1 } };
      response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      response.end(JSON.stringify(next.body ?? { message: `HTTP ${next.status}` }));
    });
  });

  static async start(): Promise<FakeGithub> {
    const fake = new FakeGithub();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const address = this.#server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The next requests get these answers, in order. */
  respond(...responses: ScriptedResponse[]): void {
    this.#script.push(...responses);
  }

  /** Status calls for one commit, in the order they arrived. */
  statusesFor(sha: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(`/statuses/${sha}`));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * The example policy, with the examples' repository mapped to the payments service
 * and their author (Codertocat) as Priya's GitHub login, so real payloads need no
 * editing for that; emergency changes keep their approvals on push.
 */
export function githubPolicy(policy: string): string {
  const edits: [string, string][] = [
    [
      '    repositories: [example-corp/payments-api]',
      `    repositories: [example-corp/payments-api, ${EXAMPLE_REPOSITORY}]`,
    ],
    ['    github: priya-s', `    github: ${EXAMPLE_AUTHOR}`],
    [
      '    notifyOutsideWorkingHours: true',
      '    notifyOutsideWorkingHours: true\n    keepApprovalsOnPush: true',
    ],
  ];
  let text = policy;
  for (const [from, to] of edits) {
    if (text.split(from).length !== 2) throw new Error(`"${from}" should occur once in the policy`);
    text = text.replace(from, to);
  }
  return text;
}
