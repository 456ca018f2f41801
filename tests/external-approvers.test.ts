import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, completeAnswers, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

/** The example's supplier: Olu of Acme Hosting approves changes to `edge`, by link only. */
describe.each(databaseKinds)('external approvers on $name', (kind) => {
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

  /** Delivers what is due and returns the mails to `address` that arrived meanwhile. */
  const mailsTo = async (address: string) => {
    for (let round = 0; round < 5; round++)
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
    return smtp.messages.filter((m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.text.includes(address)),
    );
  };
  const linkIn = (mail: ParsedMail) => {
    const match = /http:\/\/changeboard\.test(\/external\/cbx_[\w-]+)/.exec(mail.text ?? '');
    if (!match) throw new Error(`no external link in: ${mail.text}`);
    return match[1]!;
  };
  const edgeChange = async (title: string) => {
    const created = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ title, services: ['edge'], answers: completeAnswers() }),
    );
    expect(created.status).toBe(201);
    const submitted = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
    expect(submitted.status).toBe(200);
    return submitted.body as { id: string; version: number };
  };
  const open = (path: string) => t.app.inject({ method: 'GET', url: path });
  const decide = (path: string, form: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });

  it('never lets an external approver sign in or hold a token', async () => {
    const asked = await t.call(null, 'POST', '/auth/email', { email: 'olu@acme-hosting.example' });
    expect(asked.status).toBe(202);
    await t.ctx.dispatcher.runOnce();
    expect(await mailsTo('olu@acme-hosting.example')).toEqual([]);
    await expect(
      import('../src/app/tokens.js').then(({ createApiToken }) => createApiToken(t.ctx, 'olu')),
    ).rejects.toThrow(/external approver/);
  });

  it('e-mails a link for that change alone, which shows it and decides by POST, once', async () => {
    const change = await edgeChange('Raise the CDN cache TTL');
    const [mail] = await mailsTo('olu@acme-hosting.example');
    expect(mail?.subject).toBe(
      `Example Corp asks for your decision: ${change.id} Raise the CDN cache TTL`,
    );
    // Nothing in it leads into the board, which Olu cannot open.
    expect(mail!.text).not.toContain('/changes/');
    expect(mail!.html).not.toContain('/changes/');
    const link = linkIn(mail!);

    const page = await open(link);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('Raise the CDN cache TTL');
    expect(page.body).toContain('your decision counts here');
    expect(page.body).not.toContain('/changes/');
    // Opening it decided nothing.
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('pending');

    const noReason = await decide(link, { verdict: 'reject', comment: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Say why you reject it');

    const approved = await decide(link, { verdict: 'approve', comment: 'Fine by Acme' });
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toContain(`You approved ${change.id}`);
    // Edge changes also wait for the supplier's weekly CAB (the example's meeting with `hold`).
    expect(approved.body).toContain('It waits for Acme Hosting CAB to record its outcome.');
    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after.state).toBe('pending');
    expect(after.heldBy).toEqual([expect.objectContaining({ meeting: 'Acme Hosting CAB' })]);
    expect(after.decisions).toEqual([
      expect.objectContaining({ person: 'olu', actor: 'olu', via: 'external-link' }),
    ]);
    const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.find((e: { type: string }) => e.type === 'approval-granted')).toMatchObject({
      actor: 'olu',
      data: { via: 'external-link', comment: 'Fine by Acme' },
    });

    const again = await decide(link, { verdict: 'approve' });
    expect(again.statusCode).toBe(409);
    expect((await open(link)).body).toContain('already used');
  });

  it('voids the link when the change is edited, and sends a fresh one', async () => {
    const change = await edgeChange('Rotate the origin certificate');
    const before = await mailsTo('olu@acme-hosting.example');
    const link = linkIn(before.at(-1)!);
    const edited = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: change.version,
      description: 'Rotate it a day earlier',
    });
    expect(edited.status).toBe(200);
    const voided = await open(link);
    expect(voided.statusCode).toBe(410);
    expect(voided.body).toContain('was changed after this link was sent');
    const after = await mailsTo('olu@acme-hosting.example');
    expect(after.length).toBe(before.length + 1);
    expect((await open(linkIn(after.at(-1)!))).statusCode).toBe(200);
  });

  it('lets the requester or an admin send a fresh link, and says when that cannot be', async () => {
    const change = await edgeChange('Purge the CDN');
    const before = (await mailsTo('olu@acme-hosting.example')).length;
    const sent = await t.call('priya', 'POST', `/changes/${change.id}/invitations`, {
      person: 'olu',
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({
      change: change.id,
      person: 'olu',
      email: 'olu@acme-hosting.example',
    });
    expect((await mailsTo('olu@acme-hosting.example')).length).toBe(before + 1);
    expect(
      (await t.call('lee', 'POST', `/changes/${change.id}/invitations`, { person: 'olu' })).status,
    ).toBe(403);
    expect(
      (await t.call('dev', 'POST', `/changes/${change.id}/invitations`, { person: 'olu' })).status,
    ).toBe(202);
    const notExternal = await t.call('priya', 'POST', `/changes/${change.id}/invitations`, {
      person: 'lee',
    });
    expect(notExternal.status).toBe(400);
    expect(notExternal.body.error.details[0].path).toBe('person');
  });

  it('decides once when the same link is used twice at the same moment', async () => {
    await mailsTo('olu@acme-hosting.example'); // what earlier tests left due
    const change = await edgeChange('Enable HTTP/3 on the edge');
    const link = linkIn((await mailsTo('olu@acme-hosting.example')).at(-1)!);
    const results = await Promise.all([
      decide(link, { verdict: 'approve' }),
      decide(link, { verdict: 'reject', comment: 'No' }),
      decide(link, { verdict: 'approve' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after.decisions).toHaveLength(1);
    expect(['pending', 'rejected']).toContain(after.state);
  });

  it('refuses an expired link and an unknown one, giving nothing away', async () => {
    const change = await edgeChange('Add a WAF rule');
    const link = linkIn((await mailsTo('olu@acme-hosting.example')).at(-1)!);
    t.clock.advance(8 * 24 * 3_600_000);
    const expired = await open(link);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link expired');
    expect(expired.body).not.toContain('Add a WAF rule');
    const unknown = await open('/external/cbx_not-a-real-link');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('This link is not valid');
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('pending');
  });
});
