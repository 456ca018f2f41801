import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/app/tokens.js';
import { readConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import {
  completeAnswers,
  EXAMPLE_POLICY,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { startServer, type RunningServer } from './_util/cli.js';
import { databaseKinds, postgres } from './_util/databases.js';

/**
 * "Run it like a service": a new policy applied while Changeboard runs. The
 * example asks for payments-owners, and change-managers when the risk is high;
 * the new one also asks security of high-risk normal changes.
 */
const NORMAL_HIGH_RISK = `      - from: change-managers
        count: 1
        when: { risk: high }
`;
const STRICTER = EXAMPLE_POLICY.replace(
  NORMAL_HIGH_RISK,
  `${NORMAL_HIGH_RISK}      - from: security
        count: 1
        when: { risk: high }
`,
);

describe.each(databaseKinds)('applying a policy on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    expect(STRICTER).not.toBe(EXAMPLE_POLICY);
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const apply = (who: string, source: string) => t.call(who, 'POST', '/policy', { source });
  const hashNow = async () => (await t.call('priya', 'GET', '/policy')).body.hash as string;

  it('refuses an invalid policy with every problem, and the running one stays', async () => {
    const before = await hashNow();
    const broken = EXAMPLE_POLICY.replace('from: change-managers', 'from: change-managerz').replace(
      'remindAfter: 4h',
      'remindAfter: 4 hours',
    );
    const refused = await apply('dev', broken);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_input');
    expect(refused.body.error.message).toMatch(/2 problem\(s\); the policy in force stays/);
    expect(refused.body.error.details).toEqual(
      expect.arrayContaining([
        {
          path: 'changeTypes.normal.approvals[1].from',
          message: expect.stringMatching(
            /^line \d+:\d+: unknown group "change-managerz" \(did you mean "change-managers"\?\)$/,
          ),
        },
        expect.objectContaining({ path: 'changeTypes.normal.remindAfter' }),
      ]),
    );
    expect(await hashNow()).toBe(before);
    const history = await t.call('priya', 'GET', '/policy/history');
    expect(history.body.items.map((i: { appliedBy: string | null }) => i.appliedBy)).toEqual([
      null,
    ]);
  });

  it('refuses a policy that would read environment variables the policy in force does not', async () => {
    const leaky = EXAMPLE_POLICY.replace(
      'url: ${AUDIT_WEBHOOK_URL}',
      'url: https://collector.example.com/x?k=${SESSION_SECRET}',
    );
    expect(leaky).not.toBe(EXAMPLE_POLICY);
    const refused = await apply('dev', leaky);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(
      /reads environment variables the policy in force does not: SESSION_SECRET/,
    );
  });

  it('lets only an admin apply one, and says so when it is the policy in force', async () => {
    const refused = await apply('kim', STRICTER);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('only an admin may apply a policy');
    const same = await apply('dev', EXAMPLE_POLICY);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ applied: false, summary: [], flagged: [] });
  });

  it('puts a valid one in force at once, records it, and flags what it would ask more of', async () => {
    const before = await hashNow();
    const risky = await submittedChange(t, 'priya', { answers: completeAnswers({ risk: 'high' }) });
    const lowRisk = await submittedChange(t, 'priya');
    const applied = await apply('dev', STRICTER);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      applied: true,
      from: before,
      summary: [
        'change type normal: approvals were 1 from service-approvers + 1 from change-managers when {"risk":"high"}, now 1 from service-approvers + 1 from change-managers when {"risk":"high"} + 1 from security when {"risk":"high"}',
      ],
      flagged: [risky.id],
    });
    expect(await hashNow()).toBe(applied.body.to);

    // The change in flight keeps what it was submitted under, and says what the policy would add.
    const kept = await t.call('priya', 'GET', `/changes/${risky.id}`);
    expect(kept.body.requirements.map((r: { from: string }) => r.from)).toEqual([
      'payments-owners',
      'change-managers',
    ]);
    expect(kept.body.policyAsksMore).toEqual([
      { from: 'security', count: 1, reason: 'risk is high' },
    ]);
    expect((await t.call('priya', 'GET', `/changes/${lowRisk.id}`)).body.policyAsksMore).toEqual(
      [],
    );
    // A change submitted now is asked for it.
    const fresh = await submittedChange(t, 'priya', { answers: completeAnswers({ risk: 'high' }) });
    expect(fresh.requirements.map((r: { from: string }) => r.from)).toContain('security');

    const history = await t.call('priya', 'GET', '/policy/history');
    expect(history.body.inForce).toBe(applied.body.to);
    expect(history.body.items[0]).toMatchObject({
      hash: applied.body.to,
      previous: before,
      appliedBy: 'dev',
      summary: applied.body.summary,
      flagged: [risky.id],
      eventId: expect.any(Number),
    });
    expect(history.body.items[1]).toMatchObject({ hash: before, appliedBy: null });
  });

  it('says which pending changes nobody could approve under the new policy', async () => {
    const change = await submittedChange(t, 'priya');
    const source = (await t.ctx.store.read.policies.find(
      t.ctx.policies.current.policy.hash,
    ))!.source.replace(/^ {2}payments-owners: \[.*\]$/m, '  payments-owners: [priya]');
    const applied = await apply('dev', source);
    expect(applied.status).toBe(200);
    expect(applied.body.stranded).toContain(change.id);
    expect(applied.body.summary).toEqual(['group payments-owners: removed lee']);
    // Back to the policy the other tests expect.
    expect((await apply('dev', EXAMPLE_POLICY)).status).toBe(200);
  });

  it('keeps every action of a burst its own while a policy is applied in the middle', async () => {
    const changes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => submittedChange(t, 'priya', { title: `Burst ${i}` })),
    );
    const [results, applied] = await Promise.all([
      Promise.all(changes.map((c) => t.call('lee', 'POST', `/changes/${c.id}/approve`, {}))),
      apply('dev', STRICTER),
    ]);
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect(results.map((r) => r.status)).toEqual(changes.map(() => 200));
    expect(results.map((r) => r.body.state)).toEqual(changes.map(() => 'approved'));
    // The test app's close runs `audit verify`: every event's policy is one the archive has.
  });
});

