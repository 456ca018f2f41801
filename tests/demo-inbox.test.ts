import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_PEOPLE, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { sqlite } from './_util/databases.js';

interface InboxItem {
  id: string;
  kind: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  body?: unknown;
}

describe('demo mode: one-click sign-in and the demo inbox', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  const inbox = async (): Promise<InboxItem[]> => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/demo/inbox' });
    expect(res.statusCode).toBe(200);
    return res.json<{ items: InboxItem[] }>().items;
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('offers the example’s people and signs in as one of them, on this machine only', async () => {
    t = await startTestApp(sqlite, { demo: true });
    const methods = await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    const { demo } = methods.json<{ demo: { people: { id: string; groups: string[] }[] } }>();
    expect(demo.people.map((p) => p.id).sort()).toEqual([...EXAMPLE_PEOPLE].sort());
    expect(demo.people.find((p) => p.id === 'lee')?.groups).toContain('payments-owners');

    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { person: 'lee' },
    });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({ person: { id: 'lee' }, via: 'demo' });
    const cookie = signedIn.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^cb_session=cbs_/);
    const session = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(session.json()).toMatchObject({ person: { id: 'lee' }, via: 'demo' });

    const nobody = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { person: 'mallory' },
    });
    expect(nobody.statusCode).toBe(404);
    expect(nobody.json().error.message).toContain('people: sam, priya');

    // From another machine, neither shortcut answers, and none is offered.
    const remote = { remoteAddress: '203.0.113.5' };
    const far = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { person: 'lee' },
      ...remote,
    });
    expect(far.statusCode).toBe(403);
    expect(far.json().error.message).toContain('only on the machine Changeboard runs on');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/demo/inbox', ...remote })).statusCode,
    ).toBe(403);
    const farMethods = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/methods',
      ...remote,
    });
    expect(farMethods.json()).toEqual({ email: true, oidc: false });
  });

  it('keeps what would have been sent, and an approval e-mail from it decides', async () => {
    t = await startTestApp(sqlite, { demo: true });
    expect(await inbox()).toEqual([]);
    const change = await submittedChange(t, 'priya');
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const items = await inbox();
    const mail = items.find((m) => m.kind === 'email' && m.to.startsWith('Lee Wong'));
    expect(mail?.html).toContain(change.id);
    const teams = items.find((m) => m.kind === 'teams');
    expect(teams?.to).toBe('change-board');
    expect(JSON.stringify(teams?.body)).toContain(change.id);
    expect(items.find((m) => m.kind === 'webhook')?.to).toBe('audit-sink');
    // Nothing was dead-lettered for want of SMTP or a webhook URL.
    const outbox = await t.call('dev', 'GET', '/outbox?status=dead');
    expect(outbox.body.items).toEqual([]);

    // The e-mail on a page of its own, where its inline styles apply and scripts do not.
    const page = await t.app.inject({
      method: 'GET',
      url: `/api/v1/demo/inbox/${mail!.id}/email`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
    expect(page.headers['content-security-policy']).not.toContain('script-src');
    expect(page.body).toContain('<base target="_top">');
    const approve = /\/actions\/([\w-]+)/.exec(page.body)![1]!;
    const posted = await t.app.inject({
      method: 'POST',
      url: `/actions/${approve}`,
      payload: 'comment=From+the+demo+inbox',
      headers: form,
    });
    expect(posted.statusCode).toBe(200);
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('approved');
  });

  it('shows what waits for working hours, and sends it now when asked', async () => {
    t = await startTestApp(sqlite, { demo: true });
    // 10:00 UTC is 05:00 in New York: Lee's request waits for his morning.
    const change = await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/demo/inbox' });
    const { items, scheduled } = res.json<{
      items: InboxItem[];
      scheduled: { id: string; to: string; about: string; notBefore: string }[];
    }>();
    expect(items.some((m) => m.kind === 'email')).toBe(false);
    expect(scheduled).toEqual([
      expect.objectContaining({
        to: 'Lee Wong <lee@example.com>',
        about: `Approval request: ${change.id}`,
        notBefore: '2026-11-02T14:00:00.000Z',
      }),
    ]);

    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/demo/inbox/${scheduled[0]!.id}/send`,
        payload: {},
      });
    expect((await send()).statusCode).toBe(204);
    await t.ctx.dispatcher.runOnce();
    const after = await inbox();
    expect(after.find((m) => m.kind === 'email')?.to).toBe('Lee Wong <lee@example.com>');
    expect((await send()).statusCode).toBe(404);
  });

  it('puts a requested sign-in link in the inbox, where it works once', async () => {
    t = await startTestApp(sqlite, { demo: true });
    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      payload: { email: 'ana@example.com' },
      headers: { origin: 'http://changeboard.test' },
    });
    expect(asked.statusCode).toBe(202);
    await t.ctx.dispatcher.runOnce();
    const mail = (await inbox()).find((m) => m.kind === 'email');
    expect(mail?.to).toContain('ana@example.com');
    const token = /#token=([\w-]+)/.exec(mail!.text!)![1]!;
    const verify = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/email/verify',
        payload: { token },
        headers: { origin: 'http://changeboard.test' },
      });
    expect((await verify()).json()).toMatchObject({ person: { id: 'ana' } });
    expect((await verify()).statusCode).toBe(401);
  });

  it('has neither shortcut outside demo mode', async () => {
    t = await startTestApp(sqlite);
    expect(t.ctx.demoInbox).toBeUndefined();
    const inboxRes = await t.app.inject({ method: 'GET', url: '/api/v1/demo/inbox' });
    expect(inboxRes.statusCode).toBe(404);
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { person: 'lee' },
    });
    expect(signIn.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' })).json()).toEqual({
      email: true,
      oidc: false,
    });
  });
});
