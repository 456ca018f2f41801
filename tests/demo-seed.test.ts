import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/app/ports.js';
import { BUNDLED_POLICY, readConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import type { Change } from '../src/domain/change.js';
import type { AuditEvent } from '../src/domain/events.js';
import { seedDemoHistory } from '../src/cli/demo/seed-history.js';
import { EXAMPLE_POLICY } from './_util/app.js';
import { runCli, startServer } from './_util/cli.js';
import { openMigratedStore } from './_util/databases.js';

/**
 * `changeboard demo seed`: a plausible history for the demo (issue 17), written
 * through the use cases into the demo's database, and refused anywhere else.
 */
describe('changeboard demo seed', { timeout: 120_000 }, () => {
  // A folder without changeboard.yaml, and no CHANGEBOARD_CONFIG: demo mode.
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-demo-seed-'));
  const databaseUrl = `sqlite:${join(dir, 'data', 'changeboard.db')}`;
  const demoEnv = { DATABASE_URL: databaseUrl, CHANGEBOARD_CONFIG: '' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('on the demo database', () => {
    let seeded: Awaited<ReturnType<typeof runCli>>;
    let elapsedMs: number;
    let store: Store;
    let changes: Change[];
    let events: Map<number, AuditEvent[]>;

    beforeAll(async () => {
      const startedAt = Date.now();
      seeded = await runCli(['demo', 'seed'], demoEnv, dir);
      elapsedMs = Date.now() - startedAt;
      ({ store } = await openMigratedStore(databaseUrl));
      changes = await store.read.changes.list({ limit: 10_000 });
      events = await store.read.events.listForChanges(changes.map((c) => c.id));
    });
    afterAll(() => store.close());

    it('seeds quickly and says what it wrote', () => {
      expect(seeded.stderr).toBe('');
      expect(seeded.code).toBe(0);
      expect(seeded.stdout).toMatch(/Seeded .* with \d+ changes from \d{4}-\d\d-\d\d to /);
      expect(elapsedMs).toBeLessThan(30_000);
    });

    it('leaves an audit trail that verifies', async () => {
      const verify = await runCli(['audit', 'verify'], demoEnv, dir);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^OK: \d+ events/);
    });

    it('holds about twelve weeks of changes, ending now', async () => {
      expect(changes.length).toBeGreaterThanOrEqual(80);
      expect(changes.length).toBeLessThanOrEqual(250);
      const head = await store.read.events.head();
      expect(head?.lastId).toBeGreaterThanOrEqual(500);
      expect(head?.lastId).toBeLessThanOrEqual(3_000);
      const created = changes.map((c) => Date.parse(c.createdAt));
      const weeks = (Date.now() - Math.min(...created)) / (7 * 24 * 3_600_000);
      expect(weeks).toBeGreaterThan(11);
      expect(weeks).toBeLessThanOrEqual(12.01);
      expect(Math.max(...created)).toBeLessThanOrEqual(Date.now());
      // Some work is still in flight, as on any real board.
      expect(changes.some((c) => ['draft', 'pending', 'approved'].includes(c.state))).toBe(true);
      // Normal changes to payments and the website, by Priya and others; a few rejected with a reason.
      const normal = changes.filter((c) => c.type === 'normal');
      expect(normal.filter((c) => c.services.includes('payments')).length).toBeGreaterThan(30);
      expect(normal.filter((c) => c.services.includes('website')).length).toBeGreaterThan(20);
      expect(new Set(normal.map((c) => c.requester)).size).toBeGreaterThanOrEqual(4);
      const rejected = changes.filter((c) => c.state === 'rejected');
      expect(rejected.length).toBeGreaterThanOrEqual(2);
      for (const change of rejected) {
        const reason = events.get(change.id)?.find((e) => e.type === 'rejected')?.data.comment;
        expect(reason).toEqual(expect.any(String));
      }
      // Some edited after a first approval, and approved again.
      const reapproved = changes.filter((c) => {
        const types = events.get(c.id)?.map((e) => e.type) ?? [];
        return types.includes('approvals-withdrawn') && c.round > 1 && c.state !== 'pending';
      });
      expect(reapproved.length).toBeGreaterThanOrEqual(2);
    });

    it('queues no notifications for the history', async () => {
      const counts = await store.read.outbox.countByStatus();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    });

    it('has a class of at least ten identical changes, every one approved and completed', () => {
      const classes = new Map<string, Change[]>();
      for (const change of changes) {
        const key = JSON.stringify([change.type, [...change.services].sort(), change.answers.risk]);
        classes.set(key, [...(classes.get(key) ?? []), change]);
      }
      const candidates = [...classes.entries()].filter(
        ([, members]) =>
          members.length >= 10 &&
          members.every((c) => c.state === 'completed' || c.state === 'verified') &&
          members.every((c) => !events.get(c.id)?.some((e) => e.type === 'rejected')),
      );
      expect(candidates.map(([key]) => key)).toContain(
        JSON.stringify(['normal', ['website'], 'low']),
      );
    });

    it('has emergencies started early, then reviewed and verified', () => {
      const emergencies = changes.filter((c) => c.type === 'emergency');
      const earlyAndReviewed = emergencies.filter((c) => {
        const history = events.get(c.id) ?? [];
        const started = history.find((e) => e.type === 'started');
        return (
          started?.data.from === 'pending' &&
          c.review?.doneAt != null &&
          c.state === 'verified' &&
          history.some((e) => e.type === 'reviewed')
        );
      });
      expect(earlyAndReviewed.length).toBeGreaterThanOrEqual(3);
    });

    it('has failed changes, one reviewed and one whose review is overdue', () => {
      const failed = changes.filter((c) => c.state === 'failed');
      expect(failed.length).toBeGreaterThanOrEqual(2);
      expect(failed.some((c) => c.review?.doneAt != null)).toBe(true);
      const now = new Date().toISOString();
      expect(failed.some((c) => c.review && c.review.doneAt === null && c.review.due < now)).toBe(
        true,
      );
    });

    it('has standard changes, CAB outcomes and changes drafted from pull requests', async () => {
      const standard = changes.filter((c) => c.type === 'standard');
      expect(standard.length).toBeGreaterThanOrEqual(5);
      expect(standard.every((c) => c.template?.id === 'rotate-tls-cert')).toBe(true);
      expect(new Set(standard.map((c) => c.requester)).size).toBeGreaterThanOrEqual(2);

      const cab = await store.read.changes.listDiscussions({ meeting: 'Acme Hosting CAB' });
      expect(new Set(cab.map((d) => d.outcome))).toEqual(new Set(['approve', 'defer', 'reject']));

      const drafted = changes.filter((c) => c.pullRequest);
      expect(drafted.length).toBeGreaterThanOrEqual(4);
      for (const change of drafted.filter((c) => c.state === 'completed'))
        expect(events.get(change.id)?.[0]).toMatchObject({
          type: 'created',
          actor: 'github',
          data: { source: 'github' },
        });
    });

    it('refuses a database that already holds changes, unless --force', async () => {
      const again = await runCli(['demo', 'seed'], demoEnv, dir);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/demo seed refused/);
      expect(again.stderr).toMatch(/already holds \d+ change\(s\)/);
      expect(await store.read.changes.list({ limit: 10_000 })).toHaveLength(changes.length);

      // --force adds a second history (pull requests of its own), still one intact chain.
      const forced = await runCli(['demo', 'seed', '--force'], demoEnv, dir);
      expect(forced.code).toBe(0);
      const after = await store.read.changes.list({ limit: 10_000 });
      expect(after.length).toBeGreaterThanOrEqual(2 * changes.length - 10);
      expect(after.filter((c) => c.pullRequest).length).toBe(
        2 * changes.filter((c) => c.pullRequest).length,
      );
      const verify = await runCli(['audit', 'verify'], demoEnv, dir);
      expect(verify.code).toBe(0);
    });
  });

  it('is deterministic: the same "now", the same history', async () => {
    const now = new Date('2026-12-07T08:00:00Z');
    const histories: string[][] = [];
    for (const name of ['one', 'two']) {
      const config = readConfig({
        DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
        CHANGEBOARD_CONFIG: BUNDLED_POLICY,
      });
      if (!config.ok) throw new Error(config.problems.join('\n'));
      const ctx = await createContext(config.config);
      try {
        await seedDemoHistory(ctx, { now });
        const all = await ctx.store.read.changes.list({ limit: 10_000 });
        histories.push(all.map((c) => `${c.id} ${c.title} ${c.state} ${c.updatedAt}`));
      } finally {
        await ctx.close();
      }
    }
    expect(histories[0]!.length).toBeGreaterThan(80);
    expect(histories[1]).toEqual(histories[0]);
  });

  describe('never outside the demo', () => {
    it('refuses PostgreSQL, before connecting to it', async () => {
      const result = await runCli(
        ['demo', 'seed'],
        { DATABASE_URL: 'postgres://changeboard@127.0.0.1:1/changeboard', CHANGEBOARD_CONFIG: '' },
        dir,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/demo seed refused/);
      expect(result.stderr).toMatch(/never writes to PostgreSQL/);
    });

    it('refuses a policy file, even a copy of the example (and creates no database)', async () => {
      const policyFile = join(dir, 'team.yaml');
      writeFileSync(policyFile, EXAMPLE_POLICY);
      const file = join(dir, 'team.db');
      const result = await runCli(
        ['demo', 'seed'],
        { DATABASE_URL: `sqlite:${file}`, CHANGEBOARD_CONFIG: policyFile },
        dir,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/only in demo mode/);
      expect(existsSync(file)).toBe(false);

      const withFlag = await runCli(
        ['--config', BUNDLED_POLICY, 'demo', 'seed', '--force'],
        { DATABASE_URL: `sqlite:${file}` },
        dir,
      );
      expect(withFlag.code).toBe(1);
      expect(withFlag.stderr).toMatch(/only in demo mode/);
      expect(existsSync(file)).toBe(false);
    });

    it('refuses, even with --force, a database that has known another policy', async () => {
      const policyFile = join(dir, 'other.yaml');
      writeFileSync(policyFile, EXAMPLE_POLICY.replace('Example Corp', 'Real Team Ltd'));
      const url = `sqlite:${join(dir, 'real.db')}`;
      // Any command on a team's policy archives it in the database.
      expect(
        (
          await runCli(
            ['audit', 'verify'],
            { DATABASE_URL: url, CHANGEBOARD_CONFIG: policyFile },
            dir,
          )
        ).code,
      ).toBe(0);
      const result = await runCli(
        ['demo', 'seed', '--force'],
        { DATABASE_URL: url, CHANGEBOARD_CONFIG: '' },
        dir,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /has known 1 policy version\(s\) other than the bundled example/,
      );
    });
  });

  it('is offered when the demo starts on an empty database', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'changeboard-demo-empty-'));
    const server = await startServer(
      { DATABASE_URL: `sqlite:${join(emptyDir, 'demo.db')}`, CHANGEBOARD_CONFIG: '' },
      emptyDir,
    );
    try {
      for (let i = 0; i < 100 && !server.output().includes('demo seed'); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.output()).toContain('npx changeboard demo seed');
    } finally {
      await server.stop();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
