import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyChain } from '../src/app/audit.js';
import type { Store } from '../src/app/ports.js';
import type { Database } from '../src/storage/database.js';
import {
  databaseKinds,
  openMigratedStore,
  postgres,
  type TestDatabase,
} from './_util/databases.js';

describe.each(databaseKinds)('group commit on $name', (kind) => {
  let testDatabase: TestDatabase;
  let store: Store;
  let database: Database;

  beforeEach(async () => {
    testDatabase = await kind.create();
    ({ store, database } = await openMigratedStore(testDatabase.url));
  });

  afterEach(async () => {
    await store.close();
    await testDatabase.drop();
  });

  const remember = (hash: string) =>
    store.transaction(async (tx) => {
      await tx.policies.remember({ hash, source: hash }, '2026-11-26T00:00:00.000Z');
      return hash;
    });
  const stored = async (hash: string) => (await store.read.policies.find(hash)) !== undefined;

  it('commits transactions that arrive together, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => remember(`h${i}`)));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => `h${i}`));
    for (const hash of results) expect(await stored(hash)).toBe(true);
  });

  it('rolls back a failing transaction alone, keeping its neighbours in the batch', async () => {
    const failing = store.transaction(async (tx) => {
      await tx.policies.remember({ hash: 'doomed', source: 'x' }, '2026-11-26T00:00:00.000Z');
      throw new Error('refused by the rules');
    });
    const outcomes = await Promise.allSettled([remember('before'), failing, remember('after')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      message: 'refused by the rules',
    });
    expect(await stored('before')).toBe(true);
    expect(await stored('doomed')).toBe(false);
    expect(await stored('after')).toBe(true);
  });

  const commented = (
    changeId: number,
    fail = false,
    data: Record<string, unknown> = { body: `on ${changeId}` },
  ) =>
    store.transaction(async (tx) => {
      const [event] = await tx.events.append(
        [{ changeId, type: 'commented', actor: 'kim', data }],
        { at: '2026-11-26T00:00:00.000Z', policyHash: 'p' },
      );
      if (fail) throw new Error('refused after appending');
      return event!;
    });

  it('keeps the audit chain whole when a transaction that appended is rolled back', async () => {
    // The first appender (which read the head) fails, and one in the middle.
    const outcomes = await Promise.allSettled([
      commented(1, true),
      commented(2),
      commented(3, true),
      commented(4),
      commented(5),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    // Ids and hashes are given when the batch seals; the same objects are completed.
    expect(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.id] : []))).toEqual([
      1, 2, 3,
    ]);
    const events = await store.read.events.listAll(0, 10);
    expect(events.map((e) => e.changeId)).toEqual([2, 4, 5]);
    expect(await verifyChain(store.read)).toMatchObject({ ok: true });
    expect(await store.read.events.head()).toEqual({ lastId: 3, lastHash: events[2]!.hash });

    // The next batch continues from the head the last one wrote.
    await Promise.all([commented(6), commented(7)]);
    expect(await verifyChain(store.read)).toMatchObject({ ok: true });
    expect((await store.read.events.head())?.lastId).toBe(5);
  });

  it('fails alone a transaction that breaks the shared seal: its 40 neighbours are stored', async () => {
    // A lone surrogate cannot be hashed (RFC 8785), so this one fails only when the batch seals.
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => commented(i + 1)),
      commented(99, false, { body: 'broken \ud800 text' }),
      ...Array.from({ length: 20 }, (_, i) => commented(i + 21)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(20).fill('fulfilled'),
      'rejected',
      ...Array(20).fill('fulfilled'),
    ]);
    const events = await store.read.events.listAll(0, 100);
    expect(events.map((e) => e.changeId).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(await verifyChain(store.read)).toMatchObject({ ok: true, count: 40 });
    // The dispatcher's claims and every later batch carry on as usual.
    expect(await remember('after')).toBe('after');
  });

  it('resolves the events an outbox message refers to when it seals them', async () => {
    const [a, b] = await Promise.all(
      [7, 8].map((changeId) =>
        store.transaction(async (tx) => {
          const appended = await tx.events.append(
            [{ changeId, type: 'commented', actor: 'kim', data: { body: 'hi' } }],
            { at: '2026-11-26T00:00:00.000Z', policyHash: 'p' },
          );
          tx.events.planMessages(
            [
              {
                id: `m${changeId}`,
                kind: 'webhook',
                target: 'audit-sink',
                changeId,
                eventId: appended[0]!.id,
                payload: { event: appended[0], eventId: appended[0]!.id },
                notBefore: '2026-11-26T00:00:00.000Z',
              },
            ],
            '2026-11-26T00:00:00.000Z',
          );
          return appended[0]!;
        }),
      ),
    );
    const stored = await store.read.events.listAll(0, 10);
    expect(stored).toEqual([a, b]);
    for (const event of [a!, b!]) {
      const [message] = await store.read.outbox.list({ changeId: event.changeId, limit: 5 });
      expect(message).toMatchObject({ eventId: event.id });
      expect(message!.payload).toEqual({ event, eventId: event.id });
    }
    expect(await verifyChain(store.read)).toMatchObject({ ok: true });
  });

  it('seals a batch whose rows pass the parameter limit of one statement', async () => {
    // 64 use cases that each tell 80 people: 5,120 outbox rows, 71,680 parameters.
    const appended = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        store.transaction(async (tx) => {
          const [event] = await tx.events.append(
            [{ changeId: i + 1, type: 'commented', actor: 'kim', data: { body: 'hi' } }],
            { at: '2026-11-26T00:00:00.000Z', policyHash: 'p' },
          );
          tx.events.planMessages(
            Array.from({ length: 80 }, (_, n) => ({
              id: `m${i}-${n}`,
              kind: 'email',
              target: `person-${n}`,
              changeId: i + 1,
              eventId: event!.id,
              payload: { template: 'event', eventId: event!.id },
              notBefore: '2026-11-26T00:00:00.000Z',
            })),
            '2026-11-26T00:00:00.000Z',
          );
          return event!;
        }),
      ),
    );
    expect(appended.map((e) => e.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 64 }, (_, i) => i + 1),
    );
    const messages = await store.read.outbox.list({ changeId: 64, limit: 100 });
    expect(messages).toHaveLength(80);
    const last = appended.find((e) => e.changeId === 64)!;
    for (const message of messages) {
      expect(message.eventId).toBe(last.id);
      expect(message.payload).toEqual({ template: 'event', eventId: last.id });
    }
    expect(await verifyChain(store.read)).toMatchObject({ ok: true });
  });

  it('leaves user data that happens to be called eventId alone', async () => {
    const event = await store.transaction(async (tx) => {
      const [appended] = await tx.events.append(
        [{ changeId: 1, type: 'commented', actor: 'kim', data: { body: 'hi', eventId: -1 } }],
        { at: '2026-11-26T00:00:00.000Z', policyHash: 'p' },
      );
      tx.events.planMessages(
        [
          {
            id: 'audit',
            kind: 'webhook',
            target: 'audit-sink',
            changeId: 1,
            eventId: appended!.id,
            payload: { event: appended },
            notBefore: '2026-11-26T00:00:00.000Z',
          },
        ],
        '2026-11-26T00:00:00.000Z',
      );
      return appended!;
    });
    const [message] = await store.read.outbox.list({ changeId: 1, limit: 5 });
    expect(message!.payload).toEqual({ event });
    expect(event.data).toEqual({ body: 'hi', eventId: -1 });
  });

  it('runs after-commit callbacks only for transactions that were stored', async () => {
    const called: string[] = [];
    await Promise.allSettled([
      store.transaction(async (tx) => {
        tx.afterCommit(() => called.push('kept'));
        await tx.policies.remember({ hash: 'kept', source: 'x' }, '2026-11-26T00:00:00.000Z');
      }),
      store.transaction((tx) => {
        tx.afterCommit(() => called.push('dropped'));
        return Promise.reject(new Error('no'));
      }),
    ]);
    expect(called).toEqual(['kept']);
  });

  it('answers nobody before the shared commit: a reader sees every write once told', async () => {
    const writes = Array.from({ length: 50 }, (_, i) =>
      remember(`w${i}`).then(async (hash) => stored(hash)),
    );
    expect(await Promise.all(writes)).toEqual(Array(50).fill(true));
  });

  it('records a decision with the version it belongs to, and never without it', async () => {
    await sql`insert into changes (title, description, type, services, answers, links, requester, state, version, round, requirements, meetings, created_at, updated_at)
      values ('D', '', 'normal', '[]', '{}', '[]', 'priya', 'pending', 1, 1, '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
      database.db,
    );
    const change = (await store.read.changes.list({ limit: 1 }))[0]!;
    const decision = (person: string) => ({
      changeId: change.id,
      round: 1,
      person,
      verdict: 'approve' as const,
      comment: null,
      at: '2026-01-01T00:01:00.000Z',
    });
    // Based on a version that is not the stored one: nothing written, and the caller rolls back.
    const stale = store.transaction(async (tx) => {
      const written = await tx.changes.update(
        { ...change, version: 3 },
        { ...change, version: 2 },
        { decision: decision('kim') },
      );
      if (!written) throw new Error('stale');
    });
    await expect(stale).rejects.toThrow('stale');
    const written = await store.transaction((tx) =>
      tx.changes.update({ ...change, version: 2 }, change, { decision: decision('lee') }),
    );
    expect(written).toBe(true);
    const found = await store.read.changes.findWithDecisions(change.id);
    expect(found?.change.version).toBe(2);
    expect(found?.decisions.map((d) => d.person)).toEqual(['lee']);
  });

  it('shares who is away within a batch, yet each job sees the absences written before it', async () => {
    const absence = (person: string) => ({
      person,
      from: '2026-12-01T00:00:00.000Z',
      until: '2026-12-31T00:00:00.000Z',
      delegate: null,
      note: null,
      setBy: person,
      setAt: '2026-11-30T00:00:00.000Z',
    });
    const away = (tx: { absences: { list(): Promise<{ person: string }[]> } }) =>
      tx.absences.list().then((list) => list.map((a) => a.person));
    let seenBeforeRollback: string[] = [];
    const seen = await Promise.allSettled([
      store.transaction(away),
      store.transaction(async (tx) => {
        await tx.absences.put(absence('sam'));
        return away(tx);
      }),
      store.transaction(away),
      // Rolled back: the absence it wrote is gone for the jobs after it.
      store.transaction(async (tx) => {
        await tx.absences.put(absence('kim'));
        seenBeforeRollback = await away(tx);
        throw new Error('changed its mind');
      }),
      store.transaction(away),
      store.transaction(async (tx) => {
        // What a job's caller does with the list is its own.
        const list = await tx.absences.list();
        list.length = 0;
        return away(tx);
      }),
    ]);
    expect(seenBeforeRollback).toEqual(['kim', 'sam']);
    expect(seen.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'))).toEqual([
      [],
      ['sam'],
      ['sam'],
      'failed',
      ['sam'],
      ['sam'],
    ]);
  });
});

describe.skipIf(!postgres)('group commit across processes on PostgreSQL', () => {
  it('runs the loser of a deadlock between two batches again, so both succeed', async () => {
    const testDatabase = await postgres!.create();
    const a = await openMigratedStore(testDatabase.url);
    const b = await openMigratedStore(testDatabase.url);
    try {
      for (const title of ['X', 'Y'])
        await sql`insert into changes (title, description, type, services, answers, links, requester, state, version, round, requirements, meetings, created_at, updated_at)
          values (${title}, '', 'normal', '[]', '{}', '[]', 'priya', 'draft', 1, 0, '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
          a.database.db,
        );
      const [x, y] = (await a.store.read.changes.list({ limit: 2 })).map((c) => c.id).reverse();
      // Each batch locks one change, waits until the other has too, then wants the other's.
      let arrived = 0;
      let bothLocked!: () => void;
      const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
      const crossing = (store: Store, first: number, second: number) => {
        let attempts = 0;
        return store.transaction(async (tx) => {
          attempts += 1;
          await tx.changes.find(first, { forUpdate: true });
          if (attempts === 1 && ++arrived === 2) bothLocked();
          if (attempts === 1) await barrier;
          await tx.changes.find(second, { forUpdate: true });
          return attempts;
        });
      };
      const attempts = await Promise.all([crossing(a.store, x!, y!), crossing(b.store, y!, x!)]);
      // One of them lost the deadlock and ran again.
      expect(attempts.sort()).toEqual([1, 2]);
    } finally {
      await a.store.close();
      await b.store.close();
      await testDatabase.drop();
    }
  }, 20_000);

  it('reads the decisions a lock waited for: the other process’s approval is seen', async () => {
    const testDatabase = await postgres!.create();
    const a = await openMigratedStore(testDatabase.url);
    const b = await openMigratedStore(testDatabase.url);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    try {
      await sql`insert into changes (title, description, type, services, answers, links, requester, state, version, round, requirements, meetings, created_at, updated_at)
        values ('X', '', 'normal', '[]', '{}', '[]', 'priya', 'pending', 1, 1, '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
        a.database.db,
      );
      const id = (await a.store.read.changes.list({ limit: 1 }))[0]!.id;
      const decision = (person: string) => ({
        changeId: id,
        round: 1,
        person,
        verdict: 'approve' as const,
        comment: null,
        at: '2026-01-01T00:01:00.000Z',
      });
      let locked!: () => void;
      const hasLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = a.store.transaction(async (tx) => {
        const found = await tx.changes.findWithDecisions(id, { forUpdate: true });
        await tx.changes.update({ ...found!.change, version: 2 }, found!.change, {
          decision: decision('lee'),
        });
        locked();
        await released;
      });
      await hasLocked;
      // The second waits for the first's lock; its snapshot was taken before the first commits.
      const second = b.store.transaction((tx) =>
        tx.changes.findWithDecisions(id, { forUpdate: true }),
      );
      // Only once it is waiting for the lock does the test mean anything.
      const waiting = async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'
              and query like '%seen_version%'`.execute(a.database.db)
        ).rows[0]!.n;
      const started = Date.now();
      while ((await waiting()) === 0 && Date.now() - started < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await waiting()).toBe(1);
      release();
      await first;
      const seen = await second;
      expect(seen?.change.version).toBe(2);
      expect(seen?.decisions.map((d) => d.person)).toEqual(['lee']);
    } finally {
      release();
      await a.store.close();
      await b.store.close();
      await testDatabase.drop();
    }
  }, 20_000);

  it('holds the chain head only to seal: another process commits while a batch is still running', async () => {
    const testDatabase = await postgres!.create();
    const a = await openMigratedStore(testDatabase.url);
    const b = await openMigratedStore(testDatabase.url);
    const comment = (changeId: number) =>
      [{ changeId, type: 'commented' as const, actor: 'kim', data: { body: 'hi' } }] as const;
    const context = { at: '2026-11-26T00:00:00.000Z', policyHash: 'p' };
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    try {
      let appended!: () => void;
      const hasAppended = new Promise<void>((resolve) => (appended = resolve));
      const running = a.store.transaction(async (tx) => {
        await tx.events.append(comment(1), context);
        appended();
        await finished; // still inside its transaction, after its append
      });
      await hasAppended;
      const other = b.store.transaction((tx) => tx.events.append(comment(2), context));
      const waited = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('waited for the other batch to commit')), 5_000),
      );
      await Promise.race([other, waited]);
      finish();
      await running;
      const events = await b.store.read.events.listAll(0, 10);
      expect(events.map((e) => [e.id, e.changeId])).toEqual([
        [1, 2],
        [2, 1],
      ]);
      expect(await verifyChain(b.store.read)).toMatchObject({ ok: true });
    } finally {
      finish();
      await a.store.close();
      await b.store.close();
      await testDatabase.drop();
    }
  }, 20_000);
});
