import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { findAtRest } from './_util/at-rest.js';
import { databaseKinds } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';
import { browserCall, SAME_ORIGIN, sessionCookieOf, signIn } from './_util/web.js';

describe.each(databaseKinds)('web sign-in and sessions on $name', (kind) => {
  let t: TestApp;
  let smtp: MailReceiver;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp(kind, { env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
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
  /** Delivers what the outbox holds and reads the link from the newest mail to `address`. */
  const linkSentTo = async (address: string) => {
    await t.ctx.dispatcher.runOnce();
    const mail = smtp.messages
      .filter((m) => JSON.stringify(m.to).includes(address) && m.text?.includes('#token='))
      .at(-1);
    return /#token=([\w-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
  };

  describe('GET /auth/methods', () => {
    it('says e-mail works and OpenID Connect is off unless configured', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
      expect(res.json()).toEqual({ email: true, oidc: false });
    });
  });

  describe('POST /auth/email', () => {
    it('sends a single-use link that exists nowhere at rest', async () => {
      const before = (await emailsTo('priya')).length;
      const res = await requestLink('Priya@Example.com');
      expect(res.statusCode).toBe(202);
      const mails = await emailsTo('priya');
      expect(mails).toHaveLength(before + 1);
      const queued = mails.at(-1)!;
      expect(queued).toMatchObject({ status: 'pending', changeId: null, eventId: null });
      expect(queued.nextAttemptAt).toBe(t.clock.now().toISOString());
      // The queued message carries no secret: the link is made as the mail is sent.
      expect(queued.payload).toEqual({
        template: 'sign-in-link',
        requestedAt: t.clock.now().toISOString(),
      });

      const token = await linkSentTo('priya@example.com');
      const mail = smtp.messages.at(-1)!;
      expect(mail.subject).toBe('Your Changeboard sign-in link');
      expect(mail.text).toContain(`http://changeboard.test/sign-in/link#token=${token}`);
      expect(mail.html).toContain(`href="http://changeboard.test/sign-in/link#token=${token}"`);
      expect(token).toMatch(/^cbl_/);
      // Nowhere in any table, not even the outbox; yet it signs in (once).
      expect(await findAtRest(t.databaseUrl, token)).toEqual([]);
      expect(await findAtRest(t.databaseUrl, token.slice(4))).toEqual([]);
      expect((await redeem(token)).statusCode).toBe(200);
    });

    it('sends a link on its own, never in a digest of what waited for working hours', async () => {
      // Lee works in New York: at 10:00 UTC the approval request waits for his morning.
      await submittedChange(t, 'priya');
      t.clock.advance(6 * 3_600_000);
      smtp.messages.length = 0;
      await requestLink('lee@example.com');
      const token = await linkSentTo('lee@example.com');
      // What waited goes as one digest; the link is not part of it.
      expect(smtp.messages.map((m) => m.subject).sort()).toEqual([
        '2 updates from Changeboard',
        'Your Changeboard sign-in link',
      ]);
      const digest = smtp.messages.find((m) => m.subject !== 'Your Changeboard sign-in link')!;
      expect(digest.text).toContain('Your approval is requested');
      expect(digest.text).not.toContain(token);
      expect(digest.text).not.toContain('sign-in');
    });

    it('sends nothing for a request older than a link lives (e-mail was down meanwhile)', async () => {
      smtp.messages.length = 0;
      await requestLink('kim@example.com');
      t.clock.advance(16 * 60_000);
      expect(await linkSentTo('kim@example.com')).toBe('');
      expect(smtp.messages).toHaveLength(0);
      const [skipped] = (await emailsTo('kim')).slice(-1);
      expect(skipped).toMatchObject({
        status: 'skipped',
        lastError: expect.stringContaining('too long ago'),
      });
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
      const token = await linkSentTo('kim@example.com');
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
      const token = await linkSentTo('ana@example.com');
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
      const token = await linkSentTo('tom@example.com');
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
