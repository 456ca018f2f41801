import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeAnswers,
  EXAMPLE_POLICY,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { runCli, spawnCli } from './_util/cli.js';
import { databaseKinds } from './_util/databases.js';
import {
  approvalPayload,
  deliver,
  githubPolicy,
  randomSha,
  WEBHOOK_SECRET,
} from './_util/github.js';

const REPO = 'Codertocat/Hello-World';
let nextPullRequest = 900;

describe.each(databaseKinds)('the pipeline gate on $name', (kind) => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp(kind, {
      policy: githubPolicy(EXAMPLE_POLICY),
      env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
    url = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A change drafted from a PR and submitted by Priya: pending until Lee approves. */
  async function pendingPullRequestChange() {
    nextPullRequest += 1;
    const sha = randomSha();
    const res = await deliver(t, 'pull_request_review', approvalPayload(nextPullRequest, sha));
    const id: string = res.body.changeId;
    const draft = (await t.call('priya', 'GET', `/changes/${id}`)).body;
    await t.call('priya', 'PATCH', `/changes/${id}`, {
      version: draft.version,
      answers: completeAnswers(),
    });
    expect((await t.call('priya', 'POST', `/changes/${id}/submit`)).body.state).toBe('pending');
    return { id, sha };
  }

  const approve = async (id: string) =>
    expect((await t.call('lee', 'POST', `/changes/${id}/approve`)).body.state).toBe('approved');

  const gate = (args: string[], person = 'kim') =>
    runCli(['gate', ...args], { CHANGEBOARD_URL: url, CHANGEBOARD_TOKEN: t.tokens[person]! });

  describe('GET /api/v1/gate', () => {
    it('answers for a commit: not covered while pending, covered once approved', async () => {
      const { id, sha } = await pendingPullRequestChange();
      const pending = await t.call('tom', 'GET', `/gate?repo=${REPO}&sha=${sha}`);
      expect(pending.status).toBe(200);
      expect(pending.body).toMatchObject({
        covered: false,
        final: false,
        reason: `${id} is pending, waiting for lee`,
        change: { id, state: 'pending', url: `http://changeboard.test/changes/${id}` },
      });
      await approve(id);
      const approved = await t.call(
        'tom',
        'GET',
        `/gate?repo=${REPO.toLowerCase()}&sha=${sha.toUpperCase()}`,
      );
      expect(approved.body).toMatchObject({
        covered: true,
        final: true,
        reason: `${id} is approved`,
      });
    });

    it('answers for a commit no change covers, and for a change by id', async () => {
      const none = await t.call('tom', 'GET', `/gate?repo=${REPO}&sha=${'f'.repeat(40)}`);
      expect(none.body).toEqual({
        covered: false,
        final: false,
        reason: `no change covers ${REPO}@fffffff yet`,
        freeze: null,
        change: null,
      });
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      const byId = await t.call('tom', 'GET', `/gate?change=${change.id}`);
      expect(byId.body).toMatchObject({ covered: true, change: { id: change.id } });
    });

    it('refuses an approved change inside a freeze that does not allow its type, until it ends', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      expect(change.state).toBe('approved');
      const before = t.clock.now();
      try {
        t.clock.set('2026-12-21T09:00:00Z'); // the example's Year-end freeze allows only emergencies
        const frozen = await t.call('tom', 'GET', `/gate?change=${change.id}`);
        expect(frozen.body).toMatchObject({
          covered: false,
          final: false,
          reason: `${change.id} is approved, but the freeze "Year-end freeze" is on until 2027-01-04T00:00:00.000Z and does not allow standard changes`,
          freeze: {
            name: 'Year-end freeze',
            from: '2026-12-19T00:00:00.000Z',
            to: '2027-01-04T00:00:00.000Z',
          },
        });
        const cli = await gate(['--change', change.id]);
        expect(cli.code).toBe(1);
        expect(cli.stdout).toContain('the freeze "Year-end freeze" is on');
        t.clock.set('2027-01-04T00:00:00Z');
        expect((await t.call('tom', 'GET', `/gate?change=${change.id}`)).body).toMatchObject({
          covered: true,
          freeze: null,
        });
      } finally {
        t.clock.set(before);
      }
    });

    it('refuses an approved change inside an occurrence of a recurring freeze, on London time', async () => {
      const change = await submittedChange(t, 'priya');
      await approve(change.id);
      const before = t.clock.now();
      try {
        // The example's Friday afternoons begin at 15:00 London: 14:00Z in summer time.
        t.clock.set('2026-10-23T13:59:00Z');
        expect((await t.call('tom', 'GET', `/gate?change=${change.id}`)).body).toMatchObject({
          covered: true,
          freeze: null,
        });
        t.clock.set('2026-10-23T14:30:00Z');
        const frozen = await t.call('tom', 'GET', `/gate?change=${change.id}`);
        expect(frozen.body).toMatchObject({
          covered: false,
          final: false,
          reason: `${change.id} is approved, but the freeze "Friday afternoons" is on until 2026-10-23T23:00:00.000Z and does not allow normal changes`,
          freeze: {
            name: 'Friday afternoons',
            from: '2026-10-23T14:00:00.000Z',
            to: '2026-10-23T23:00:00.000Z',
          },
        });
        const cli = await gate(['--change', change.id]);
        expect(cli.code).toBe(1);
        expect(cli.stdout).toContain('the freeze "Friday afternoons" is on');
        t.clock.set('2026-10-23T23:00:00Z');
        expect((await t.call('tom', 'GET', `/gate?change=${change.id}`)).body).toMatchObject({
          covered: true,
          freeze: null,
        });
      } finally {
        t.clock.set(before);
      }
    });

    it('says when waiting cannot help: rejected', async () => {
      const change = await submittedChange(t, 'priya');
      await t.call('lee', 'POST', `/changes/${change.id}/reject`, { comment: 'Not now' });
      const res = await t.call('tom', 'GET', `/gate?change=${change.id}`);
      expect(res.body).toMatchObject({
        covered: false,
        final: true,
        reason: `${change.id} is rejected`,
      });
    });

    it('refuses a question that names neither or both, or a malformed one; 404s an unknown change; needs a token', async () => {
      const neither = await t.call('tom', 'GET', '/gate');
      expect(neither.status).toBe(400);
      expect(neither.body.error.details.map((d: { path: string }) => d.path)).toEqual([
        'query.repo',
        'query.sha',
      ]);
      const both = await t.call(
        'tom',
        'GET',
        `/gate?change=CHG-1&repo=${REPO}&sha=${'a'.repeat(40)}`,
      );
      expect(both.status).toBe(400);
      const short = await t.call('tom', 'GET', `/gate?repo=${REPO}&sha=abc1234`);
      expect(short.status).toBe(400);
      expect(short.body.error.details[0].path).toBe('query.sha');
      expect((await t.call('tom', 'GET', '/gate?change=CHG-999999')).status).toBe(404);
      expect((await t.call(null, 'GET', '/gate?change=CHG-1')).status).toBe(401);
    });
  });

  describe('changeboard gate (a real process)', () => {
    it('exits 0 for an approved commit and prints the change’s link', async () => {
      const { id, sha } = await pendingPullRequestChange();
      await approve(id);
      const result = await gate(['--repo', REPO, '--sha', sha]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(
        `approved: ${id} is approved http://changeboard.test/changes/${id}`,
      );
    });

    it('exits 1 for a pending change, a rejected one, and a commit nothing covers', async () => {
      const { id, sha } = await pendingPullRequestChange();
      const pending = await gate(['--repo', REPO, '--sha', sha]);
      expect(pending.code).toBe(1);
      expect(pending.stdout).toContain(`not approved: ${id} is pending, waiting for lee`);

      const rejected = await submittedChange(t, 'priya');
      await t.call('lee', 'POST', `/changes/${rejected.id}/reject`, { comment: 'No' });
      const refused = await gate(['--change', rejected.id, '--wait']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(`${rejected.id} is rejected`);

      const none = await gate(['--repo', REPO, '--sha', randomSha(), '--json']);
      expect(none.code).toBe(1);
      expect(JSON.parse(none.stdout)).toMatchObject({ covered: false, change: null });
    });

    it('with --wait, exits 0 as soon as the change is approved', async () => {
      const { id, sha } = await pendingPullRequestChange();
      const waiting = spawnCli(
        ['gate', '--repo', REPO, '--sha', sha, '--wait', '--timeout', '20s', '--interval', '1s'],
        { CHANGEBOARD_URL: url, CHANGEBOARD_TOKEN: t.tokens.kim! },
      );
      // Approve only once it is really waiting: on a busy machine the process takes a while to start.
      await waiting.waitForOutput(`waiting: ${id} is pending, waiting for lee`);
      await approve(id);
      const result = await waiting.result;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`waiting: ${id} is pending, waiting for lee`);
      expect(result.stdout).toContain(`approved: ${id} is approved`);
    });

    it('with --wait, exits 3 when the timeout passes, not before', async () => {
      const { id } = await pendingPullRequestChange();
      const started = Date.now();
      const result = await gate(['--change', id, '--wait', '--timeout', '3s', '--interval', '1s']);
      expect(result.code).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.stdout).toContain(`timed out after 3s: ${id} is pending`);
    });

    it('exits 2 for a question that names neither a commit nor a change, and 1 without a valid token', async () => {
      const usage = await gate(['--repo', REPO]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('name a commit (--repo OWNER/NAME --sha SHA) or a change');
      const badTimeout = await gate(['--change', 'CHG-1', '--wait', '--timeout', 'soon']);
      expect(badTimeout.code).toBe(2);
      const unauthenticated = await runCli(['gate', '--change', 'CHG-1'], {
        CHANGEBOARD_URL: url,
        CHANGEBOARD_TOKEN: 'cb_wrong',
      });
      expect(unauthenticated.code).toBe(1);
      expect(unauthenticated.stderr).toContain('unauthenticated');
    });
  });

  describe('changeboard change … with an unassigned draft (a real process)', () => {
    it('lists and shows it as unassigned, and claims it', async () => {
      nextPullRequest += 1;
      const payload = approvalPayload(nextPullRequest, randomSha());
      payload.pull_request.user.login = 'someone-else';
      const id: string = (await deliver(t, 'pull_request_review', payload)).body.changeId;
      const cli = (args: string[], person: string) =>
        runCli(['change', ...args], { CHANGEBOARD_URL: url, CHANGEBOARD_TOKEN: t.tokens[person]! });

      const listed = await cli(['list', '--unassigned'], 'kim');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(
        new RegExp(`${id}\\s+draft\\s+normal\\s+payments\\s+\\(unassigned\\)`),
      );
      const shown = await cli(['show', id], 'kim');
      expect(shown.stdout).toContain(
        `requester: unassigned (claim it: changeboard change claim ${id})`,
      );
      expect(shown.stdout).toContain(
        `pull req:  codertocat/hello-world#${nextPullRequest} by @someone-else`,
      );
      expect(shown.stdout).toMatch(
        /github\s+drafted from pull request codertocat\/hello-world#\d+ by @someone-else/,
      );

      const claimed = await cli(['claim', id], 'ana');
      expect(claimed.code, claimed.stderr).toBe(0);
      expect(claimed.stdout).toContain('requester: ana');
      const again = await cli(['claim', id], 'kim');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already_claimed');
    });
  });
});
