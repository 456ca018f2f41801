import { afterEach, describe, expect, it } from 'vitest';
import { ChangeCache } from '../src/app/change-cache.js';
import type { ChangeKey } from '../src/app/ports.js';
import { decideChange } from '../src/app/decide-change.js';
import { saveChange } from '../src/app/deps.js';
import { readConfig } from '../src/config/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

describe.each(databaseKinds)('board pages kept by version on $name', (kind) => {
  let t: TestApp;
  let other: AppContext | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await t.close();
  });

  const onBoard = async (id: string, person = 'lee') => {
    const res = await t.call(person, 'GET', '/changes?state=pending,approved');
    expect(res.status).toBe(200);
    return res.body.items.find((c: { id: string }) => c.id === id);
  };

  it('shows every write made through the API', async () => {
    t = await startTestApp(kind);
    const { id } = await submittedChange(t, 'priya', { title: 'Cache me' });
    expect(await onBoard(id)).toMatchObject({ title: 'Cache me', version: 2 });

    const edited = await t.call('priya', 'PATCH', `/changes/${id}`, {
      version: 2,
      title: 'Cache me again',
    });
    expect(edited.status).toBe(200);
    expect(await onBoard(id)).toMatchObject({ title: 'Cache me again', version: 3 });

    const approved = await t.call('lee', 'POST', `/changes/${id}/approve`, {});
    expect(approved.status).toBe(200);
    const shown = await onBoard(id, 'kim');
    expect(shown.decisions).toEqual([expect.objectContaining({ person: 'lee' })]);
    expect(shown).toMatchObject(approved.body.state === 'approved' ? { state: 'approved' } : {});
    // The viewer's own actions are not kept with the change.
    expect((await onBoard(id, 'lee')).actions).not.toContain('approve');
  });

  it('shows what another process wrote to the same database', async () => {
    t = await startTestApp(kind);
    const { id, number } = await submittedChange(t, 'priya', { title: 'Approved elsewhere' });
    expect((await onBoard(id)).actions).toContain('approve');

    const config = readConfig({
      DATABASE_URL: t.databaseUrl,
      CHANGEBOARD_CONFIG: t.policyFile,
      PUBLIC_URL: 'http://changeboard.test',
    });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    other = await createContext(config.config, { clock: t.clock });
    await decideChange(other, other.policy.people.get('lee')!, number, 'approve', {});

    const shown = await onBoard(id);
    expect(shown.version).toBe(3);
    expect(shown.decisions).toEqual([
      expect.objectContaining({ person: 'lee', verdict: 'approve' }),
    ]);
    expect(shown.actions).not.toContain('approve');
  });

  it('hands out the same objects while a version holds, and stays within its capacity', async () => {
    t = await startTestApp(kind);
    for (const title of ['One', 'Two', 'Three']) await submittedChange(t, 'priya', { title });
    const repos = t.ctx.store.read;
    const cache = new ChangeCache(2);
    const load = async (keys: readonly ChangeKey[]) => {
      const items = await cache.load(repos, keys);
      if (!items) throw new Error('the page moved');
      return items;
    };
    const keys = await repos.changes.listKeys({ limit: 10 });
    expect(keys.map((k) => k.version)).toEqual([2, 2, 2]);

    const first = await load(keys);
    expect(first.map((item) => item.change.title)).toEqual(['Three', 'Two', 'One']);
    // The page's last two were the last remembered; "Three" made way.
    expect(cache.size).toBe(2);
    const again = await load(keys.slice(1));
    expect(again[0]).toBe(first[1]);
    expect(again[1]).toBe(first[2]);

    const two = first[1]!.change;
    const edited = await t.call('priya', 'PATCH', `/changes/CHG-${two.id}`, {
      version: two.version,
      title: 'Two, edited',
    });
    expect(edited.status).toBe(200);
    const after = await load((await repos.changes.listKeys({ limit: 10 })).slice(1));
    expect(after[0]).not.toBe(first[1]);
    expect(after[0]!.change.title).toBe('Two, edited');
    expect(after[1]).toBe(first[2]);
  });

  it('reads a page again when a change on it was written after its key was read', async () => {
    t = await startTestApp(kind);
    const { number } = await submittedChange(t, 'priya', { title: 'Rejected meanwhile' });
    const repos = t.ctx.store.read;
    const keys = await repos.changes.listKeys({ states: ['pending'], limit: 10 });
    expect(keys).toEqual([{ id: number, version: 2 }]);
    const rejected = await t.call('lee', 'POST', `/changes/CHG-${number}/reject`, {
      comment: 'Not now',
    });
    expect(rejected.status).toBe(200);
    // The row is newer than its key: it may have left the page's filter.
    expect(await new ChangeCache().load(repos, keys)).toBeUndefined();
    // The API reads the page again and no longer shows it as pending.
    const pending = await t.call('lee', 'GET', '/changes?state=pending&view=card');
    expect(pending.body.items).toEqual([]);
    const waiting = await t.call('lee', 'GET', '/changes?awaiting=me');
    expect(waiting.body.items).toEqual([]);
  });

  it('refuses a write that would keep the version', async () => {
    t = await startTestApp(kind);
    const { number } = await submittedChange(t, 'priya');
    const change = (await t.ctx.store.read.changes.find(number))!;
    await expect(
      t.ctx.store.transaction((tx) => saveChange(tx, { ...change, title: 'Sneaky' }, change)),
    ).rejects.toThrow(/must move to version 3/);
    expect((await t.ctx.store.read.changes.find(number))!.title).toBe(change.title);
  });
});
