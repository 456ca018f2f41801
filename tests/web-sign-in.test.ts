import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { browserCall, SAME_ORIGIN, sessionCookieOf, signIn } from './_util/web.js';

describe.each(databaseKinds)('web sign-in and sessions on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const requestLink = (email: unknown, headers: Record<string, string> = SAME_ORIGIN) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      headers,
      payload: email === undefined ? {} : { email },
    });
  const emailsTo = async (person: string) =>
    (await t.ctx.store.read.outbox.list({ limit: 1000 })).filter(
      (m) => m.kind === 'email' && m.target === person,
    );
  const redeem = (token: string, headers: Record<string, string> = SAME_ORIGIN) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/verify',
      headers,
      payload: { token },
    });
  const tokenFrom = (payload: unknown) =>
    /#token=([\w-]+)/.exec((payload as { text: string }).text)![1]!;

  describe('GET /auth/methods', () => {
    it('says e-mail works and OpenID Connect is off unless configured', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
      expect(res.json()).toEqual({ email: true, oidc: false });
    });
  });

  describe('POST /auth/email', () => {
    it('puts a raw e-mail with a single-use link in the outbox for a person of the policy', async () => {
      const before = (await emailsTo('priya')).length;
      const res = await requestLink('Priya@Example.com');
      expect(res.statusCode).toBe(202);
      const mails = await emailsTo('priya');
      expect(mails).toHaveLength(before + 1);
      const mail = mails.at(-1)!;
      expect(mail).toMatchObject({ status: 'pending', changeId: null, eventId: null });
      expect(mail.nextAttemptAt).toBe(t.clock.now().toISOString());
      expect(Object.keys(mail.payload as object).sort()).toEqual([
        'html',
        'subject',
        'template',
        'text',
      ]);
      expect(mail.payload).toMatchObject({
        template: 'raw',
        subject: 'Your Changeboard sign-in link',
        text: expect.stringContaining('http://changeboard.test/sign-in/link#token=cbl_'),
        html: expect.stringContaining('href="http://changeboard.test/sign-in/link#token=cbl_'),
      });
      // Stored as a digest: the secret itself finds nothing, but it signs in (once).
      const token = tokenFrom(mail.payload);
      expect(
        await t.ctx.store.read.signInLinks.use(token, t.clock.now().toISOString()),
      ).toBeUndefined();
      expect((await redeem(token)).statusCode).toBe(200);
    });

    it('answers an unknown address exactly like a known one, and sends nothing', async () => {
      const before = (await t.ctx.store.read.outbox.list({ limit: 1000 })).length;
      const known = await requestLink('lee@example.com');
      const unknown = await requestLink('nobody@example.com');
      expect(unknown.statusCode).toBe(known.statusCode);
      expect(unknown.body).toBe(known.body);
      expect((await t.ctx.store.read.outbox.list({ limit: 1000 })).length).toBe(before + 1);
    });

    it('sends one address at most five links in 15 minutes, known or not', async () => {
      for (const email of ['sam@example.com', 'someone-else@example.com']) {
        for (let i = 0; i < 5; i++) expect((await requestLink(email)).statusCode).toBe(202);
        const refused = await requestLink(` ${email.toUpperCase()}`);
        expect(refused.statusCode).toBe(429);
        expect(refused.json().error).toMatchObject({ code: 'rate_limited', details: [] });
      }
      expect(await emailsTo('sam')).toHaveLength(5);
    });

    it('refuses invalid input', async () => {
      const res = await requestLink(undefined);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe('email');
    });

    it('refuses a request from another site', async () => {
      const res = await requestLink('priya@example.com', {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf_rejected');
    });
  });

  describe('POST /auth/email/verify', () => {
    it('starts a session in an HttpOnly, SameSite=Lax cookie, once per link', async () => {
      await requestLink('kim@example.com');
      const token = tokenFrom((await emailsTo('kim')).at(-1)!.payload);
      const res = await redeem(token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        person: { id: 'kim', name: 'Kim Park', groups: ['change-managers'] },
        via: 'email',
        csrfToken: expect.any(String),
      });
      const cookie = res.cookies.find((c) => c.name === 'cb_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie.secure).toBeFalsy();
      expect(cookie.value).toMatch(/^cbs_/);

      const again = await redeem(token);
      expect(again.statusCode).toBe(401);
      expect(again.json().error.code).toBe('unauthenticated');
    });

    it('refuses a link after 15 minutes', async () => {
      await requestLink('ana@example.com');
      const token = tokenFrom((await emailsTo('ana')).at(-1)!.payload);
      t.clock.advance(15 * 60_000 + 1);
      const res = await redeem(token);
      expect(res.statusCode).toBe(401);
    });

    it('refuses invalid input and unknown links', async () => {
      expect((await redeem('')).statusCode).toBe(400);
      expect((await redeem('cbl_not-a-real-link-at-all')).statusCode).toBe(401);
    });

    it('refuses a link posted by another site (login CSRF)', async () => {
      await requestLink('tom@example.com');
      const token = tokenFrom((await emailsTo('tom')).at(-1)!.payload);
      const res = await redeem(token, { origin: 'https://evil.example' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf_rejected');
    });
  });

  describe('GET /session', () => {
    it('needs a session or a token', async () => {
      const res = await t.call(null, 'GET', '/session');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    });

    it('tells a cookie caller who they are and their CSRF token', async () => {
      const session = await signIn(t, 'lee');
      const res = await browserCall(t, session, 'GET', '/session');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        person: { id: 'lee', groups: ['payments-owners', 'on-call-leads'] },
        via: 'email',
        csrfToken: session.csrf,
        expiresAt: expect.any(String),
      });
    });

    it('tells a token caller that no CSRF token is needed', async () => {
      const res = await t.call('lee', 'GET', '/session');
      expect(res.body).toMatchObject({ person: { id: 'lee' }, via: 'token', csrfToken: null });
    });
  });

  describe('the session cookie on the API', () => {
    it('reads with the cookie alone', async () => {
      const session = await signIn(t, 'priya');
      const res = await browserCall(t, session, 'GET', '/changes', undefined, { csrf: null });
      expect(res.status).toBe(200);
    });

    it('changes nothing without the CSRF token, with a wrong one, or from another site', async () => {
      const session = await signIn(t, 'priya');
      const before = (await t.call('priya', 'GET', '/changes?limit=200')).body.items.length;
      const missing = await browserCall(t, session, 'POST', '/changes', buildChange(), {
        csrf: null,
      });
      expect(missing.status).toBe(403);
      expect(missing.body.error).toMatchObject({ code: 'csrf_rejected', details: [] });
      const wrong = await browserCall(t, session, 'POST', '/changes', buildChange(), {
        csrf: 'x'.repeat(43),
      });
      expect(wrong.status).toBe(403);
      const crossSite = await browserCall(t, session, 'POST', '/changes', buildChange(), {
        headers: { 'sec-fetch-site': 'cross-site' },
      });
      expect(crossSite.status).toBe(403);
      const otherOrigin = await browserCall(t, session, 'POST', '/changes', buildChange(), {
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'same-site' },
      });
      expect(otherOrigin.status).toBe(403);
      const after = (await t.call('priya', 'GET', '/changes?limit=200')).body.items.length;
      expect(after).toBe(before);
    });

    it('changes things with the token from the same origin', async () => {
      const session = await signIn(t, 'priya');
      const res = await browserCall(t, session, 'POST', '/changes', buildChange());
      expect(res.status).toBe(201);
      expect(res.body.requester).toBe('priya');
    });

    it('does not ask API token callers for a CSRF token', async () => {
      const res = await t.call('priya', 'POST', '/changes', buildChange(), {
        'sec-fetch-site': 'none',
      });
      expect(res.status).toBe(201);
    });

    it('still enforces who may do what (403 for an approval outside the groups)', async () => {
      const priya = await signIn(t, 'priya');
      const created = await browserCall(t, priya, 'POST', '/changes', buildChange());
      await browserCall(t, priya, 'POST', `/changes/${created.body.id}/submit`, {});
      const tom = await signIn(t, 'tom');
      const res = await browserCall(t, tom, 'POST', `/changes/${created.body.id}/approve`, {});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    });

    it('ends an idle session after a week', async () => {
      const session = await signIn(t, 'sam');
      t.clock.advance(7 * 24 * 3_600_000 + 1000);
      const res = await browserCall(t, session, 'GET', '/session');
      expect(res.status).toBe(401);
    });
  });

  describe('POST /session/sign-out', () => {
    it('needs a session', async () => {
      const res = await t.call(null, 'POST', '/session/sign-out', {});
      expect(res.status).toBe(401);
    });

    it('refuses without the CSRF token', async () => {
      const session = await signIn(t, 'dev');
      const res = await browserCall(t, session, 'POST', '/session/sign-out', {}, { csrf: null });
      expect(res.status).toBe(403);
      expect((await browserCall(t, session, 'GET', '/session')).status).toBe(200);
    });

    it('refuses invalid input, and API tokens (revoked elsewhere)', async () => {
      const session = await signIn(t, 'dev');
      const invalid = await browserCall(t, session, 'POST', '/session/sign-out', { all: true });
      expect(invalid.status).toBe(400);
      const token = await t.call('dev', 'POST', '/session/sign-out', {});
      expect(token.status).toBe(400);
    });

    it('revokes the session and clears the cookie', async () => {
      const session = await signIn(t, 'dev');
      const other = await signIn(t, 'dev');
      const res = await browserCall(t, session, 'POST', '/session/sign-out', {});
      expect(res.status).toBe(204);
      const cleared = res.response.cookies.find((c) => c.name === 'cb_session');
      expect(cleared?.value).toBe('');
      expect((await browserCall(t, session, 'GET', '/session')).status).toBe(401);
      // Another device stays signed in.
      expect((await browserCall(t, other, 'GET', '/session')).status).toBe(200);
    });

    it('signs out everywhere on request', async () => {
      const one = await signIn(t, 'ana');
      const two = await signIn(t, 'ana');
      // Checked, so this process remembers it: signing out everywhere must forget it too.
      expect((await browserCall(t, two, 'GET', '/session')).status).toBe(200);
      const res = await browserCall(t, one, 'POST', '/session/sign-out', { everywhere: true });
      expect(res.status).toBe(204);
      expect((await browserCall(t, two, 'GET', '/session')).status).toBe(401);
    });
  });
});

describe.each(databaseKinds)('sessions behind https on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { PUBLIC_URL: 'https://changeboard.example' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('uses a Secure __Host- cookie and sends HSTS', async () => {
    const { createSignInLink } = await import('../src/app/sign-in.js');
    const token = await createSignInLink(t.ctx, 'priya');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/verify',
      headers: { origin: 'https://changeboard.example', 'sec-fetch-site': 'same-origin' },
      payload: { token },
    });
    expect(res.statusCode).toBe(200);
    expect(sessionCookieOf(res)).toMatch(/^__Host-cb_session=/);
    expect(res.cookies[0]).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
    });
    expect(res.headers['strict-transport-security']).toContain('max-age=');
  });
});
