import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { buildServer } from '../src/http/server.js';
import { startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds, openMigratedStore } from './_util/databases.js';
import { SAME_ORIGIN } from './_util/web.js';

describe.each(databaseKinds)('rate limits shared by every process on $name', (kind) => {
  let t: TestApp;
  let other: { ctx: AppContext; app: FastifyInstance } | undefined;
  afterEach(async () => {
    await other?.app.close();
    await other?.ctx.close();
    other = undefined;
    await t.close();
  });

  const requestLink = (app: FastifyInstance, email: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      headers: SAME_ORIGIN,
      payload: { email },
    });

  it('sends one address five links in 15 minutes, whichever process is asked', async () => {
    t = await startTestApp(kind);
    // A second server process on the same database (as `serve --workers 2` runs).
    const config = readConfig({
      DATABASE_URL: t.databaseUrl,
      CHANGEBOARD_CONFIG: t.policyFile,
      PUBLIC_URL: 'http://changeboard.test',
    });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const ctx = await createContext(config.config, { clock: t.clock });
    other = { ctx, app: await buildServer(ctx, { webRoot: false }) };

    const servers = [t.app, other.app];
    const answers: number[] = [];
    for (let i = 0; i < 7; i++)
      answers.push((await requestLink(servers[i % 2]!, 'sam@example.com')).statusCode);
    expect(answers).toEqual([202, 202, 202, 202, 202, 429, 429]);
    const refused = await requestLink(other.app, 'SAM@example.com ');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
    expect(refused.headers['retry-after']).toBe('900');
    // Another address has its own window.
    expect((await requestLink(other.app, 'lee@example.com')).statusCode).toBe(202);

    // The window ends for both processes at once.
    t.clock.advance(15 * 60_000);
    expect((await requestLink(other.app, 'sam@example.com')).statusCode).toBe(202);
    expect((await requestLink(t.app, 'sam@example.com')).statusCode).toBe(202);
  });
  it('forgets windows that ended more than a day ago', async () => {
    t = await startTestApp(kind);
    const counter = t.ctx.store.read.rateLimits;
    const hour = 3_600_000;
    const start = Date.parse('2026-11-26T10:00:00Z');
    const window = 15 * 60_000;
    expect(await counter.hit('a', window, start)).toEqual({ count: 1, windowStartMs: start });
    expect(await counter.hit('a', window, start + 1000)).toEqual({
      count: 2,
      windowStartMs: start,
    });
    await counter.hit('b', window, start + 23 * hour);
    await counter.hit('c', window, start + 25 * hour);
    const { database } = await openMigratedStore(t.databaseUrl);
    try {
      const rows = await database.db
        .selectFrom('rate_limits')
        .select('key')
        .orderBy('key')
        .execute();
      expect(rows.map((r) => r.key)).toEqual(['b', 'c']);
    } finally {
      await database.db.destroy();
    }
    await expect(counter.hit('d', 2 * 24 * hour, start)).rejects.toThrow(/longer than a day/);
  });
});
