import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../src/app/audit.js';
import {
  buildChange,
  EXAMPLE_POLICY,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../src/app/tokens.js';
import { readConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { startServer } from './_util/cli.js';
import { databaseKinds, postgres } from './_util/databases.js';

const REVIEWERS = Array.from({ length: 16 }, (_, i) => `reviewer${i + 1}`);

/** The example policy plus sixteen reviewers who may all approve payments changes. */
const RACE_POLICY = EXAMPLE_POLICY.replace(
  'groups:\n',
  `groups:\n  reviewers: [${REVIEWERS.join(', ')}]\n`,
)
  .replace(
    'people:\n',
    `people:\n${REVIEWERS.map((id) => `  - id: ${id}\n    name: Reviewer ${id}\n    email: ${id}@example.com\n`).join('')}`,
  )
  .replace('    approvers: payments-owners', '    approvers: reviewers');

describe.each(databaseKinds)('concurrent decisions over real HTTP on $name', (kind) => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { policy: RACE_POLICY });
    base = await t.listen();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (person: string, path: string, body: unknown = {}) =>
    fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens[person]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('turns many approvals racing for the last requirement into exactly one approval', async () => {
    for (let round = 0; round < 3; round++) {
      const change = await submittedChange(t, 'priya');
      const responses = await Promise.all(
        REVIEWERS.map((person) => post(person, `/changes/${change.id}/approve`)),
      );
      const statuses = responses.map((r) => r.status);
      // The first to lock the change approves it; everyone after finds it approved already.
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(REVIEWERS.length - 1);

      const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
      expect(events.filter((e: { type: string }) => e.type === 'approved')).toHaveLength(1);
      expect(events.filter((e: { type: string }) => e.type === 'approval-granted')).toHaveLength(1);
      const stored = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
      expect(stored.state).toBe('approved');
      expect(stored.decisions).toHaveLength(1);
    }
    expect((await verifyAuditTrail(t.ctx.store.read)).ok).toBe(true);
  });

  it('lets an approval racing a withdraw end in one consistent state', async () => {
    const changes = await Promise.all(Array.from({ length: 8 }, () => submittedChange(t, 'priya')));
    await Promise.all(
      changes.flatMap((change) => [
        post('reviewer1', `/changes/${change.id}/approve`),
        post('priya', `/changes/${change.id}/withdraw`),
      ]),
    );
    for (const change of changes) {
      const stored = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
      const types = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items.map(
        (e: { type: string }) => e.type,
      );
      // Withdraw is allowed both before and after approval: either order is a valid history, and both end withdrawn.
      expect(stored.state).toBe('withdrawn');
      expect([
        ['created', 'submitted', 'withdrawn'],
        ['created', 'submitted', 'approval-granted', 'approved', 'withdrawn'],
      ]).toContainEqual(types);
      expect(stored.decisions.length).toBe(types.includes('approved') ? 1 : 0);
    }
    expect((await verifyAuditTrail(t.ctx.store.read)).ok).toBe(true);
  });

  it('keeps the audit chain linear under concurrent writes to different changes', async () => {
    const drafts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post('priya', '/changes', {
          title: `Parallel ${i}`,
          type: 'standard',
          template: 'rotate-tls-cert',
          services: ['payments'],
          answers: {
            tested: false,
            consequenceOfNotReleasing: 'none',
            rollbackPlan: 'revert',
            risk: 'low',
          },
        }).then((r) => r.json() as Promise<{ id: string }>),
      ),
    );
    await Promise.all(drafts.map((d) => post('priya', `/changes/${d.id}/submit`)));
    const verdict = await verifyAuditTrail(t.ctx.store.read);
    expect(verdict).toMatchObject({ ok: true });
  });
});

describe.skipIf(!postgres)('concurrent decisions across two processes on PostgreSQL', () => {
  it('approves once, whichever process each racing approval reaches', async () => {
    const database = await postgres!.create();
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-race-'));
    const policyFile = join(dir, 'changeboard.yaml');
    writeFileSync(policyFile, RACE_POLICY);
    const env = { DATABASE_URL: database.url, CHANGEBOARD_CONFIG: policyFile };
    const servers = await Promise.all([startServer(env), startServer(env)]);
    try {
      const config = readConfig(env);
      if (!config.ok) throw new Error(config.problems.join('; '));
      const ctx = await createContext(config.config);
      const tokens: Record<string, string> = {};
      for (const person of ['priya', ...REVIEWERS]) {
        tokens[person] = (
          await createApiToken({ policy: ctx.policy, clock: ctx.clock, store: ctx.store }, person)
        ).token;
      }
      await ctx.close();
      const call = (base: string, person: string, method: string, path: string, body?: unknown) =>
        fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${tokens[person]}`,
            'content-type': 'application/json',
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      for (let round = 0; round < 3; round++) {
        const created = (await (
          await call(servers[0].url, 'priya', 'POST', '/changes', buildChange())
        ).json()) as { id: string };
        await call(servers[1].url, 'priya', 'POST', `/changes/${created.id}/submit`, {});
        const statuses = await Promise.all(
          REVIEWERS.map((person, i) =>
            call(servers[i % 2]!.url, person, 'POST', `/changes/${created.id}/approve`, {}).then(
              (r) => r.status,
            ),
          ),
        );
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect(statuses.filter((s) => s === 409)).toHaveLength(REVIEWERS.length - 1);
        const events = (await (
          await call(servers[1].url, 'priya', 'GET', `/changes/${created.id}/events`)
        ).json()) as { items: { type: string }[] };
        expect(events.items.filter((e) => e.type === 'approved')).toHaveLength(1);
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await database.drop();
    }
  });
});
