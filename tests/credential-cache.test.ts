import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_TTL_MS, CredentialCache } from '../src/app/credential-cache.js';
import { createApiToken, revokeApiToken } from '../src/app/tokens.js';
import { ManualClock } from '../src/shared/clock.js';
import { digestSecret, generateSecret } from '../src/shared/tokens.js';
import { startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { browserCall, signIn } from './_util/web.js';

describe('CredentialCache', () => {
  const clock = new ManualClock('2026-11-02T10:00:00Z');
  const counting = (value: { person: string } | undefined) => {
    const load = () => {
      load.calls++;
      return Promise.resolve(value);
    };
    load.calls = 0;
    return load;
  };

  it('answers from memory until the time to live has passed', async () => {
    const cache = new CredentialCache<{ person: string }>(clock, { ttlMs: 1000 });
    const load = counting({ person: 'lee' });
    expect(await cache.get('a', load)).toEqual({ person: 'lee' });
    clock.advance(999);
    expect(await cache.get('a', load)).toEqual({ person: 'lee' });
    expect(load.calls).toBe(1);
    clock.advance(1);
    await cache.get('a', load);
    expect(load.calls).toBe(2);
  });

  it('never remembers a credential that was not found', async () => {
    const cache = new CredentialCache<{ person: string }>(clock);
    const missing = counting(undefined);
    expect(await cache.get('b', missing)).toBeUndefined();
    expect(await cache.get('b', missing)).toBeUndefined();
    expect(missing.calls).toBe(2);
  });

  it('forgets one credential, or every one that matches', async () => {
    const cache = new CredentialCache<{ person: string }>(clock);
    for (const [digest, person] of [
      ['c', 'lee'],
      ['d', 'lee'],
      ['e', 'kim'],
    ] as const)
      await cache.get(digest, () => Promise.resolve({ person }));
    cache.forget('c');
    cache.forgetWhere((value) => value.person === 'lee');
    const loads = ['c', 'd', 'e'].map(() => counting({ person: 'x' }));
    for (const [i, digest] of ['c', 'd', 'e'].entries()) await cache.get(digest, loads[i]!);
    expect(loads.map((load) => load.calls)).toEqual([1, 1, 0]);
  });

  it('does not bring back what was forgotten while it was being looked up', async () => {
    const cache = new CredentialCache<{ person: string }>(clock);
    let finish: (value: { person: string }) => void = () => undefined;
    const pending = cache.get('i', () => new Promise((resolve) => (finish = resolve)));
    cache.forget('i'); // revoked while the lookup was on its way
    finish({ person: 'lee' });
    await pending;
    const again = counting(undefined);
    expect(await cache.get('i', again)).toBeUndefined();
    expect(again.calls).toBe(1);
  });

  it('updates an entry only if it still holds what the update was based on', async () => {
    const cache = new CredentialCache<{ person: string; seen: number }>(clock);
    const first = { person: 'lee', seen: 1 };
    await cache.get('j', () => Promise.resolve(first));
    cache.forget('j');
    const reloaded = { person: 'lee', seen: 2 };
    await cache.get('j', () => Promise.resolve(reloaded));
    cache.update('j', first, { person: 'lee', seen: 3 }); // based on the forgotten one
    expect(await cache.get('j', () => Promise.resolve(undefined))).toBe(reloaded);
    cache.update('j', reloaded, { person: 'lee', seen: 4 });
    expect(await cache.get('j', () => Promise.resolve(undefined))).toEqual({
      person: 'lee',
      seen: 4,
    });
  });

  it('reads again when the clock has been set back', async () => {
    const cache = new CredentialCache<{ person: string }>(clock);
    const load = counting({ person: 'lee' });
    await cache.get('k', load);
    clock.advance(-60_000);
    await cache.get('k', load);
    expect(load.calls).toBe(2);
    clock.advance(60_000);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new CredentialCache<{ person: string }>(clock, { maxEntries: 2 });
    for (const digest of ['f', 'g', 'h']) await cache.get(digest, counting({ person: digest }));
    const f = counting({ person: 'f' });
    const h = counting({ person: 'h' });
    await cache.get('f', f);
    await cache.get('h', h);
    expect([f.calls, h.calls]).toEqual([1, 0]);
  });
});

describe.each(databaseKinds)('credentials checked through the API on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const newToken = async (person: string) =>
    createApiToken({ policy: t.ctx.policy, clock: t.clock, store: t.ctx.store }, person);
  const getPolicy = (token: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/v1/policy',
      headers: { authorization: `Bearer ${token}` },
    });

  it('refuses a token revoked by this process at once', async () => {
    const { token, record } = await newToken('lee');
    expect((await getPolicy(token)).statusCode).toBe(200);
    expect(await revokeApiToken(t.ctx, record.id)).toBe(true);
    expect((await getPolicy(token)).statusCode).toBe(401);
  });

  it('refuses a token revoked by another process within the time to live', async () => {
    const { token, record } = await newToken('lee');
    expect((await getPolicy(token)).statusCode).toBe(200);
    // Straight in the database, as the CLI's `token revoke` in its own process does.
    await t.ctx.store.direct.tokens.revoke(record.id, t.clock.now().toISOString());
    t.clock.advance(CREDENTIAL_TTL_MS - 1);
    expect((await getPolicy(token)).statusCode).toBe(200);
    t.clock.advance(1);
    const refused = await getPolicy(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toContain('unknown or revoked');
  });

  it('accepts a token as soon as it is stored, however recently it was refused', async () => {
    const token = generateSecret('cb');
    expect((await getPolicy(token)).statusCode).toBe(401);
    // Stored by another process (the CLI's `token create`), straight in the database.
    await t.ctx.store.direct.tokens.insert({
      digest: digestSecret(token),
      person: 'kim',
      label: 'cli',
      scope: 'api',
      createdAt: t.clock.now().toISOString(),
    });
    expect((await getPolicy(token)).statusCode).toBe(200);
  });

  it('refuses a session ended by another process within the time to live', async () => {
    const session = await signIn(t, 'dev');
    expect((await browserCall(t, session, 'GET', '/session')).status).toBe(200);
    const cookie = decodeURIComponent(session.cookie.split('=')[1]!);
    await t.ctx.store.direct.sessions.revoke(digestSecret(cookie), t.clock.now().toISOString());
    expect((await browserCall(t, session, 'GET', '/session')).status).toBe(200);
    t.clock.advance(CREDENTIAL_TTL_MS);
    expect((await browserCall(t, session, 'GET', '/session')).status).toBe(401);
  });
});
