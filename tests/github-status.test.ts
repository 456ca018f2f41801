import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAnswers, EXAMPLE_POLICY, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import {
  approvalPayload,
  deliver,
  FakeGithub,
  GITHUB_TOKEN,
  githubPolicy,
  pushPayload,
  randomSha,
  WEBHOOK_SECRET,
} from './_util/github.js';

let nextPullRequest = 500;

describe.each(databaseKinds)('commit statuses on GitHub, on $name', (kind) => {
  let t: TestApp;
  let github: FakeGithub;

  beforeAll(async () => {
    github = await FakeGithub.start();
    t = await startTestApp(kind, {
      policy: githubPolicy(EXAMPLE_POLICY),
      env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, GITHUB_TOKEN, GITHUB_API_URL: github.url },
    });
  });
  afterAll(async () => {
    await t?.close();
    await github?.close();
  });

  /** Delivers everything due now, as the running dispatcher would. */
  async function drain(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) return;
    }
  }

  async function draft() {
    nextPullRequest += 1;
    const pr = { number: nextPullRequest, head: randomSha() };
    const res = await deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head));
    expect(res.body.outcome).toBe('processed');
    const change = (await t.call('kim', 'GET', `/changes/${res.body.changeId}`)).body;
    return { change, pr };
  }

  async function submit(change: { id: string; version: number }) {
    await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: change.version,
      answers: completeAnswers(),
    });
    const res = await t.call('priya', 'POST', `/changes/${change.id}/submit`);
    expect(res.body.state).toBe('pending');
  }

  const states = (sha: string) =>
    github.statusesFor(sha).map((r) => (r.body as { state: string }).state);

  /** The change's commit-status deliveries (its notifications are in the outbox too). */
  async function outboxOf(changeId: string) {
    const messages = await t.ctx.store.read.outbox.list({
      changeId: Number(changeId.slice(4)),
      limit: 50,
    });
    return messages.filter((m) => m.kind === 'github-status');
  }

  it('is pending on the head while the change is a draft or pending, success once approved', async () => {
    await drain();
    const { change, pr } = await draft();
    await drain();
    const [first] = github.statusesFor(pr.head);
    expect(first).toMatchObject({
      method: 'POST',
      path: `/repos/codertocat/hello-world/statuses/${pr.head}`,
      body: {
        state: 'pending',
        context: 'changeboard/approval',
        target_url: `http://changeboard.test/changes/${change.id}`,
        description: `${change.id} is a draft: answer its questions and submit it`,
      },
    });
    expect(first!.headers.authorization).toBe(`token ${GITHUB_TOKEN}`);
    expect(first!.headers['user-agent']).toContain('changeboard');

    await submit(change);
    await drain();
    expect(states(pr.head)).toEqual(['pending', 'pending']);
    expect(github.statusesFor(pr.head).at(-1)!.body.description).toBe(
      `${change.id} is waiting for approval`,
    );
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await drain();
    expect(states(pr.head)).toEqual(['pending', 'pending', 'success']);
    expect(github.statusesFor(pr.head).at(-1)!.body.description).toBe(`${change.id} is approved`);
    expect((await outboxOf(change.id)).every((m) => m.status === 'sent')).toBe(true);
  });

  it('is failure once the change is rejected or withdrawn', async () => {
    const rejected = await draft();
    await submit(rejected.change);
    await t.call('lee', 'POST', `/changes/${rejected.change.id}/reject`, { comment: 'No' });
    const withdrawn = await draft();
    await drain();
    await t.call('priya', 'POST', `/changes/${withdrawn.change.id}/withdraw`);
    await drain();
    expect(states(rejected.pr.head).at(-1)).toBe('failure');
    expect(states(withdrawn.pr.head)).toEqual(['pending', 'failure']);
    expect(github.statusesFor(withdrawn.pr.head).at(-1)!.body.description).toBe(
      `${withdrawn.change.id} was withdrawn`,
    );
  });

  it('moves to the new head after a push: pending there until approved again', async () => {
    const { change, pr } = await draft();
    await submit(change);
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await drain();
    // Delivered after the approval, all three say what is true by then.
    expect(states(pr.head)).toEqual(['success', 'success', 'success']);
    const newHead = randomSha();
    await deliver(t, 'pull_request', pushPayload(pr.number, pr.head, newHead));
    await drain();
    expect(states(pr.head)).toHaveLength(3);
    expect(states(newHead)).toEqual(['pending']);
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await drain();
    expect(states(newHead)).toEqual(['pending', 'success']);
  });

  it('sends nothing for comments or implementation steps, which do not change the status', async () => {
    const { change, pr } = await draft();
    await submit(change);
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await drain();
    const before = github.statusesFor(pr.head).length;
    await t.call('kim', 'POST', `/changes/${change.id}/comments`, { body: 'Looks fine' });
    await t.call('priya', 'POST', `/changes/${change.id}/start`);
    await drain();
    expect(github.statusesFor(pr.head)).toHaveLength(before);
  });

  it('retries after Retry-After on 429, and after the reset on a 403 rate limit', async () => {
    await drain();
    const { change, pr } = await draft();
    const now = t.clock.now();
    github.respond({ status: 429, headers: { 'retry-after': '120' } });
    await drain();
    let [message] = await outboxOf(change.id);
    expect(message).toMatchObject({ status: 'failed', attempts: 1 });
    expect(message!.lastError).toContain('429');
    expect(message!.nextAttemptAt).toBe(new Date(now.getTime() + 120_000).toISOString());

    t.clock.advance(120_000);
    const reset = Math.floor(t.clock.now().getTime() / 1000) + 60;
    github.respond({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded' },
    });
    await drain();
    [message] = await outboxOf(change.id);
    expect(message).toMatchObject({ status: 'failed', attempts: 2 });
    expect(message!.nextAttemptAt).toBe(new Date(reset * 1000).toISOString());

    t.clock.advance(60_000);
    await drain();
    [message] = await outboxOf(change.id);
    expect(message).toMatchObject({ status: 'sent', attempts: 3 });
    expect(states(pr.head)).toEqual(['pending', 'pending', 'pending']);
  });

  it('gives up at once on a 4xx such as 422 (no such commit), and retries a 5xx', async () => {
    await drain();
    const gone = await draft();
    github.respond({ status: 422, body: { message: 'No commit found for SHA' } });
    await drain();
    const [dead] = await outboxOf(gone.change.id);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead!.lastError).toContain('HTTP 422');

    const flaky = await draft();
    github.respond({ status: 502 });
    await drain();
    const [failed] = await outboxOf(flaky.change.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('never rolls GitHub back to an older state when an earlier attempt is retried late', async () => {
    await drain();
    const { change, pr } = await draft();
    github.respond({ status: 500 });
    await drain(); // the draft's "pending" fails and waits for its retry
    await submit(change);
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await drain(); // "pending" (submit) and "success" (approval) go out
    expect(states(pr.head).at(-1)).toBe('success');
    t.clock.advance(24 * 3_600_000);
    await drain(); // the first message, retried: it says what is true now
    expect(states(pr.head).at(-1)).toBe('success');
    expect((await outboxOf(change.id)).every((m) => m.status === 'sent')).toBe(true);
  });
});

describe.each(databaseKinds)('commit statuses without GITHUB_TOKEN, on $name', (kind) => {
  it('are stored dead with the reason, and nothing is sent', async () => {
    const github = await FakeGithub.start();
    const t = await startTestApp(kind, {
      policy: githubPolicy(EXAMPLE_POLICY),
      env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, GITHUB_API_URL: github.url },
    });
    try {
      const res = await deliver(t, 'pull_request_review', approvalPayload(7, randomSha()));
      expect(res.body.outcome).toBe('processed');
      await t.ctx.dispatcher.runOnce();
      const [message] = (await t.ctx.store.read.outbox.list({ limit: 10 })).filter(
        (m) => m.kind === 'github-status',
      );
      expect(message).toMatchObject({ kind: 'github-status', status: 'dead' });
      expect(message!.lastError).toContain('GITHUB_TOKEN is not set');
      expect(github.requests).toEqual([]);
    } finally {
      await t.close();
      await github.close();
    }
  });
});
