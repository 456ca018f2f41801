import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAnswers, EXAMPLE_POLICY, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import {
  approvalPayload,
  deliver,
  deploymentPayload,
  example,
  EXAMPLE_AUTHOR,
  FakeGithub,
  GITHUB_TOKEN,
  githubPolicy,
  mergePayload,
  pushPayload,
  randomSha,
  sign,
  WEBHOOK_SECRET,
} from './_util/github.js';

let nextPullRequest = 100;
/** Each test its own pull request and head, so tests never see each other's changes. */
function newPullRequest(): { number: number; head: string } {
  nextPullRequest += 1;
  return { number: nextPullRequest, head: randomSha() };
}

describe.each(databaseKinds)('GitHub webhooks on $name', (kind) => {
  let t: TestApp;
  let github: FakeGithub;

  beforeAll(async () => {
    github = await FakeGithub.start();
    t = await startTestApp(kind, {
      policy: githubPolicy(EXAMPLE_POLICY),
      env: {
        GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        GITHUB_TOKEN,
        GITHUB_API_URL: github.url,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await github?.close();
  });

  /** Drafts a change from an approval of a new PR; returns the change JSON and the PR. */
  async function draftFromApproval(pr = newPullRequest()) {
    const res = await deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.outcome).toBe('processed');
    const change = await t.call('kim', 'GET', `/changes/${res.body.changeId}`);
    return { change: change.body, pr, delivery: res };
  }

  async function countChanges(): Promise<number> {
    const list = await t.call('kim', 'GET', '/changes?limit=200');
    return list.body.items.length;
  }

  async function eventsOf(id: string) {
    return (await t.call('kim', 'GET', `/changes/${id}/events`)).body.items;
  }

  async function approveAs(person: string, id: string) {
    const res = await t.call(person, 'POST', `/changes/${id}/approve`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  /** Priya answers the board's questions and submits the draft; Lee approves it. */
  async function approvedChange(pr = newPullRequest()) {
    const { change } = await draftFromApproval(pr);
    const edited = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: change.version,
      answers: completeAnswers(),
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const submitted = await t.call('priya', 'POST', `/changes/${change.id}/submit`);
    expect(submitted.body.state).toBe('pending');
    const approved = await approveAs('lee', change.id);
    expect(approved.state).toBe('approved');
    return { change: approved, pr };
  }

  describe('an approved pull request', () => {
    it('drafts one change with the PR’s title, description, link, service, requester and head', async () => {
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      const res = await deliver(t, 'pull_request_review', payload);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: res.id,
        event: 'pull_request_review',
        action: 'submitted',
        repository: 'Codertocat/Hello-World',
        outcome: 'processed',
        duplicate: false,
        changeId: expect.stringMatching(/^CHG-\d+$/),
      });
      expect(res.body.message).toContain('for priya');

      const change = (await t.call('kim', 'GET', `/changes/${res.body.changeId}`)).body;
      expect(change).toMatchObject({
        state: 'draft',
        title: payload.pull_request.title,
        description: payload.pull_request.body,
        type: 'normal',
        services: ['payments'],
        answers: {},
        requester: 'priya',
        links: [{ title: `PR #${pr.number}`, url: payload.pull_request.html_url }],
        pullRequest: {
          repository: 'codertocat/hello-world',
          number: pr.number,
          url: payload.pull_request.html_url,
          headSha: pr.head,
          mergeSha: null,
          author: EXAMPLE_AUTHOR,
        },
      });

      const [created] = await eventsOf(change.id);
      expect(created).toMatchObject({
        type: 'created',
        actor: 'github',
        data: {
          source: 'github',
          repository: 'codertocat/hello-world',
          number: pr.number,
          url: payload.pull_request.html_url,
          headSha: pr.head,
          author: EXAMPLE_AUTHOR,
          requester: 'priya',
          title: payload.pull_request.title,
        },
      });
    });

    it('lets the requester fill in the answers and submit the draft', async () => {
      const { change } = await approvedChange();
      expect(change.requester).toBe('priya');
      expect(change.decisions.map((d: { person: string }) => d.person)).toEqual(['lee']);
    });
  });

  async function deliveryIds(): Promise<string[]> {
    const res = await t.call('kim', 'GET', '/integrations/github/deliveries?limit=200');
    expect(res.status).toBe(200);
    return res.body.items.map((d: { id: string }) => d.id);
  }

  async function gate(query: string) {
    const res = await t.call('kim', 'GET', `/gate?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }
  const covers = async (sha: string) =>
    (await gate(`repo=Codertocat/Hello-World&sha=${sha}`)).covered as boolean;

  describe('verification', () => {
    it('refuses a delivery without X-Hub-Signature-256 with 401 and stores nothing', async () => {
      const before = await countChanges();
      const pr = newPullRequest();
      const res = await deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head), {
        signature: null,
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(res.body.error.message).toContain('X-Hub-Signature-256 is missing');
      expect(await countChanges()).toBe(before);
      expect(await deliveryIds()).not.toContain(res.id);
    });

    it('refuses another secret’s signature, an altered body and a mangled signature, storing nothing', async () => {
      const before = await countChanges();
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      const body = JSON.stringify(payload);
      const attempts = [
        await deliver(t, 'pull_request_review', payload, { secret: 'not the secret' }),
        await deliver(t, 'pull_request_review', payload, {
          body: body.replace(`"number":${pr.number}`, `"number":${pr.number + 1}`),
          signature: sign(WEBHOOK_SECRET, body),
        }),
        await deliver(t, 'pull_request_review', payload, {
          signature: sign(WEBHOOK_SECRET, body).toUpperCase(),
        }),
        await deliver(t, 'pull_request_review', payload, {
          signature: sign(WEBHOOK_SECRET, body).replace('sha256=', 'sha1='),
        }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(401);
        expect(res.body.error.message).toContain('does not match');
      }
      expect(await countChanges()).toBe(before);
      const recorded = await deliveryIds();
      for (const res of attempts) expect(recorded).not.toContain(res.id);
    });

    it('answers a truncated payload with 400 (401 when the signature was for the whole body), storing nothing', async () => {
      const before = await countChanges();
      const pr = newPullRequest();
      const body = JSON.stringify(approvalPayload(pr.number, pr.head));
      const truncated = body.slice(0, Math.floor(body.length / 2));
      const signedTruncated = await deliver(t, 'pull_request_review', undefined, {
        body: truncated,
      });
      expect(signedTruncated.status).toBe(400);
      expect(signedTruncated.body.error.code).toBe('malformed_json');
      const cutInTransit = await deliver(t, 'pull_request_review', undefined, {
        body: truncated,
        signature: sign(WEBHOOK_SECRET, body),
      });
      expect(cutInTransit.status).toBe(401);
      expect(await countChanges()).toBe(before);
      const recorded = await deliveryIds();
      expect(recorded).not.toContain(signedTruncated.id);
      expect(recorded).not.toContain(cutInTransit.id);
    });

    it('answers a payload that lacks what Changeboard reads with 400, listing each problem', async () => {
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      delete payload.pull_request.head.sha;
      payload.repository.full_name = 42;
      const res = await deliver(t, 'pull_request_review', payload);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([
          { path: 'pull_request.head.sha', message: 'is required' },
          { path: 'repository.full_name', message: 'must be text' },
        ]),
      );
      const notAnObject = await deliver(t, 'pull_request', [1, 2, 3]);
      expect(notAnObject.status).toBe(400);
      expect(await deliveryIds()).not.toContain(res.id);
    });

    it('drafts from an outside contributor’s long title and body without cutting a character in half', async () => {
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      // The emoji (two UTF-16 units) straddles the cut at 200 and at 50,000.
      payload.pull_request.title = `${'t'.repeat(198)}😀 and more words`;
      payload.pull_request.body = `${'b'.repeat(49_998)}👩‍👩‍👧 the rest`;
      const res = await deliver(t, 'pull_request_review', payload);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const change = (await t.call('kim', 'GET', `/changes/${res.body.changeId}`)).body;
      expect(change.title).toBe(`${'t'.repeat(198)}…`);
      expect(change.description).toBe(`${'b'.repeat(49_998)}…`);
      expect((await t.call('kim', 'GET', `/changes/${change.id}/events`)).status).toBe(200);
    });

    it('answers 400 naming the field when what it reads is not valid text', async () => {
      for (const [field, value] of [
        ['title', 'Fix \ud800 retry'],
        ['body', 'Null \u0000 byte'],
      ] as const) {
        const pr = newPullRequest();
        const payload = approvalPayload(pr.number, pr.head);
        payload.pull_request[field] = value;
        const before = await countChanges();
        const res = await deliver(t, 'pull_request_review', payload);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([
          { path: `pull_request.${field}`, message: expect.any(String) },
        ]);
        expect(await countChanges()).toBe(before);
      }
    });

    it('answers 503 and stores nothing while GITHUB_WEBHOOK_SECRET is not set', async () => {
      const bare = await startTestApp(kind);
      try {
        const res = await deliver(bare, 'ping', example('ping'));
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('integration_not_configured');
        expect(
          (await bare.call('kim', 'GET', '/integrations/github/deliveries')).body.items,
        ).toEqual([]);
      } finally {
        await bare.close();
      }
    });

    it('refuses a body over 5 MiB with 413 before reading it', async () => {
      const res = await deliver(t, 'push', undefined, {
        body: `{"x":"${'a'.repeat(6 * 1024 * 1024)}"}`,
      });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(await deliveryIds()).not.toContain(res.id);
    });

    it('refuses a delivery without its delivery id or event name with 400', async () => {
      const res = await t.call(null, 'POST', '/integrations/github/webhook', '{}', {
        'x-hub-signature-256': sign(WEBHOOK_SECRET, '{}'),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
        'headers.x-github-delivery',
        'headers.x-github-event',
      ]);
    });

    it('accepts the form-encoded format GitHub can also send', async () => {
      const pr = newPullRequest();
      const body = `payload=${encodeURIComponent(JSON.stringify(approvalPayload(pr.number, pr.head)))}`;
      const res = await deliver(t, 'pull_request_review', undefined, {
        body,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.outcome).toBe('processed');
    });
  });

  describe('idempotency', () => {
    it('changes nothing when GitHub redelivers (same X-GitHub-Delivery)', async () => {
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      const first = await deliver(t, 'pull_request_review', payload);
      expect(first.body.duplicate).toBe(false);
      const changes = await countChanges();
      const number = Number(first.body.changeId.slice(4));
      const events = await eventsOf(first.body.changeId);
      const outbox = await t.ctx.store.read.outbox.list({ changeId: number, limit: 100 });

      const again = await deliver(t, 'pull_request_review', payload, { id: first.id });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        id: first.id,
        duplicate: true,
        outcome: 'processed',
        changeId: first.body.changeId,
        receivedAt: first.body.receivedAt,
      });
      expect(await countChanges()).toBe(changes);
      expect(await eventsOf(first.body.changeId)).toEqual(events);
      expect(await t.ctx.store.read.outbox.list({ changeId: number, limit: 100 })).toEqual(outbox);
    });

    it('drafts one change when two approvals of a new PR arrive at once', async () => {
      const pr = newPullRequest();
      const [a, b] = await Promise.all([
        deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head)),
        deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head)),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.changeId).toBe(b.body.changeId);
      expect([a.body.outcome, b.body.outcome].sort()).toEqual(['ignored', 'processed']);
    });
  });

  describe('who the draft belongs to', () => {
    it('ignores a repository no service lists, storing the delivery but no change', async () => {
      const before = await countChanges();
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      payload.repository.full_name = 'Codertocat/Unknown-Repository';
      const res = await deliver(t, 'pull_request_review', payload);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'ignored', changeId: null });
      expect(res.body.message).toContain(
        'Codertocat/Unknown-Repository is not a repository of any service',
      );
      expect(await countChanges()).toBe(before);
      expect(await deliveryIds()).toContain(res.id);
    });

    it('leaves the draft of an unknown author unassigned until someone claims it', async () => {
      const pr = newPullRequest();
      const payload = approvalPayload(pr.number, pr.head);
      payload.pull_request.user.login = 'someone-else';
      const res = await deliver(t, 'pull_request_review', payload);
      expect(res.body.message).toContain(
        'unassigned: nobody in the policy has the GitHub login someone-else',
      );
      const id = res.body.changeId;
      const change = (await t.call('kim', 'GET', `/changes/${id}`)).body;
      expect(change).toMatchObject({ requester: null, state: 'draft' });
      expect((await eventsOf(id))[0].data).toMatchObject({
        requester: null,
        author: 'someone-else',
      });

      const unassigned = await t.call('kim', 'GET', '/changes?unassigned=true&limit=200');
      expect(unassigned.body.items.map((c: { id: string }) => c.id)).toContain(id);
      expect(
        unassigned.body.items.every((c: { requester: string | null }) => c.requester === null),
      ).toBe(true);
      const assigned = await t.call('kim', 'GET', '/changes?unassigned=false&limit=200');
      expect(assigned.body.items.map((c: { id: string }) => c.id)).not.toContain(id);

      const submit = await t.call('priya', 'POST', `/changes/${id}/submit`);
      expect(submit.status).toBe(403);
      expect(submit.body.error.message).toContain('is unassigned: claim it first');
      expect((await t.call(null, 'POST', `/changes/${id}/claim`)).status).toBe(401);

      const claimed = await t.call('lee', 'POST', `/changes/${id}/claim`, {
        version: change.version,
      });
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({ requester: 'lee', version: change.version + 1 });
      const late = await t.call('kim', 'POST', `/changes/${id}/claim`);
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('already_claimed');
      expect((await eventsOf(id)).at(-1)).toMatchObject({
        type: 'edited',
        actor: 'lee',
        data: { changes: { requester: { from: null, to: 'lee' } }, reason: 'claimed' },
      });

      // Lee now owns it like any draft: answers, submits; Priya (payments-owners) can approve it.
      await t.call('lee', 'PATCH', `/changes/${id}`, {
        version: claimed.body.version,
        answers: completeAnswers(),
      });
      expect((await t.call('lee', 'POST', `/changes/${id}/submit`)).body.state).toBe('pending');
      expect((await approveAs('priya', id)).state).toBe('approved');
    });

    it('refuses to claim a change that is not a draft', async () => {
      const { change } = await approvedChange();
      const res = await t.call('kim', 'POST', `/changes/${change.id}/claim`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('already_claimed');
    });
  });

  describe('approvals and pushes', () => {
    it('updates the same draft on a second approval, never drafting another', async () => {
      const { change, pr } = await draftFromApproval();
      const same = await deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head));
      expect(same.body).toMatchObject({ outcome: 'ignored', changeId: change.id });
      expect(same.body.message).toContain(`${change.id} was already drafted`);

      const newHead = randomSha();
      const later = await deliver(t, 'pull_request_review', approvalPayload(pr.number, newHead));
      expect(later.body).toMatchObject({ outcome: 'processed', changeId: change.id });
      const updated = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
      expect(updated).toMatchObject({
        state: 'draft',
        version: change.version + 1,
        pullRequest: { headSha: newHead },
      });
      expect((await eventsOf(change.id)).at(-1)).toMatchObject({
        type: 'edited',
        actor: 'github',
        data: { changes: { headSha: { from: pr.head, to: newHead } } },
      });
      const all = await t.call('kim', 'GET', '/changes?limit=200');
      const forThisPr = all.body.items.filter(
        (c: { pullRequest: { number: number } | null }) => c.pullRequest?.number === pr.number,
      );
      expect(forThisPr).toHaveLength(1);
    });

    it('sends an approved change back to pending when new commits are pushed', async () => {
      const { change, pr } = await approvedChange();
      expect(await covers(pr.head)).toBe(true);
      const newHead = randomSha();
      const res = await deliver(t, 'pull_request', pushPayload(pr.number, pr.head, newHead));
      expect(res.body).toMatchObject({ outcome: 'processed', changeId: change.id });

      const after = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
      expect(after).toMatchObject({
        state: 'pending',
        decisions: [],
        pullRequest: { headSha: newHead },
        waitingFor: ['lee'],
      });
      expect((await eventsOf(change.id)).slice(-2)).toMatchObject([
        {
          type: 'edited',
          actor: 'github',
          data: { changes: { headSha: { from: pr.head, to: newHead } } },
        },
        {
          type: 'approvals-withdrawn',
          actor: 'github',
          data: {
            withdrawn: ['lee'],
            reason: expect.stringContaining(`new commits were pushed to PR #${pr.number}`),
          },
        },
      ]);
      // The approval covered the old head only; the new head needs a new one.
      expect(await covers(pr.head)).toBe(false);
      expect(await covers(newHead)).toBe(false);
      expect((await approveAs('lee', change.id)).state).toBe('approved');
      expect(await covers(newHead)).toBe(true);
    });

    it('keeps the approvals of a type with keepApprovalsOnPush', async () => {
      const { change: draft, pr } = await draftFromApproval();
      const edited = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
        version: draft.version,
        type: 'emergency',
        answers: completeAnswers(),
      });
      expect(edited.status).toBe(200);
      await t.call('priya', 'POST', `/changes/${draft.id}/submit`);
      for (const person of ['lee', 'tom', 'sam']) await approveAs(person, draft.id);
      const newHead = randomSha();
      const res = await deliver(t, 'pull_request', pushPayload(pr.number, pr.head, newHead));
      expect(res.body.message).toContain('keeps its approvals');

      const after = (await t.call('kim', 'GET', `/changes/${draft.id}`)).body;
      expect(after.state).toBe('approved');
      expect(after.decisions.map((d: { person: string }) => d.person)).toEqual([
        'lee',
        'tom',
        'sam',
      ]);
      expect(after.pullRequest.headSha).toBe(newHead);
      expect((await eventsOf(draft.id)).at(-1)).toMatchObject({ type: 'edited', actor: 'github' });
      expect(await covers(newHead)).toBe(true);
    });

    it('moves a draft’s head on a push, and ignores a push to a PR without a change', async () => {
      const { change, pr } = await draftFromApproval();
      const newHead = randomSha();
      await deliver(t, 'pull_request', pushPayload(pr.number, pr.head, newHead));
      const after = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
      expect(after).toMatchObject({ state: 'draft', pullRequest: { headSha: newHead } });

      const other = newPullRequest();
      const res = await deliver(
        t,
        'pull_request',
        pushPayload(other.number, randomSha(), other.head),
      );
      expect(res.body).toMatchObject({ outcome: 'ignored', changeId: null });
    });

    it('leaves a change being implemented alone: the new commits are simply not covered', async () => {
      const { change, pr } = await approvedChange();
      await t.call('priya', 'POST', `/changes/${change.id}/start`);
      const newHead = randomSha();
      const res = await deliver(t, 'pull_request', pushPayload(pr.number, pr.head, newHead));
      expect(res.body.outcome).toBe('ignored');
      expect(res.body.message).toContain('is in progress');
      expect(await covers(pr.head)).toBe(true);
      expect(await covers(newHead)).toBe(false);
    });

    it('covers the merge commit of a merged pull request', async () => {
      const { change, pr } = await approvedChange();
      const mergeSha = randomSha();
      const res = await deliver(t, 'pull_request', mergePayload(pr.number, pr.head, mergeSha));
      expect(res.body).toMatchObject({ outcome: 'processed', changeId: change.id });
      const after = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
      expect(after.pullRequest).toMatchObject({ headSha: pr.head, mergeSha });
      expect(await covers(mergeSha)).toBe(true);

      const unmerged = example('pull_request', 'closed');
      expect(unmerged.pull_request.merged).toBe(false);
      const closed = await deliver(t, 'pull_request', unmerged);
      expect(closed.body).toMatchObject({
        outcome: 'ignored',
        message: 'a pull request closed without merging',
      });
    });

    it('does not let a merge of unapproved commits ride on an older approval', async () => {
      const { change, pr } = await approvedChange();
      const pushedHead = randomSha();
      const mergeSha = randomSha();
      await deliver(t, 'pull_request', mergePayload(pr.number, pushedHead, mergeSha));
      const after = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
      expect(after).toMatchObject({
        state: 'pending',
        pullRequest: { headSha: pushedHead, mergeSha },
      });
      expect(await covers(mergeSha)).toBe(false);
    });

    it('starts a new draft when the PR is approved again after its change was rejected', async () => {
      const { change, pr } = await draftFromApproval();
      await t.call('priya', 'PATCH', `/changes/${change.id}`, {
        version: change.version,
        answers: completeAnswers(),
      });
      await t.call('priya', 'POST', `/changes/${change.id}/submit`);
      const rejected = await t.call('lee', 'POST', `/changes/${change.id}/reject`, {
        comment: 'Not this week',
      });
      expect(rejected.body.state).toBe('rejected');
      const again = await deliver(t, 'pull_request_review', approvalPayload(pr.number, pr.head));
      expect(again.body.outcome).toBe('processed');
      expect(again.body.changeId).not.toBe(change.id);
    });
  });

  describe('deployment statuses', () => {
    it('start, then complete an approved change', async () => {
      const { change, pr } = await approvedChange();
      const started = await deliver(
        t,
        'deployment_status',
        deploymentPayload(pr.head, 'in_progress'),
      );
      expect(started.body).toMatchObject({ outcome: 'processed', changeId: change.id });
      expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('in_progress');
      const done = await deliver(t, 'deployment_status', deploymentPayload(pr.head, 'success'));
      expect(done.body.outcome).toBe('processed');
      expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('completed');
      const events = (await eventsOf(change.id)).slice(-2);
      expect(events).toMatchObject([
        {
          type: 'started',
          actor: 'github',
          data: { from: 'approved', comment: expect.stringContaining('in progress') },
        },
        {
          type: 'completed',
          actor: 'github',
          data: { from: 'in_progress', comment: expect.stringContaining('to production: success') },
        },
      ]);
    });

    it('complete an approved change at once on success, and fail one on failure', async () => {
      const first = await approvedChange();
      await deliver(t, 'deployment_status', deploymentPayload(first.pr.head, 'success'));
      expect(
        (await eventsOf(first.change.id)).slice(-2).map((e: { type: string }) => e.type),
      ).toEqual(['started', 'completed']);

      const second = await approvedChange();
      const failed = await deliver(
        t,
        'deployment_status',
        deploymentPayload(second.pr.head, 'failure'),
      );
      expect(failed.body.message).toContain('is failed');
      expect((await t.call('kim', 'GET', `/changes/${second.change.id}`)).body.state).toBe(
        'failed',
      );
    });

    it('count only deployments that release the change: production, by name or GitHub’s mark', async () => {
      const { change, pr } = await approvedChange();
      for (const environment of ['staging', 'preview-812']) {
        const res = await deliver(
          t,
          'deployment_status',
          deploymentPayload(pr.head, 'success', { environment }),
        );
        expect(res.body).toMatchObject({ outcome: 'ignored', changeId: change.id });
        expect(res.body.message).toContain(
          `a deployment to ${environment} does not release ${change.id}: payments is released by deployments to production`,
        );
      }
      expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('approved');
      expect((await eventsOf(change.id)).at(-1).type).toBe('approved');

      const marked = await deliver(
        t,
        'deployment_status',
        deploymentPayload(pr.head, 'success', { environment: 'live', production: true }),
      );
      expect(marked.body).toMatchObject({ outcome: 'processed', changeId: change.id });
      expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('completed');
    });

    it('ignore a staging deployment of a change that is not approved yet, without a note', async () => {
      const { change, pr } = await draftFromApproval();
      const before = (await eventsOf(change.id)).length;
      const res = await deliver(
        t,
        'deployment_status',
        deploymentPayload(pr.head, 'success', { environment: 'staging' }),
      );
      expect(res.body.outcome).toBe('ignored');
      expect(await eventsOf(change.id)).toHaveLength(before);
    });

    it('note a deployment of a commit whose change is not approved, without moving it', async () => {
      const { change, pr } = await draftFromApproval();
      const res = await deliver(t, 'deployment_status', deploymentPayload(pr.head, 'success'));
      expect(res.body.message).toContain('not approved');
      expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('draft');
      expect((await eventsOf(change.id)).at(-1)).toMatchObject({
        type: 'commented',
        actor: 'github',
        data: { body: expect.stringContaining('while this change is draft: it is not approved') },
      });
    });

    it('ignore commits no change covers and states that move nothing', async () => {
      const unknown = await deliver(
        t,
        'deployment_status',
        deploymentPayload(randomSha(), 'success'),
      );
      expect(unknown.body).toMatchObject({ outcome: 'ignored' });
      expect(unknown.body.message).toContain('no change covers Codertocat/Hello-World@');
      const { pr } = await approvedChange();
      const queued = await deliver(t, 'deployment_status', deploymentPayload(pr.head, 'queued'));
      expect(queued.body).toMatchObject({ outcome: 'ignored' });
    });

    it('are refused inside a freeze, recorded with the reason', async () => {
      const { change, pr } = await approvedChange();
      const saved = t.clock.now();
      t.clock.set('2026-12-24T10:00:00Z');
      try {
        const res = await deliver(t, 'deployment_status', deploymentPayload(pr.head, 'success'));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ outcome: 'refused', changeId: null });
        expect(res.body.message).toContain('"Year-end freeze" is in force');
        expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.state).toBe('approved');
        const again = await deliver(t, 'deployment_status', deploymentPayload(pr.head, 'success'), {
          id: res.id,
        });
        expect(again.body).toMatchObject({ duplicate: true, outcome: 'refused' });
      } finally {
        t.clock.set(saved);
      }
    });
  });

  describe('events Changeboard does not act on', () => {
    it('are acknowledged, recorded and ignored', async () => {
      const cases: [string, unknown, string][] = [
        ['ping', example('ping'), 'ping'],
        ['issues', example('issues', 'opened'), 'does not act on issues (opened)'],
        [
          'pull_request',
          example('pull_request', 'labeled'),
          'does not act on pull_request (labeled)',
        ],
        [
          'pull_request_review',
          example('pull_request_review', 'submitted'),
          'a review that is commented, not an approval',
        ],
        [
          'pull_request_review',
          example('pull_request_review', 'dismissed'),
          'does not act on pull_request_review (dismissed)',
        ],
      ];
      for (const [event, payload, message] of cases) {
        const res = await deliver(t, event, payload);
        expect(res.status, event).toBe(200);
        expect(res.body.outcome, event).toBe('ignored');
        expect(res.body.message, event).toContain(message);
      }
    });
  });

  describe('the deliveries API', () => {
    it('lists deliveries newest first with their outcome, to signed-in people', async () => {
      const saved = t.clock.now();
      try {
        // Later than anything other tests received (so theirs are forgotten, and ours are the newest).
        t.clock.set('2027-03-01T10:00:00Z');
        const first = await deliver(t, 'ping', example('ping'));
        t.clock.advance(60_000);
        const ping = await deliver(t, 'ping', example('ping'));
        t.clock.advance(60_000);
        const pr = newPullRequest();
        const approval = await deliver(
          t,
          'pull_request_review',
          approvalPayload(pr.number, pr.head),
        );
        const page = await t.call('tom', 'GET', '/integrations/github/deliveries?limit=2');
        expect(page.status).toBe(200);
        expect(page.body.items).toMatchObject([
          {
            id: approval.id,
            event: 'pull_request_review',
            action: 'submitted',
            repository: 'Codertocat/Hello-World',
            outcome: 'processed',
            changeId: approval.body.changeId,
            receivedAt: '2027-03-01T10:02:00.000Z',
          },
          { id: ping.id, event: 'ping', action: null, outcome: 'ignored', changeId: null },
        ]);
        const next = await t.call(
          'tom',
          'GET',
          `/integrations/github/deliveries?limit=2&cursor=${page.body.nextCursor}`,
        );
        expect(next.body).toMatchObject({ items: [{ id: first.id }], nextCursor: null });
      } finally {
        t.clock.set(saved);
      }
      expect((await t.call(null, 'GET', '/integrations/github/deliveries')).status).toBe(401);
      const bad = await t.call('tom', 'GET', '/integrations/github/deliveries?cursor=nope');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].path).toBe('query.cursor');
    });

    it('forgets a delivery after 30 days', async () => {
      const saved = t.clock.now();
      try {
        const old = await deliver(t, 'ping', example('ping'));
        expect(await deliveryIds()).toContain(old.id);
        t.clock.advance(31 * 24 * 3_600_000);
        await deliver(t, 'ping', example('ping'));
        expect(await deliveryIds()).not.toContain(old.id);
      } finally {
        t.clock.set(saved);
      }
    });
  });
});
