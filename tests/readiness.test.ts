import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds, type DatabaseKind } from './_util/databases.js';
import { startTcpProxy, type TcpProxy } from './_util/tcp-proxy.js';

/**
 * /healthz says the process is up and never asks the database; /readyz asks
 * it a real question in time and reports the outbox backlog, or answers 503
 * with the reason. On PostgreSQL the app reaches its database through a TCP
 * relay the test cuts or stalls; on SQLite the test closes the store or holds
 * its one connection.
 */
describe.each(databaseKinds)('/healthz and /readyz on $name', (kind) => {
  let t: TestApp | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await t?.close();
    await proxy?.close();
    t = undefined;
    proxy = undefined;
  });

  /** The test app; on PostgreSQL, connected through a relay. */
  async function start(options: { auditOnClose?: boolean } = {}): Promise<TestApp> {
    let database: DatabaseKind = kind;
    if (kind.name === 'postgres') {
      const direct = await kind.create().then(async (db) => {
        await db.drop();
        return new URL(db.url);
      });
      const relay = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
      proxy = relay;
      database = {
        name: kind.name,
        async create() {
          const db = await kind.create();
          const url = new URL(db.url);
          url.port = String(relay.port);
          return { url: url.toString(), drop: () => db.drop() };
        },
      };
    }
    t = await startTestApp(database, {
      // Written, never delivered: these tests do not run the dispatcher.
      env: { TEAMS_WEBHOOK_URL: 'http://127.0.0.1:9/teams' },
      ...options,
    });
    return t;
  }
  const get = (app: TestApp, url: string) => app.app.inject({ method: 'GET', url });

  it('is ready when the database answers, with the outbox backlog', async () => {
    const app = await start();
    const empty = await get(app, '/readyz');
    expect(empty.statusCode).toBe(200);
    expect(empty.headers['cache-control']).toBe('no-store');
    expect(empty.json()).toEqual({
      ready: true,
      database: { ok: true, latencyMs: expect.any(Number) },
      outbox: { pending: 0, oldestPendingAgeSeconds: 0, retrying: 0, dead: 0 },
    });

    // The Teams card waits for delivery; the channels whose URLs are unset are stored dead.
    await submittedChange(app, 'priya');
    app.clock.advance(10 * 60_000);
    const ready = (await get(app, '/readyz')).json();
    expect(ready.ready).toBe(true);
    expect(ready.outbox.pending).toBeGreaterThanOrEqual(1);
    expect(ready.outbox.oldestPendingAgeSeconds).toBe(600);
    expect(ready.outbox.retrying).toBe(0);
    const stored = (await app.call('dev', 'GET', '/outbox?limit=500')).body.items as {
      status: string;
    }[];
    expect(ready.outbox.dead).toBe(stored.filter((d) => d.status === 'dead').length);
    expect(ready.outbox.pending).toBe(stored.filter((d) => d.status === 'pending').length);

    expect((await get(app, '/healthz')).json()).toEqual({ ok: true });
  });

  it('answers 503 with the reason when the database is gone, and stays alive', async () => {
    const app = await start({ auditOnClose: false });
    expect((await get(app, '/readyz')).statusCode).toBe(200);
    if (proxy) await proxy.close();
    else await app.ctx.store.close();

    const expected =
      kind.name === 'postgres'
        ? 'the database cannot be reached (ECONNREFUSED)'
        : 'the database connection is closed';
    // A pooled connection that was cut may be noticed first; the next one is refused.
    let response = await get(app, '/readyz');
    for (let i = 0; i < 20 && response.json().reason !== expected; i++)
      response = await get(app, '/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      ready: false,
      reason: expected,
      database: { ok: false, latencyMs: expect.any(Number), error: expected },
    });
    // Nothing about where the database is, or who connects to it.
    expect(response.body).not.toMatch(/127\.0\.0\.1|postgres@|search_path|changeboard\.db/);

    // Liveness never asks the database: the process is not restarted for its outage.
    const live = await get(app, '/healthz');
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ ok: true });
  });

  it('answers 503 when the database does not answer in time', async () => {
    const app = await start();
    let resume: () => Promise<void>;
    if (proxy) {
      // Connections stay open, but no answer ever comes back.
      const relay = proxy;
      relay.blackhole();
      resume = () => relay.close();
    } else {
      // SQLite has one connection: a transaction that does not end holds it.
      let finish = () => undefined as void;
      let entered = () => undefined as void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = app.ctx.store.transaction(() => {
        entered();
        return new Promise<void>((resolve) => (finish = resolve));
      });
      await inside;
      resume = async () => {
        finish();
        await held;
      };
    }
    const started = Date.now();
    const response = await get(app, '/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      ready: false,
      reason: 'the database did not answer within 2000 ms',
      database: { ok: false },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await get(app, '/healthz')).statusCode).toBe(200);
    await resume();
    if (kind.name === 'postgres') {
      // The relay is gone for good: the audit check on close cannot reach the database.
      await t?.close().catch(() => undefined);
      t = undefined;
    } else {
      expect((await get(app, '/readyz')).statusCode).toBe(200);
    }
  });
});
