import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildChange, EXAMPLE_POLICY, startTestApp, submittedChange } from './_util/app.js';
import { runCli, startServer, type RunningServer } from './_util/cli.js';
import { databaseKinds, postgres, sqlite } from './_util/databases.js';
import { Dispatcher } from '../src/notifications/dispatcher.js';
import type { Deliverer } from '../src/notifications/deliverer.js';
import { startHttpReceiver, type HttpReceiver } from './_util/receivers.js';

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(databaseKinds)('leases on $name', (kind) => {
  it('lets a second worker take over an abandoned claim, and fences the first one out', async () => {
    const t = await startTestApp(kind, {
      env: { TEAMS_WEBHOOK_URL: 'https://teams.example.com/hook' },
    });
    try {
      await submittedChange(t, 'priya');
      const now = t.clock.now();
      const claim = (token: string, at: Date) =>
        t.ctx.store.transaction((tx) =>
          tx.outbox.claim({
            now: at.toISOString(),
            limit: 100,
            leaseToken: token,
            leaseUntil: new Date(at.getTime() + 30_000).toISOString(),
          }),
        );
      const first = await claim('worker-a', now);
      expect(first.length).toBeGreaterThan(0);
      // Within the lease nobody else gets them.
      expect(await claim('worker-b', new Date(now.getTime() + 29_000))).toEqual([]);
      // Worker A died: after the lease, B takes over, on its second attempt.
      const taken = await claim('worker-b', new Date(now.getTime() + 30_000));
      expect(taken.map((m) => m.id).sort()).toEqual(first.map((m) => m.id).sort());
      expect(taken.every((m) => m.attempts === 2)).toBe(true);
      // A wakes up late: its marks no longer count.
      expect(
        await t.ctx.store.direct.outbox.complete(first[0]!.id, 'worker-a', now.toISOString()),
      ).toBe(false);
      expect(
        await t.ctx.store.direct.outbox.fail(first[0]!.id, 'worker-a', {
          error: 'late',
          retryAt: null,
        }),
      ).toBe(false);
      expect(
        await t.ctx.store.direct.outbox.complete(first[0]!.id, 'worker-b', now.toISOString()),
      ).toBe(true);
      expect((await t.ctx.store.read.outbox.find(first[0]!.id))?.status).toBe('sent');
    } finally {
      await t.close();
    }
  });
});

describe('scheduled work beside the deliveries', () => {
  it('delivers while the scheduled work is still running, and a failing job stops nothing', async () => {
    const t = await startTestApp(sqlite, {
      env: { TEAMS_WEBHOOK_URL: 'https://teams.example.com/hook' },
    });
    const delivered: string[] = [];
    const deliverers: Deliverer[] = ['teams', 'email', 'webhook', 'slack'].map((kind) => ({
      kind,
      deliver: (messages) => {
        delivered.push(...messages.map((m) => m.id));
        return Promise.resolve(messages.map(() => ({ ok: true as const })));
      },
    }));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const logged: string[] = [];
    const dispatcher = new Dispatcher({
      store: t.ctx.store,
      clock: t.clock,
      deliverers,
      pollMs: 20,
      log: (_level, message) => logged.push(message),
      beforeRound: async () => {
        runs++;
        if (runs === 1) await held;
        else throw new Error('the rollup is unreachable');
      },
    });
    dispatcher.start();
    try {
      await submittedChange(t, 'priya');
      // The first job is still held, and yet what the submission enqueued goes out.
      await until(() => delivered.length > 0, 'a delivery while the scheduled work runs');
      expect(runs).toBe(1);
      release();
      await until(() => logged.includes('scheduled work failed'), 'the failing job to be logged');
      await submittedChange(t, 'priya');
      const before = delivered.length;
      await until(() => delivered.length > before, 'deliveries after a failed job');
    } finally {
      release();
      await dispatcher.stop();
      await t.close();
    }
  });

  it('does the scheduled work first when a round is driven by hand', async () => {
    const t = await startTestApp(sqlite);
    const order: string[] = [];
    const dispatcher = new Dispatcher({
      store: t.ctx.store,
      clock: t.clock,
      deliverers: [],
      beforeRound: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('scheduled work');
      },
    });
    try {
      await dispatcher.runOnce();
      order.push('round');
      expect(order).toEqual(['scheduled work', 'round']);
    } finally {
      await t.close();
    }
  });
});

