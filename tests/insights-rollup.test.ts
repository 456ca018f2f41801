import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchUpTimings,
  getInsights,
  getPeriodInMemory,
  insightsWarmer,
  type InsightsRequest,
} from '../src/app/insights.js';
import { seedDemoHistory } from '../src/cli/demo/seed-history.js';
import { presentInsights } from '../src/http/insights-report.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/database-url.js';
import { openDatabase } from '../src/storage/database.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

/**
 * The insights are summed in SQL over a rollup of each change (issue 17, "It
 * stays fast"). Held to the figures worked out in memory, change by change from
 * the events, on a twelve-week history written through the use cases: every
 * figure, link, id and candidate the API shows must be the same, for several
 * filters, after more decisions, and after the policy changes.
 */
describe.each(databaseKinds)('the insights rollup on $name', { timeout: 120_000 }, (kind) => {
  let t: TestApp;
  const NOW = new Date('2026-11-30T12:00:00Z');
  const queries: InsightsRequest[] = [
    {},
    { from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z', minChanges: 3 },
    { service: 'payments', from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z' },
    { type: 'normal,emergency', from: '2026-10-01T00:00:00Z', to: '2026-11-15T00:00:00Z' },
    { cab: 'FREQ=WEEKLY;BYDAY=TU,TH@09:30 Europe/London', minChanges: 2 },
    { service: 'website', type: 'normal', minChanges: 2 },
    { from: '2026-11-29T00:00:00Z', to: '2026-11-30T00:00:00Z' },
  ];

  const summed = async (q: InsightsRequest) => presentInsights(await getInsights(t.ctx, q));
  const inMemory = async (q: InsightsRequest) =>
    presentInsights((await getPeriodInMemory(t.ctx, q)).insights);

  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set(NOW.toISOString());
    await seedDemoHistory({ policy: t.ctx.policy, store: t.ctx.store }, { now: NOW });
    t.clock.set(NOW.toISOString());
  });
  afterAll(async () => {
    await t.close();
  });

  it('sums the same figures as the changes worked out one by one', async () => {
    for (const q of queries) {
      const expected = await inMemory(q);
      expect(await summed(q), JSON.stringify(q)).toEqual(expected);
    }
    const year = await summed({});
    // A history worth comparing: decisions, groups, candidates, a CAB replay.
    expect(year.total.count).toBeGreaterThan(80);
    expect(year.timeToDecision.byGroup.length).toBeGreaterThan(2);
    expect(year.meetingCounterfactual.decided).toBeGreaterThan(20);
    expect(year.promotionCandidates.candidates.length).toBeGreaterThan(0);
  });

  it('links every figure to exactly the changes behind it', async () => {
    const body = await summed({ minChanges: 3 });
    // Every figure that names its changes, but the candidates (their link lists the whole class).
    const figures: {
      path: string;
      count: number;
      ids: string[];
      truncated: boolean;
      link: string;
    }[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (
        typeof o.changes === 'string' &&
        Array.isArray(o.changeIds) &&
        !path.includes('promotionCandidates') &&
        !path.endsWith('.ecab')
      )
        figures.push({
          path,
          count: Number(o.numerator ?? o.count ?? o.decided),
          ids: o.changeIds as string[],
          truncated: o.truncated === true,
          link: o.changes,
        });
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    };
    walk(body, 'insights');
    expect(figures.length).toBeGreaterThan(25);
    for (const figure of figures) {
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await t.call(
          'kim',
          'GET',
          `${figure.link.replace('/api/v1', '')}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status, figure.path).toBe(200);
        const list = page.body as { items: { id: string }[]; nextCursor: string | null };
        listed.push(...list.items.map((c) => c.id));
        cursor = list.nextCursor;
      } while (cursor);
      expect(listed.length, `${figure.path} ${figure.link}`).toBe(figure.count);
      if (!figure.truncated)
        expect([...listed].sort(), figure.path).toEqual([...figure.ids].sort());
    }
  });

  it('refuses a figure it does not know, naming it', async () => {
    const res = await t.call('kim', 'GET', '/changes?figure=group:nobody');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('query.figure');
    expect((await t.call('kim', 'GET', '/changes?figure=fastest')).status).toBe(400);
  });

  it('catches up with changes decided since, and with a new change', async () => {
    await summed({});
    t.clock.set('2026-11-30T12:30:00Z');
    const fresh = (await submittedChange(t, 'priya')).id as string;
    t.clock.set('2026-11-30T13:10:00Z');
    expect((await t.call('lee', 'POST', `/changes/${fresh}/approve`)).status).toBe(200);
    const q = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', minChanges: 2 };
    const after = await summed(q);
    expect(after).toEqual(await inMemory(q));
    expect(after.total.changeIds).toContain(fresh);
    expect(after.timeToDecision.overall.changeIds).toContain(fresh);
  });

  // The period's whole weeks are read from their chunks (domain/insights/chunks.ts): a write must clear them.
  const weeks = { from: '2026-10-05T00:00:00Z', to: '2026-11-30T00:00:00Z', minChanges: 2 };

  it('sums a week again when one of its changes moves to another set of services', async () => {
    t.clock.set('2026-10-14T09:00:00Z');
    const submitted = await submittedChange(t, 'priya');
    const moved = submitted.id as string;
    t.clock.set('2026-11-30T14:00:00Z');
    for (const q of [weeks, { ...weeks, service: 'payments' }])
      expect(await summed(q)).toEqual(await inMemory(q));
    const edit = await t.call('priya', 'PATCH', `/changes/${moved}`, {
      services: ['website'],
      version: submitted.version,
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    // The filter it left first: its catch-up must not be narrowed to where the change is now.
    const filters: InsightsRequest[] = [
      { ...weeks, service: 'payments' },
      { ...weeks, service: 'website' },
      weeks,
    ];
    for (const q of filters) {
      const after = await summed(q);
      expect(after, JSON.stringify(q)).toEqual(await inMemory(q));
      expect(after.total.changeIds.includes(moved), JSON.stringify(q)).toBe(
        q.service !== 'payments',
      );
    }
  });

  it('never keeps sums read before a write that came while they were worked out', async () => {
    t.clock.set('2026-10-21T09:00:00Z');
    const pending: string[] = [];
    for (let i = 0; i < 6; i++) pending.push((await submittedChange(t, 'priya')).id as string);
    t.clock.set('2026-11-30T15:00:00Z');
    await summed(weeks);
    // Readers working the week out again while its changes are decided, one after another.
    const decisions = (async () => {
      for (const id of pending)
        expect((await t.call('lee', 'POST', `/changes/${id}/approve`)).status).toBe(200);
    })();
    await Promise.all([decisions, ...pending.map(() => summed(weeks))]);
    const after = await summed(weeks);
    expect(after).toEqual(await inMemory(weeks));
    for (const id of pending) expect(after.timeToDecision.overall.changeIds).toContain(id);
  });

  // Deterministic on PostgreSQL: the reader's write of the chunk waits on a lock the test holds.
  it.runIf(kind.name === 'postgres')(
    'keeps no chunk worked out from rows a write replaced meanwhile',
    async () => {
      await summed(weeks);
      const other = new pg.Client({ connectionString: t.databaseUrl });
      await other.connect();
      try {
        const { rows } = await other.query<{ week_ms: string; change_id: string }>(
          `select c.week_ms, t.change_id from insight_chunks c join change_timings t
             on t.type = c.type and t.services_key = c.services_key
            and t.created_ms >= c.week_ms and t.created_ms < c.week_ms + 604800000
           where c.week_ms >= $1 and t.decision_minutes is not null order by c.week_ms limit 1`,
          [Date.parse(weeks.from)],
        );
        const { week_ms: week, change_id: id } = rows[0]!;
        await other.query('update insight_chunks set data = null where week_ms = $1', [week]);
        await other.query('begin');
        await other.query('select 1 from insight_chunks where week_ms = $1 for update', [week]);
        const population = {
          fromMs: Date.parse(weeks.from),
          toMs: Date.parse(weeks.to),
          services: [],
          types: [],
        };
        const reading = t.ctx.store.insights.totals(population);
        // The reader has worked the week out and waits to keep it; then a write replaces one of its rows.
        // A backend waiting on a row while holding the update's lock on this schema's insight_chunks.
        const waiting = async () =>
          Number(
            (
              await other.query<{ n: string }>(
                `select count(*) as n from pg_locks w join pg_locks r on r.pid = w.pid
                 where not w.granted and w.locktype = 'transactionid'
                   and r.relation = 'insight_chunks'::regclass and r.mode = 'RowExclusiveLock'`,
              )
            ).rows[0]!.n,
          );
        for (let tries = 0; (await waiting()) === 0; tries++) {
          if (tries > 200) throw new Error('the reader never waited to keep its chunk');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await other.query(
          'update change_timings set decision_minutes = 99999 where change_id = $1',
          [id],
        );
        await other.query(
          'update insight_chunks set generation = generation + 1, data = null where week_ms = $1',
          [week],
        );
        await other.query('commit');
        const before = (await reading).durations.get('overall')!;
        const kept = await other.query<{ n: string }>(
          'select count(*) as n from insight_chunks where week_ms = $1 and data is not null',
          [week],
        );
        expect(Number(kept.rows[0]!.n)).toBe(0);
        const after = (await t.ctx.store.insights.totals(population)).durations.get('overall')!;
        expect(after.mean).toBeGreaterThan(before.mean);
        // Behind its change again: the next catch-up works the real row out.
        await other.query('update change_timings set version = -1 where change_id = $1', [id]);
      } finally {
        await other.end();
      }
    },
  );

  it('works out again, between requests, the weeks a write cleared', async () => {
    t.clock.set('2026-10-28T09:00:00Z');
    const pending = (await submittedChange(t, 'priya')).id as string;
    t.clock.set('2026-11-30T16:00:00Z');
    await summed(weeks);
    expect((await t.call('lee', 'POST', `/changes/${pending}/approve`)).status).toBe(200);
    const database = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
    // The week of the change decided: cleared by the write, summed again by the round.
    const cleared = async () =>
      Number(
        (
          await database.db
            .selectFrom('insight_chunks')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('week_ms', '=', Date.parse('2026-10-26T00:00:00Z'))
            .where('data', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      const warm = insightsWarmer({ store: t.ctx.store, policy: t.ctx.policy, clock: t.clock });
      expect(await warm()).toBe(1);
      expect(await cleared()).toBe(0);
      expect(await warm()).toBe(0);
    } finally {
      await database.db.destroy();
    }
    expect(await summed(weeks)).toEqual(await inMemory(weeks));
  });

  it('works every row out again under a new policy', async () => {
    const before = await summed({});
    // Lee leaves the payments owners: his past decisions no longer count for that group.
    const next = readFileSync(t.policyFile, 'utf8');
    const edited = next.replace('payments-owners: [priya, lee]', 'payments-owners: [priya]');
    expect(edited).not.toBe(next);
    expect((await t.call('dev', 'POST', '/policy', { source: edited })).status).toBe(200);
    expect(t.ctx.policy.groups.get('payments-owners')).toEqual(['priya']);
    const everything = { fromMs: 0, toMs: Date.parse('2100-01-01'), services: [], types: [] };
    const stale = await t.ctx.store.insights.staleIds(everything, t.ctx.policy.hash, 10_000);
    expect(stale.length).toBe(before.total.count);
    const after = await summed({});
    expect(await t.ctx.store.insights.staleIds(everything, t.ctx.policy.hash, 10)).toEqual([]);
    expect(after).toEqual(await inMemory({}));
    expect(after.total).toEqual(before.total);
  });

  it('looks for rows behind a window of ids at a time, and stops where it is told', async () => {
    // Lee back in the payments owners: every row is behind the policy again.
    const source = t.ctx.policySource;
    const edited = source.replace('payments-owners: [priya]', 'payments-owners: [priya, lee]');
    expect(edited).not.toBe(source);
    expect((await t.call('dev', 'POST', '/policy', { source: edited })).status).toBe(200);
    const everything = { fromMs: 0, toMs: Date.parse('2100-01-01'), services: [], types: [] };
    const behind = await t.ctx.store.insights.staleIds(everything, t.ctx.policy.hash, 100_000);
    expect(behind.length).toBeGreaterThan(20);
    // Other work (a request, a delivery) runs between its steps, even on SQLite, where
    // every statement is synchronous and awaiting one does not turn the event loop.
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const some = await catchUpTimings(t.ctx, everything, { atMost: 10, step: 3, scanWindow: 7 });
    order.push('caught up');
    expect(order).toEqual(['other work', 'caught up']);
    expect(some).toBe(10);
    const rest = await catchUpTimings(t.ctx, everything, { step: 3, scanWindow: 7 });
    expect(some + rest).toBe(behind.length);
    expect(await t.ctx.store.insights.staleIds(everything, t.ctx.policy.hash, 10)).toEqual([]);
    expect(await summed({})).toEqual(await inMemory({}));
  });
});
