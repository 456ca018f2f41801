import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/app/ports.js';
import { databaseKinds, openMigratedStore, type TestDatabase } from './_util/databases.js';

const AT = '2026-11-26T10:00:00.000Z';

describe.each(databaseKinds)('the store outside transactions on $name', (kind) => {
  let testDatabase: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    testDatabase = await kind.create();
    ({ store } = await openMigratedStore(testDatabase.url));
  });

  afterEach(async () => {
    await store.close();
    await testDatabase.drop();
  });

  it('reads without any way to write', () => {
    const writes: Record<string, string[]> = {
      changes: ['insert', 'update', 'insertDecision'],
      events: ['append', 'planMessages'],
      tokens: ['insert', 'touch', 'revoke'],
      policies: ['remember'],
      outbox: ['enqueue', 'claim', 'complete', 'completeMany', 'fail', 'retry', 'sendNow'],
      actionLinks: ['insert', 'use'],
      sessions: ['insert', 'touch', 'revoke', 'revokeAllFor'],
      github: ['insertDelivery', 'updateDelivery', 'deleteDeliveriesBefore', 'lockPullRequest'],
    };
    const offered = Object.entries(writes).flatMap(([name, methods]) => {
      const view = store.read[name as keyof Store['read']] as object;
      return methods.filter((method) => method in view).map((method) => `${name}.${method}`);
    });
    expect(offered).toEqual([]);
    expect(Object.keys(store.read.changes)).toContain('find');
    for (const name of ['nudges', 'signInLinks', 'oidcLogins', 'rateLimits'])
      expect(name in store.read, `${name} in the read view`).toBe(false);
    // @ts-expect-error: the types refuse it as well.
    expect(store.read.changes.insert).toBeUndefined();
  });

  it('writes outside a transaction only what is named, and reads it back at once', async () => {
    expect(Object.keys(store.direct).sort()).toEqual([
      'actionLinks',
      'externalLinks',
      'oidcLogins',
      'outbox',
      'policies',
      'sessions',
      'signInLinks',
      'slackMessages',
      'tokens',
    ]);
    expect('enqueue' in store.direct.outbox).toBe(false);
    // The dispatcher's claim is one statement, each row leased to one worker: it waits for no batch.
    expect('claim' in store.direct.outbox).toBe(true);
    // An external link is spent only with the decision it makes, in its transaction.
    expect('use' in store.direct.externalLinks).toBe(false);
    await store.direct.sessions.insert({
      digest: 'd1',
      person: 'lee',
      via: 'email',
      createdAt: AT,
      expiresAt: '2026-12-03T10:00:00.000Z',
    });
    expect(await store.read.sessions.findByDigest('d1')).toMatchObject({
      person: 'lee',
      revokedAt: null,
    });
    expect(await store.direct.sessions.revoke('d1', AT)).toBe(true);
    expect((await store.read.sessions.findByDigest('d1'))?.revokedAt).toBe(AT);
  });

  it('sends a message that waits for working hours now, once, and nothing else', async () => {
    const message = {
      id: 'm1',
      kind: 'email',
      target: 'lee',
      changeId: null,
      eventId: null,
      payload: { template: 'sign-in-link', requestedAt: AT },
      notBefore: '2026-11-26T14:00:00.000Z',
    };
    await store.transaction((tx) => tx.outbox.enqueue([message], AT));
    expect(await store.direct.outbox.sendNow('m1', AT)).toBe(true);
    expect((await store.read.outbox.find('m1'))?.nextAttemptAt).toBe(AT);
    expect(await store.direct.outbox.sendNow('m1', AT)).toBe(false);
    expect(await store.direct.outbox.sendNow('nope', AT)).toBe(false);
  });
});
