import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../app/ports.js';
import { createStore, migrateToLatest, openDatabase, type Database } from './database.js';

describe('group commit on SQLite', () => {
  let dir: string;
  let database: Database;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'changeboard-group-commit-'));
    database = openDatabase({ dialect: 'sqlite', location: join(dir, 'test.db') });
    await migrateToLatest(database);
    store = createStore(database);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
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
});