describe('nothing committed is lost when the server is killed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-crash-'));
  const policyFile = join(dir, 'changeboard.yaml');
  writeFileSync(policyFile, EXAMPLE_POLICY);
  let receiver: HttpReceiver;
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
  });

  it('delivers every committed message after a SIGKILL mid-delivery', async () => {
    receiver = await startHttpReceiver();
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'changeboard.db')}`,
      CHANGEBOARD_CONFIG: policyFile,
      TEAMS_WEBHOOK_URL: receiver.url,
      AUDIT_WEBHOOK_URL: `${receiver.url}/audit`,
      AUDIT_WEBHOOK_SECRET: 'secret',
      ALLOW_PRIVATE_TARGETS: 'true',
      OUTBOX_LEASE: '2s',
    };
    // The receiver is slow: the server is killed while deliveries are in flight.
    receiver.replyWith(...Array.from({ length: 200 }, () => ({ delayMs: 1500 })));
    server = await startServer(env);
    const token = (await runCli(['token', 'create', 'priya'], env)).stdout.trim();
    const post = (path: string, body: unknown) =>
      fetch(`${server!.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string }>);
    for (let i = 0; i < 5; i++) {
      const change = await post(
        '/changes',
        buildChange({ title: `Crash test ${i}`, type: 'standard', template: 'rotate-tls-cert' }),
      );
      await post(`/changes/${change.id}/submit`, {});
    }
    // Requests are recorded once answered; the first answers take 1.5 s, so kill before any completes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.stop('SIGKILL');
    server = undefined;
    const seenBeforeKill = new Set(
      receiver.requests.map((r) => String(r.headers['x-changeboard-delivery'])),
    );

    // Every message committed before the kill, straight from the database.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(env.DATABASE_URL.slice('sqlite:'.length), { readonly: true });
    const committed = db
      .prepare("select id, status from outbox where kind in ('teams', 'webhook')")
      .all() as { id: string; status: string }[];
    db.close();
    // 5 changes × (3 audit events + 1 Teams card).
    expect(committed).toHaveLength(20);
    expect(committed.filter((m) => m.status === 'sent').length).toBeLessThan(20);

    receiver.replyWith();
    server = await startServer(env);
    await until(
      () =>
        committed.every((m) =>
          receiver.requests.some((r) => r.headers['x-changeboard-delivery'] === m.id),
        ),
      'every committed message to arrive',
    );
    const after = new Database(env.DATABASE_URL.slice('sqlite:'.length), { readonly: true });
    await until(() => {
      const rows = after
        .prepare("select status from outbox where kind in ('teams', 'webhook')")
        .all() as { status: string }[];
      return rows.every((r) => r.status === 'sent');
    }, 'the outbox to record every delivery');
    after.close();
    // At least once: a message may arrive twice (killed after the receiver got it), always with the same id.
    const received = receiver.requests.map((r) => String(r.headers['x-changeboard-delivery']));
    expect(new Set(received)).toEqual(new Set(committed.map((m) => m.id)));
    expect(seenBeforeKill.size).toBeLessThan(committed.length);
  });
});

describe.skipIf(!postgres)('two processes on one PostgreSQL database', () => {
  it('delivers each message exactly once between them', async () => {
    const database = await postgres!.create();
    const receiver = await startHttpReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-two-'));
    const policyFile = join(dir, 'changeboard.yaml');
    writeFileSync(policyFile, EXAMPLE_POLICY);
    const env = {
      DATABASE_URL: database.url,
      CHANGEBOARD_CONFIG: policyFile,
      TEAMS_WEBHOOK_URL: receiver.url,
      AUDIT_WEBHOOK_URL: `${receiver.url}/audit`,
      AUDIT_WEBHOOK_SECRET: 'secret',
      ALLOW_PRIVATE_TARGETS: 'true',
    };
    receiver.replyWith(...Array.from({ length: 400 }, () => ({ delayMs: 20 })));
    const servers = await Promise.all([startServer(env), startServer(env)]);
    try {
      const token = (await runCli(['token', 'create', 'priya'], env)).stdout.trim();
      // A board open on the second process hears about changes made through the first (LISTEN/NOTIFY).
      const board = await openLiveStream(servers[1].url, token);
      const post = (base: string, path: string, body: unknown) =>
        fetch(`${base}/api/v1${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ id: string }>);
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const base = servers[i % 2]!.url;
          const change = await post(
            base,
            '/changes',
            buildChange({
              title: `Two processes ${i} ${randomUUID()}`,
              type: 'standard',
              template: 'rotate-tls-cert',
            }),
          );
          await post(base, `/changes/${change.id}/submit`, {});
        }),
      );
      // 20 changes × (created, submitted, approved to the audit sink + one Teams card).
      await until(() => receiver.requests.length >= 80, '80 deliveries');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = receiver.requests.map((r) => String(r.headers['x-changeboard-delivery']));
      expect(ids).toHaveLength(80);
      expect(new Set(ids).size).toBe(80);
      const heard = board.updates().filter((u) => u.state === 'approved');
      expect(heard).toHaveLength(20);
      board.close();
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await receiver.close();
      await database.drop();
    }
  });
});

describe.skipIf(!postgres)('serve --workers on PostgreSQL', () => {
  it('runs several processes on one port, with live updates reaching every board', async () => {
    const database = await postgres!.create();
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-workers-'));
    const policyFile = join(dir, 'changeboard.yaml');
    writeFileSync(policyFile, EXAMPLE_POLICY);
    const env = { DATABASE_URL: database.url, CHANGEBOARD_CONFIG: policyFile };
    const server = await startServer(env, undefined, ['--workers', '2']);
    try {
      const token = (await runCli(['token', 'create', 'priya'], env)).stdout.trim();
      // Several streams: the cluster spreads connections, so some land on each worker.
      const boards = await Promise.all(
        Array.from({ length: 4 }, () => openLiveStream(server.url, token)),
      );
      for (let i = 0; i < 6; i++) {
        const created = await fetch(`${server.url}/api/v1/changes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(
            buildChange({ title: `Worker ${i}`, type: 'standard', template: 'rotate-tls-cert' }),
          ),
        }).then((r) => r.json() as Promise<{ id: string }>);
        await fetch(`${server.url}/api/v1/changes/${created.id}/submit`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
      }
      await until(
        () => boards.every((b) => b.updates().filter((u) => u.state === 'approved').length === 6),
        'every board to hear every approval',
      );
      for (const board of boards) board.close();
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
      await database.drop();
    }
  });
});

interface LiveStream {
  updates(): { changeId: string; state: string }[];
  close(): void;
}

/** Reads GET /api/v1/events/stream (server-sent events) in the background. */
async function openLiveStream(base: string, token: string): Promise<LiveStream> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  let text = '';
  const reader = response.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();
  await until(() => text.length > 0, 'the stream to open');
  return {
    updates: () =>
      text
        .split('\n\n')
        .filter((block) => block.includes('event: change'))
        .map(
          (block) =>
            JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { changeId: string; state: string },
        ),
    close: () => controller.abort(),
  };
}
