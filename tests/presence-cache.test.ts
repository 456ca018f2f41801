import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresenceCache } from '../src/app/presence-cache.js';
import type { StoredAbsence } from '../src/app/ports.js';
import { ManualClock } from '../src/shared/clock.js';
import { parsePolicy } from '../src/policy/load.js';
import { EXAMPLE_POLICY, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

const UNTIL = '2027-01-12T09:00:00Z';

describe('PresenceCache', () => {
  const absence = (person: string): StoredAbsence => ({
    person,
    from: '2026-11-01T00:00:00Z',
    until: UNTIL,
    delegate: null,
    note: null,
    setBy: person,
    setAt: '2026-11-01T00:00:00Z',
  });
  const stored = (absences: StoredAbsence[]) => {
    const repos = {
      reads: 0,
      absences: {
        list: () => {
          repos.reads++;
          return Promise.resolve(absences);
        },
        find: () => Promise.resolve(undefined),
      },
    };
    return repos;
  };
  const parsed = parsePolicy(EXAMPLE_POLICY);
  if (!parsed.ok) throw new Error('the example policy does not load');
  const { policy } = parsed;

  it('reads who is away once per time to live', async () => {
    const clock = new ManualClock('2026-11-02T10:00:00Z');
    const cache = new PresenceCache(clock, 1000);
    const repos = stored([absence('sam')]);
    expect((await cache.presence(repos, policy)).awayNow('sam')).toBeDefined();
    clock.advance(999);
    await cache.presence(repos, policy);
    expect(repos.reads).toBe(1);
    clock.advance(1);
    await cache.presence(repos, policy);
    expect(repos.reads).toBe(2);
    // A clock set back: read again rather than trust an entry from the future.
    clock.set(new Date('2026-11-02T09:00:00Z'));
    await cache.presence(repos, policy);
    expect(repos.reads).toBe(3);
  });

  it('works out presence at each request’s time, from the list it kept', async () => {
    const clock = new ManualClock('2027-01-12T08:59:59Z');
    const cache = new PresenceCache(clock);
    const repos = stored([absence('sam')]);
    expect((await cache.presence(repos, policy)).awayNow('sam')).toBeDefined();
    clock.advance(1000);
    expect((await cache.presence(repos, policy)).awayNow('sam')).toBeUndefined();
    expect(repos.reads).toBe(1);
  });

  it('reads again after forget, and never keeps a read that a forget overtook', async () => {
    const clock = new ManualClock('2026-11-02T10:00:00Z');
    const cache = new PresenceCache(clock);
    let release = () => {};
    const slow = {
      absences: {
        list: () =>
          new Promise<StoredAbsence[]>((resolve) => (release = () => resolve([absence('sam')]))),
        find: () => Promise.resolve(undefined),
      },
    };
    const pending = cache.presence(slow, policy);
    cache.forget(); // sam's absence ended while the read was on its way
    release();
    expect((await pending).awayNow('sam')).toBeDefined();
    const fresh = stored([]);
    expect((await cache.presence(fresh, policy)).awayNow('sam')).toBeUndefined();
    expect(fresh.reads).toBe(1);
  });
});

describe.each(databaseKinds)('a change as its page reads it on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows an absence the moment it is set or ended, with the clock standing still', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    const onBehalf = async () =>
      (await t.call('kim', 'GET', `/changes/${change.id}`)).body.onBehalfOptions as string[];
    expect(await onBehalf()).toEqual([]);
    await t.call('sam', 'PUT', '/people/sam/absence', { until: UNTIL });
    expect(await onBehalf()).toEqual(['sam']);
    const board = await t.call('kim', 'GET', '/changes?awaiting=me');
    expect((board.body.items as { id: string }[]).map((c) => c.id)).toContain(change.id);
    await t.call('sam', 'DELETE', '/people/sam/absence');
    expect(await onBehalf()).toEqual([]);
  });

  it('reads the decisions of the current round only, in the order they were taken', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await t.call('tom', 'POST', `/changes/${change.id}/approve`);
    const read = async () => (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
    expect((await read()).decisions.map((d: { person: string }) => d.person)).toEqual([
      'lee',
      'tom',
    ]);
    const id = Number(String(change.id).replace('CHG-', ''));
    const found = await t.ctx.store.read.changes.findWithDecisions(id);
    const current = await t.ctx.store.read.changes.find(id);
    expect(found).toEqual({
      change: current,
      decisions: await t.ctx.store.read.changes.listDecisions(id, current!.round),
    });
    // An edit starts a new round: the earlier decisions stay in the history, not on the change.
    const edited = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: (await read()).version,
      title: 'Hotfix the payment timeout, again',
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect((await read()).decisions).toEqual([]);
    expect((await t.ctx.store.read.changes.findWithDecisions(id))?.decisions).toEqual([]);
    expect(await t.ctx.store.read.changes.findWithDecisions(999_999)).toBeUndefined();
  });
});