describe.skipIf(!postgres)('a policy applied in one process on PostgreSQL', () => {
  it('is in force in the other at once, and a restart with another file is recorded', async () => {
    const database = await postgres!.create();
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-apply-'));
    const policyFile = join(dir, 'changeboard.yaml');
    writeFileSync(policyFile, EXAMPLE_POLICY);
    const env = { DATABASE_URL: database.url, CHANGEBOARD_CONFIG: policyFile };
    const config = readConfig(env);
    if (!config.ok) throw new Error(config.problems.join('; '));
    const servers: RunningServer[] = await Promise.all([startServer(env), startServer(env)]);
    try {
      const ctx = await createContext(config.config);
      const token = (
        await createApiToken({ policy: ctx.policy, clock: ctx.clock, store: ctx.store }, 'dev')
      ).token;
      await ctx.close();
      const call = async (base: string, method: string, path: string, body?: unknown) => {
        const response = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads whatever the API answered
        return { status: response.status, body: (await response.json()) as Record<string, any> };
      };
      const [a, b] = servers.map((s) => s.url) as [string, string];
      const before = (await call(b, 'GET', '/policy')).body.hash as string;
      const applied = await call(a, 'POST', '/policy', { source: STRICTER });
      expect(applied.status).toBe(200);
      const deadline = Date.now() + 10_000;
      let seen = before;
      while (seen === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = (await call(b, 'GET', '/policy')).body.hash as string;
      }
      expect(seen).toBe(applied.body.to);

      // The servers stop; one starts again with the same file: the policy applied since stays.
      await Promise.all(servers.map((s) => s.stop()));
      servers.length = 0;
      servers.push(await startServer(env));
      const kept = await call(servers[0]!.url, 'GET', '/policy/history');
      expect(kept.body.inForce).toBe(applied.body.to);

      // A changed file is applied at the next start, and recorded as such.
      await servers[0]!.stop();
      servers.length = 0;
      writeFileSync(policyFile, `${EXAMPLE_POLICY}\n# Reviewed by the change board.\n`);
      servers.push(await startServer(env));
      const history = await call(servers[0]!.url, 'GET', '/policy/history');
      expect(history.body.items[0]).toMatchObject({
        previous: applied.body.to,
        appliedBy: 'policy-file',
      });
      expect(history.body.inForce).toBe(history.body.items[0].hash);
      expect(history.body.inForce).not.toBe(before);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await database.drop();
    }
  }, 60_000);
});
