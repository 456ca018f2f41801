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
  it('limits a stranger, never the person whose address they ask for', async () => {
    t = await startTestApp(kind);
    const from = (remoteAddress: string, email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/email',
        headers: SAME_ORIGIN,
        payload: { email },
        remoteAddress,
      });
    const stranger = '203.0.113.7';
    const answers: number[] = [];
    for (let i = 0; i < 7; i++)
      answers.push((await from(stranger, 'priya@example.com')).statusCode);
    expect(answers).toEqual([202, 202, 202, 202, 202, 429, 429]);
    // Priya, at her own desk, still gets her link.
    expect((await from('198.51.100.2', 'priya@example.com')).statusCode).toBe(202);
    // One IPv6 subscriber is one requester, whichever of its addresses asks.
    for (let i = 0; i < 5; i++)
      expect((await from(`2001:db8:1:2::${i + 1}`, 'lee@example.com')).statusCode).toBe(202);
    expect((await from('2001:db8:1:2::99', 'lee@example.com')).statusCode).toBe(429);
    expect((await from('2001:db8:1:3::1', 'lee@example.com')).statusCode).toBe(202);

    // However many addresses one requester tries, it gets twenty links in the window.
    const spray: number[] = [];
    for (let i = 0; i < 21; i++)
      spray.push((await from('192.0.2.50', `someone-${i}@example.com`)).statusCode);
    expect(spray.slice(0, 20)).toEqual(Array(20).fill(202));
    expect(spray[20]).toBe(429);
    const mails = (await t.ctx.store.read.outbox.list({ limit: 1000 })).filter(
      (m) => m.kind === 'email' && m.target === 'priya',
    );
    expect(mails).toHaveLength(6);
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names', async () => {
    t = await startTestApp(kind, { env: { TRUST_PROXY: '127.0.0.1' } });
    const via = (forwardedFor: string, remoteAddress = '127.0.0.1') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/email',
        headers: { ...SAME_ORIGIN, 'x-forwarded-for': forwardedFor },
        payload: { email: 'kim@example.com' },
        remoteAddress,
      });
    for (let i = 0; i < 5; i++) expect((await via('203.0.113.9')).statusCode).toBe(202);
    expect((await via('203.0.113.9')).statusCode).toBe(429);
    // Another client behind the same proxy is counted on its own.
    expect((await via('198.51.100.4')).statusCode).toBe(202);
    // A client that is not the proxy cannot choose whom it is counted as.
    for (let i = 0; i < 5; i++)
      expect((await via(`198.51.100.${10 + i}`, '192.0.2.1')).statusCode).toBe(202);
    expect((await via('198.51.100.99', '192.0.2.1')).statusCode).toBe(429);
  });

  it('forgets windows that ended more than a day ago', async () => {
    t = await startTestApp(kind);
    const store = t.ctx.store;
    const counter = {
      hit: (key: string, windowMs: number, nowMs: number) =>
        store.transaction((tx) => tx.rateLimits.hit(key, windowMs, nowMs)),
    };
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
