import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../src/app/audit.js';
import {
  buildChange,
  completeAnswers,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

// Raw JSON, so the escapes reach the server as a client would send them.
const LONE_HIGH = '"broken \\ud800 text"';
const LONE_LOW = '"\\udfff"';

describe.each(databaseKinds)('hostile input on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  /** A body with `raw` spliced in as JSON text where `marker` stands. */
  const withRaw = (body: object, marker: string, raw: string) =>
    JSON.stringify(body).replace(`"${marker}"`, raw);

  it('one bad comment among 40 creates: the 40 are stored, the bad one gets 400', async () => {
    const target = await submittedChange(t, 'priya');
    const requests = [
      ...Array.from({ length: 20 }, (_, i) =>
        t.call('priya', 'POST', '/changes', buildChange({ title: `Good ${i}` })),
      ),
      t.call(
        'tom',
        'POST',
        `/changes/${target.id}/comments`,
        withRaw({ body: 'X' }, 'X', LONE_HIGH),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        t.call('priya', 'POST', '/changes', buildChange({ title: `Good ${i + 20}` })),
      ),
    ];
    const responses = await Promise.all(requests);
    const bad = responses.splice(20, 1)[0]!;
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input' });
    expect(bad.body.error.details).toEqual([
      { path: 'body', message: expect.stringContaining('lone surrogate U+D800') },
    ]);
    const listed = await t.call('kim', 'GET', '/changes?q=Good&limit=100');
    expect(listed.body.items).toHaveLength(40);
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({ ok: true });
  });

  it.each([
    ['title', (raw: string) => withRaw(buildChange({ title: 'X' }), 'X', raw), 'title'],
    [
      'description',
      (raw: string) => withRaw(buildChange({ description: 'X' }), 'X', raw),
      'description',
    ],
    [
      'an answer',
      (raw: string) =>
        withRaw(buildChange({ answers: completeAnswers({ rollbackPlan: 'X' }) }), 'X', raw),
      'answers.rollbackPlan',
    ],
    [
      'a link title',
      (raw: string) =>
        withRaw(buildChange({ links: [{ title: 'X', url: 'https://example.com/' }] }), 'X', raw),
      'links[0].title',
    ],
  ])('refuses a lone surrogate in %s with 400 naming it', async (_what, body, path) => {
    for (const raw of [LONE_HIGH, LONE_LOW]) {
      const res = await t.call('priya', 'POST', '/changes', body(raw));
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { path, message: expect.stringContaining('lone surrogate') },
      ]);
    }
  });

  it('refuses a broken answer key, a decision comment and an edit the same way', async () => {
    const key = await t.call(
      'priya',
      'POST',
      '/changes',
      JSON.stringify(buildChange()).replace('"rollbackPlan"', '"roll\\ud800"'),
    );
    expect(key.status).toBe(400);
    expect(key.body.error.details[0]).toMatchObject({ path: 'answers' });

    const change = await submittedChange(t, 'priya');
    for (const action of ['approve', 'reject']) {
      const res = await t.call(
        'lee',
        'POST',
        `/changes/${change.id}/${action}`,
        withRaw({ comment: 'X' }, 'X', LONE_LOW),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'comment' });
    }
    const edit = await t.call(
      'priya',
      'PATCH',
      `/changes/${change.id}`,
      withRaw({ version: change.version, title: 'X' }, 'X', LONE_HIGH),
    );
    expect(edit.status).toBe(400);
    // Nothing was decided or changed by any of it.
    const after = await t.call('kim', 'GET', `/changes/${change.id}`);
    expect(after.body).toMatchObject({ state: 'pending', version: change.version, decisions: [] });
  });

  it('refuses NUL and bidirectional overrides in text, search words and sign-in addresses', async () => {
    const nul = await t.call('priya', 'POST', '/changes', buildChange({ title: 'Null\u0000byte' }));
    expect(nul.status).toBe(400);
    expect(nul.body.error.details).toEqual([
      { path: 'title', message: expect.stringContaining('U+0000 (NUL)') },
    ]);
    const bidi = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ title: 'Pay \u202Egnp.exe' }),
    );
    expect(bidi.status).toBe(400);
    expect(bidi.body.error.details[0].message).toContain('bidirectional control U+202E');

    for (const q of ['%00', 'pay%00ment', 'retry%00']) {
      const res = await t.call('kim', 'GET', `/changes?q=${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'query.q' });
    }
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      payload: { email: 'priya@example.com\u0000' },
    });
    expect(signIn.statusCode).toBe(400);
    expect(signIn.json().error.details[0]).toMatchObject({ path: 'email' });

    // Right-to-left writing itself is welcome.
    const hebrew = await t.call('priya', 'POST', '/changes', buildChange({ title: 'שינוי תצורה' }));
    expect(hebrew.status).toBe(201);
  });

  it('answers leap seconds with 400, in bodies and in filters', async () => {
    const body = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ plannedStart: '2026-12-31T23:59:60Z', plannedEnd: '2027-01-01T00:30:00Z' }),
    );
    expect(body.status).toBe(400);
    expect(body.body.error.details).toEqual([
      { path: 'plannedStart', message: expect.stringContaining('date and time') },
    ]);
    const filter = await t.call(
      'kim',
      'GET',
      '/changes?plannedFrom=2026-12-31T23:59:60Z&plannedTo=2027-01-02T00:00:00Z',
    );
    expect(filter.status).toBe(400);
    expect(filter.body.error.details[0]).toMatchObject({ path: 'query.plannedFrom' });
  });

  it('answers ids, cursors and versions past 32 bits without a 500', async () => {
    for (const id of ['CHG-2147483648', 'CHG-99999999999', '2147483648']) {
      const res = await t.call('kim', 'GET', `/changes/${id}`);
      expect(res.status).toBe(404);
    }
    expect((await t.call('kim', 'GET', '/changes/CHG-2147483647')).status).toBe(404);
    const cursor = Buffer.from('before:99999999999').toString('base64url');
    const page = await t.call('kim', 'GET', `/changes?cursor=${cursor}`);
    expect(page.status).toBe(400);
    expect(page.body.error.details[0]).toMatchObject({ path: 'query.cursor' });

    const change = await submittedChange(t, 'priya');
    const edit = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: 2 ** 40,
      title: 'Later',
    });
    expect(edit.status).toBe(400);
    expect(edit.body.error.details[0]).toMatchObject({ path: 'version' });
  });
});
