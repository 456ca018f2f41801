import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChange,
  completeAnswers,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

describe.each(databaseKinds)('listing the board on $name', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(kind);
    ids.draftWebsite = (
      await t.call(
        'ana',
        'POST',
        '/changes',
        buildChange({ title: 'New landing page', services: ['website'] }),
      )
    ).body.id;
    ids.pendingPayments = (
      await submittedChange(t, 'priya', {
        title: 'Payment retry limit',
        answers: completeAnswers({ risk: 'high' }),
      })
    ).id;
    ids.standard = (
      await submittedChange(t, 'priya', {
        title: 'Rotate TLS certificate',
        type: 'standard',
        template: 'rotate-tls-cert',
        description: 'Routine 100% safe rotation',
      })
    ).id;
    ids.both = (
      await submittedChange(t, 'lee', {
        title: 'Shared checkout widget',
        services: ['payments', 'website'],
      })
    ).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (query: string) => {
    const res = await t.call('kim', 'GET', `/changes${query}`);
    expect(res.status).toBe(200);
    return res.body.items.map((c: { id: string }) => c.id) as string[];
  };

  it('lists newest first', async () => {
    expect(await list('')).toEqual([ids.both, ids.standard, ids.pendingPayments, ids.draftWebsite]);
  });

  it('filters by state, service, type and requester', async () => {
    expect(await list('?state=pending')).toEqual([ids.both, ids.pendingPayments]);
    expect(await list('?state=draft,approved')).toEqual([ids.standard, ids.draftWebsite]);
    expect(await list('?service=website')).toEqual([ids.both, ids.draftWebsite]);
    expect(await list('?type=standard')).toEqual([ids.standard]);
    expect(await list('?requester=priya')).toEqual([ids.standard, ids.pendingPayments]);
    expect(await list('?service=payments&state=pending&requester=lee')).toEqual([ids.both]);
  });

  it('resolves requester=me to the caller', async () => {
    const res = await t.call('ana', 'GET', '/changes?requester=me');
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([ids.draftWebsite]);
  });

  it('searches title and description, case-insensitively, with every word', async () => {
    expect(await list('?q=payment')).toEqual([ids.pendingPayments]);
    expect(await list('?q=TLS%20routine')).toEqual([ids.standard]);
    expect(await list('?q=100%25')).toEqual([ids.standard]);
    expect(await list('?q=nothing-like-this')).toEqual([]);
  });

  it('searches inside words, short words too, and takes search syntax literally', async () => {
    expect(await list('?q=AND')).toEqual([ids.draftWebsite]); // "landing"
    expect(await list('?q=tl')).toEqual([ids.standard]);
    expect(await list('?q=tl%20rout')).toEqual([ids.standard]);
    for (const q of ['"retry', 'retry"', 'NEAR(retry', 'retry*', 'a:b', '%_\\']) {
      const res = await t.call('kim', 'GET', `/changes?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    expect(await list(`?q=${encodeURIComponent('retry"')}`)).toEqual([]);
  });

  it('filters changes that still need a meeting', async () => {
    expect(await list('?needsDiscussion=true')).toEqual([ids.pendingPayments]);
    expect(await list('?needsDiscussion=false&state=pending')).toEqual([ids.both]);
  });

  it('pages with a cursor', async () => {
    const first = await t.call('kim', 'GET', '/changes?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call('kim', 'GET', `/changes?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([ids.draftWebsite]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('answers cards with view=card: the same page, only what a card shows', async () => {
    const full = await t.call('kim', 'GET', '/changes?limit=3');
    const cards = await t.call('kim', 'GET', '/changes?limit=3&view=card');
    expect(cards.status).toBe(200);
    expect(cards.body.nextCursor).toBe(full.body.nextCursor);
    expect(cards.body.items.map((c: { id: string }) => c.id)).toEqual(
      full.body.items.map((c: { id: string }) => c.id),
    );
    const card = cards.body.items.find((c: { id: string }) => c.id === ids.both);
    const change = full.body.items.find((c: { id: string }) => c.id === ids.both);
    expect(Object.keys(card).sort()).toEqual(
      [
        'id',
        'number',
        'url',
        'title',
        'type',
        'services',
        'answers',
        'plannedStart',
        'plannedEnd',
        'requester',
        'state',
        'version',
        'waitingFor',
        'requirements',
        'needsDiscussion',
        'review',
        'freezeWarnings',
        'createdAt',
        'updatedAt',
        'submittedAt',
      ].sort(),
    );
    // Of the answers, only the choice fields, which the board filters by.
    expect(card.answers).toEqual({ risk: change.answers.risk });
    expect(card.waitingFor).toEqual(change.waitingFor);
    expect(card.requirements).toEqual(change.requirements);
    expect(card).toMatchObject({ title: change.title, state: change.state, version: 2 });

    const next = await t.call(
      'kim',
      'GET',
      `/changes?limit=3&view=card&cursor=${cards.body.nextCursor}`,
    );
    expect(next.body.items.map((c: { id: string }) => c.id)).toEqual([ids.draftWebsite]);
    const wrong = await t.call('kim', 'GET', '/changes?view=cards');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.view']);
  });

  it('lists every problem with the filters', async () => {
    const res = await t.call(
      'kim',
      'GET',
      '/changes?state=pendng&service=billing&limit=500&cursor=xyz&colour=red',
    );
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['query.limit', 'query.colour']));
    const res2 = await t.call('kim', 'GET', '/changes?state=pendng&service=billing&cursor=xyz');
    expect(res2.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'query.state',
      'query.service',
      'query.cursor',
    ]);
  });

  it('shows who the board waits for', async () => {
    const items = (await t.call('kim', 'GET', '/changes?state=pending')).body.items;
    const both = items.find((c: { id: string }) => c.id === ids.both);
    expect(both.waitingFor.sort()).toEqual(['ana', 'dev', 'priya']);
  });

  it('needs authentication', async () => {
    expect((await t.call(null, 'GET', '/changes')).status).toBe(401);
  });
});

describe.each(databaseKinds)('searching the board on $name after edits', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });
  const list = async (query: string) =>
    ((await t.call('kim', 'GET', `/changes${query}`)).body.items as { id: string }[]).map(
      (c) => c.id,
    );

  it('finds a change by its new title after an edit, and no longer by the old one', async () => {
    const created = await t.call(
      'ana',
      'POST',
      '/changes',
      buildChange({ title: 'Quarterly cleanup', services: ['website'] }),
    );
    expect(await list('?q=quarterly')).toEqual([created.body.id]);
    const edited = await t.call('ana', 'PATCH', `/changes/${created.body.id}`, {
      title: 'Yearly sweep',
      version: created.body.version,
    });
    expect(edited.status).toBe(200);
    expect(await list('?q=quarterly')).toEqual([]);
    expect(await list('?q=yearly%20sweep')).toEqual([created.body.id]);
  });

  it('pages through search results with the cursor, combined with other filters', async () => {
    const ids: string[] = [];
    for (const title of ['Mopping one', 'Mopping two', 'Mopping three']) {
      const created = await t.call('ana', 'POST', '/changes', buildChange({ title }));
      ids.push(created.body.id as string);
    }
    const first = await t.call('kim', 'GET', '/changes?q=mopping&state=draft&limit=2');
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await t.call(
      'kim',
      'GET',
      `/changes?q=mopping&state=draft&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect(await list('?q=mopping%20tw&service=payments')).toEqual([ids[1]]);
  });
});

describe.each(databaseKinds)('planned work in the order it happens on $name', (kind) => {
  let t: TestApp;
  /** Created in this order, so ids and planned starts disagree. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(kind);
    const plans: [string, string | null][] = [
      ['unplannedOld', null],
      ['wednesday', '2026-12-09T09:00:00Z'],
      ['tuesdayLate', '2026-12-08T15:00:00Z'],
      ['unplannedNew', null],
      ['tuesdayEarly', '2026-12-08T08:00:00Z'],
      ['tuesdayEarlyToo', '2026-12-08T08:00:00Z'],
    ];
    for (const [name, start] of plans) {
      const window = start
        ? { plannedStart: start, plannedEnd: new Date(Date.parse(start) + 3_600_000).toISOString() }
        : { plannedStart: null, plannedEnd: null };
      const res = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({ title: `Rotate keys ${name}`, ...window }),
      );
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every page of `query` with `limit` per page, followed by cursor. */
  const walk = async (query: string, limit: number) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.call(
        'kim',
        'GET',
        `/changes?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  };

  const inPlannedOrder = () => [
    ids.tuesdayEarly,
    ids.tuesdayEarlyToo,
    ids.tuesdayLate,
    ids.wednesday,
    ids.unplannedOld,
    ids.unplannedNew,
  ];

  it('sorts by planned start, ties by id, changes without a window last', async () => {
    expect(await walk('sort=plannedStart', 50)).toEqual(inPlannedOrder());
  });

  it('pages through that order with its cursor, across ties and into the unplanned', async () => {
    for (const limit of [1, 2, 4])
      expect(await walk('sort=plannedStart', limit)).toEqual(inPlannedOrder());
  });

  it('keeps the order with a text search and other filters', async () => {
    expect(await walk('sort=plannedStart&q=rotate%20keys&state=draft', 2)).toEqual(
      inPlannedOrder(),
    );
    expect(await walk('sort=plannedStart&q=tuesday', 1)).toEqual([
      ids.tuesdayEarly,
      ids.tuesdayEarlyToo,
      ids.tuesdayLate,
    ]);
  });

  it('still lists newest first by default', async () => {
    expect(await walk('state=draft', 4)).toEqual(Object.values(ids).reverse());
  });

  it('refuses a cursor of the other order, and an unknown order', async () => {
    const newest = await t.call('kim', 'GET', '/changes?limit=1');
    const wrong = await t.call(
      'kim',
      'GET',
      `/changes?sort=plannedStart&cursor=${newest.body.nextCursor}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([
      { path: 'query.cursor', message: 'is not a cursor this API returned for sort=plannedStart' },
    ]);
    const unknown = await t.call('kim', 'GET', '/changes?sort=soonest');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('query.sort');
  });
});
