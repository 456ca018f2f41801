import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

function addressOf(mail: { to?: unknown }): string {
  return (mail.to as { value: { address: string }[] }).value[0]!.address;
}

/** Mentions and questions (PRODUCT.md: "A comment that mentions `@person` notifies that person"). */
describe.each(databaseKinds)('mentions and questions on $name', (kind) => {
  let smtp: MailReceiver;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  beforeEach(async () => {
    smtp.messages.length = 0;
    t = await startTestApp(kind, { env: { SMTP_URL: smtp.url } });
  });
  afterEach(() => t.close());

  const emails = async () =>
    (await t.call('dev', 'GET', '/outbox?limit=500')).body.items.filter(
      (d: { kind: string }) => d.kind === 'email',
    ) as { target: string; status: string; nextAttemptAt: string; id: string }[];

  it('notifies each person a comment @mentions, by e-mail inside their own working hours', async () => {
    // Monday 12:00 UTC: 13:00 in Berlin and Lisbon, 07:00 in New York, 17:30 in Kolkata.
    t.clock.set('2026-11-02T12:00:00Z');
    const draft = (await t.call('priya', 'POST', '/changes', buildChange())).body;
    const body =
      '@lee can you check the limits? cc @AnaCosta (her GitHub login), @nobody, tom@example.com, `@kim`, and me: @priya';
    const posted = await t.call('priya', 'POST', `/changes/${draft.id}/comments`, { body });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ type: 'commented', actor: 'priya' });
    expect(posted.body.data).toEqual({ body, mentions: ['lee', 'ana'] });

    const planned = await emails();
    expect(planned.map((m) => m.target).sort()).toEqual(['ana', 'lee']);
    expect(planned.find((m) => m.target === 'lee')!.nextAttemptAt).toBe('2026-11-02T14:00:00.000Z');

    await t.ctx.dispatcher.runOnce();
    const [toAna] = await smtp.waitFor(1);
    expect(addressOf(toAna!)).toBe('ana@example.com');
    expect(toAna!.subject).toBe(
      `Priya Shah mentioned you on ${draft.id} Raise payment retry limit`,
    );
    expect(toAna!.text).toContain(`Comment: ${body}`);
    expect(toAna!.text).toContain(`Open the change: http://changeboard.test/changes/${draft.id}`);
    expect(smtp.messages).toHaveLength(1);

    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const mails = await smtp.waitFor(2);
    expect(mails.map(addressOf)).toEqual(['ana@example.com', 'lee@example.com']);

    // The timeline says who was notified.
    const events = (await t.call('kim', 'GET', `/changes/${draft.id}/events`)).body.items;
    expect(events.at(-1).data.mentions).toEqual(['lee', 'ana']);
  });

  it('notifies nobody for a comment that mentions nobody it can reach', async () => {
    const draft = (await t.call('priya', 'POST', '/changes', buildChange())).body;
    const posted = await t.call('priya', 'POST', `/changes/${draft.id}/comments`, {
      body: 'Note to self, @priya: mail ops@example.com and ask @someone-else',
    });
    expect(posted.status).toBe(201);
    expect(posted.body.data).toEqual({
      body: 'Note to self, @priya: mail ops@example.com and ask @someone-else',
    });
    expect(await emails()).toEqual([]);
  });

  it('lets an approver ask the requester a question, which notifies them and decides nothing', async () => {
    // Monday 10:00 UTC: 15:30 for Priya in Kolkata, inside her hours.
    const change = await submittedChange(t, 'priya');
    expect((await t.call('lee', 'GET', `/changes/${change.id}`)).body.actions).toContain('ask');
    const mine = (await t.call('priya', 'GET', `/changes/${change.id}`)).body.actions;
    expect(mine).toContain('comment');
    expect(mine).not.toContain('ask');

    const asked = await t.call('lee', 'POST', `/changes/${change.id}/comments`, {
      body: 'Has the new limit run against a copy of production?',
      question: true,
    });
    expect(asked.status).toBe(201);
    expect(asked.body.data).toEqual({
      body: 'Has the new limit run against a copy of production?',
      question: true,
    });
    // Nothing moved: still pending, at the same version, with no decision.
    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after).toMatchObject({ state: 'pending', version: change.version });
    expect(after.requirements[0].approvedBy).toEqual([]);
    expect((await t.call('lee', 'GET', `/changes/${change.id}`)).body.actions).toContain('approve');

    await t.ctx.dispatcher.runOnce();
    await expect
      .poll(() => smtp.messages.filter((m) => addressOf(m) === 'priya@example.com').length)
      .toBe(1);
    const toPriya = smtp.messages.find((m) => addressOf(m) === 'priya@example.com')!;
    expect(toPriya.subject).toBe(
      `Lee Wong asks you a question about ${change.id} Raise payment retry limit`,
    );
    expect(toPriya.text).toContain('Question: Has the new limit run against a copy of production?');
    expect(toPriya.text).toContain(`http://changeboard.test/changes/${change.id}`);

    // Lee's approval request goes at 09:00 in New York; then the requester's next comment
    // answers the question, and tells the asker.
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await expect.poll(() => smtp.messages.length).toBe(2);
    t.clock.set('2026-11-02T14:01:00Z');
    const answer = await t.call('priya', 'POST', `/changes/${change.id}/comments`, {
      body: 'Yes: the staging run is linked above.',
    });
    expect(answer.status).toBe(201);
    expect(answer.body.data).toEqual({
      body: 'Yes: the staging run is linked above.',
      answering: ['lee'],
    });
    await t.ctx.dispatcher.runOnce();
    await expect
      .poll(() =>
        smtp.messages.some(
          (m) =>
            addressOf(m) === 'lee@example.com' &&
            m.subject ===
              `Priya Shah answered your question on ${change.id} Raise payment retry limit`,
        ),
      )
      .toBe(true);

    // Answered once: a further comment tells nobody.
    const more = await t.call('priya', 'POST', `/changes/${change.id}/comments`, {
      body: 'And the dashboard too.',
    });
    expect(more.body.data).toEqual({ body: 'And the dashboard too.' });
  });

  it('sends one message to a requester both asked and @mentioned', async () => {
    const change = await submittedChange(t, 'priya');
    const before = new Set((await emails()).map((m) => m.id));
    const asked = await t.call('lee', 'POST', `/changes/${change.id}/comments`, {
      body: '@priya is the rollback tested? @kim FYI',
      question: true,
    });
    expect(asked.body.data).toEqual({
      body: '@priya is the rollback tested? @kim FYI',
      question: true,
      mentions: ['priya', 'kim'],
    });
    const added = (await emails()).filter((m) => !before.has(m.id));
    expect(added.map((m) => m.target).sort()).toEqual(['kim', 'priya']);
  });

  it('refuses a question from the requester, without a token, with a bad body, or on no change', async () => {
    const change = await submittedChange(t, 'priya');
    const self = await t.call('priya', 'POST', `/changes/${change.id}/comments`, {
      body: 'Am I sure?',
      question: true,
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('forbidden');

    const anonymous = await t.call(null, 'POST', `/changes/${change.id}/comments`, {
      body: 'Hello?',
      question: true,
    });
    expect(anonymous.status).toBe(401);

    const bad = await t.call('lee', 'POST', `/changes/${change.id}/comments`, {
      body: 'Really?',
      question: 'yes',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');

    const missing = await t.call('lee', 'POST', '/changes/CHG-999/comments', {
      body: 'Really?',
      question: true,
    });
    expect(missing.status).toBe(404);

    const events = (await t.call('lee', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.filter((e: { type: string }) => e.type === 'commented')).toEqual([]);
  });
});
