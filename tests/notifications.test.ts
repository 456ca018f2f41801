import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSession } from '../src/app/sign-in.js';
import { startTestApp, submittedChange, completeAnswers, type TestApp } from './_util/app.js';
import { findAtRest } from './_util/at-rest.js';
import { databaseKinds } from './_util/databases.js';
import {
  startHttpReceiver,
  startSmtpServer,
  type HttpReceiver,
  type MailReceiver,
  startExampleReceivers,
  type ExampleReceivers,
} from './_util/receivers.js';

// adaptivecards' lib/ build does not import in Node; its dist bundle does (STACK.md).

const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js');

/** Block types Slack documents for messages (api.slack.com/reference/block-kit/blocks). */
const SLACK_BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'rich_text',
  'section',
  'video',
]);

const MONDAY_10_UTC = '2026-11-02T10:00:00Z';

function addressOf(mail: { to?: unknown }): string {
  return (mail.to as { value: { address: string }[] }).value[0]!.address;
}

describe.each(databaseKinds)('notifications on $name', (kind) => {
  let teams: HttpReceiver;
  let slack: HttpReceiver;
  let audit: HttpReceiver;
  let smtp: MailReceiver;
  let t: TestApp;

  let receivers: ExampleReceivers;

  beforeAll(async () => {
    receivers = await startExampleReceivers();
    ({ teams, slack, audit, smtp } = receivers);
  });
  afterAll(() => receivers.close());

  beforeEach(async () => {
    receivers.clear();
    t = await startTestApp(kind, {
      env: receivers.env,
      context: {
        outboundTimeoutMs: 500,
        dispatcher: { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 3_600_000 } },
      },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const deliveries = async (status?: string) =>
    (await t.call('dev', 'GET', `/outbox${status ? `?status=${status}` : '?limit=500'}`)).body
      .items;

  it('posts an Adaptive Card to the service’s Teams channel when a change is submitted', async () => {
    const change = await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    expect(teams.requests).toHaveLength(1);
    const request = teams.requests[0]!;
    expect(request.headers['x-changeboard-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const attachment = request.json.attachments[0];
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    card.parse(attachment.content, context);
    const parseEvents = Array.from(
      { length: context.eventCount },
      (_, i) => context.getEventAt(i).message,
    );
    expect(parseEvents).toEqual([]);
    expect(card.validateProperties().validationEvents).toEqual([]);
    expect(card.getItemCount()).toBe(3);
    expect(card.getActionCount()).toBe(1);
    const facts = Object.fromEntries(
      attachment.content.body[2].facts.map((f: { title: string; value: string }) => [
        f.title,
        f.value,
      ]),
    );
    expect(facts).toMatchObject({
      Requester: 'Priya Shah',
      Services: 'Payments API',
      Type: 'Normal',
      Risk: 'low',
      Planned: '2026-12-01 10:00 UTC – 2026-12-01 10:30 UTC',
      'Still needed': 'payments-owners (1 more, because touches Payments API): Lee Wong',
    });
    expect(attachment.content.body[0].text).toBe(`Priya Shah submitted ${change.id} for approval`);
    expect(attachment.content.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open change',
        url: `http://changeboard.test/changes/${change.id}`,
      },
    ]);
    // The website's channel is Slack; a payments change does not go there.
    expect(slack.requests).toHaveLength(0);
  });

  it('posts Block Kit with only documented block types to Slack', async () => {
    await submittedChange(t, 'ana', { services: ['website'] });
    await t.ctx.dispatcher.runOnce();
    expect(slack.requests).toHaveLength(1);
    const { text, blocks } = slack.requests[0]!.json;
    expect(text).toContain('Ana Costa submitted');
    for (const block of blocks) expect(SLACK_BLOCK_TYPES).toContain(block.type);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(
      blocks.find((b: { type: string }) => b.type === 'section').fields.length,
    ).toBeLessThanOrEqual(10);
    expect(blocks.at(-1).elements[0]).toMatchObject({
      type: 'button',
      url: expect.stringContaining('/changes/CHG-'),
    });
  });

  it('sends every event to the webhook channel, signed over a timestamp and the body', async () => {
    const change = await submittedChange(t, 'priya');
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await t.ctx.dispatcher.runOnce();
    expect(audit.requests.map((r) => r.json.event.type)).toEqual([
      'created',
      'submitted',
      'approval-granted',
      'approved',
    ]);
    for (const request of audit.requests) {
      const header = String(request.headers['x-changeboard-signature']);
      const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
      const expected = createHmac('sha256', 'audit-secret')
        .update(`${timestamp}.${request.raw}`)
        .digest('hex');
      expect(signature).toBe(expected);
      expect(request.headers['x-changeboard-delivery']).toBe(request.json.id);
      expect(request.json.event.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('e-mails approvers inside their own working hours, with signed approve and reject links', async () => {
    t.clock.set('2026-11-02T12:00:00Z');
    const change = await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    // 12:00 UTC is 07:00 in New York: Lee's request waits for 09:00 there.
    expect(smtp.messages).toHaveLength(0);
    const waiting = (await deliveries('pending')).find(
      (d: { kind: string; target: string }) => d.kind === 'email' && d.target === 'lee',
    );
    expect(waiting.nextAttemptAt).toBe('2026-11-02T14:00:00.000Z');

    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toMatchObject({ value: [{ name: 'Lee Wong', address: 'lee@example.com' }] });
    expect(mail!.subject).toBe(
      `Your approval is requested: ${change.id} Raise payment retry limit`,
    );
    expect(mail!.messageId).toBe(`<${waiting.id}@changeboard>`);
    expect(mail!.headers.get('x-changeboard-delivery')).toBe(waiting.id);
    expect(mail!.text).toContain('How do we roll it back? Revert the config change');
    expect(mail!.text).toContain(
      'Still needed: payments-owners (1 more, because touches Payments API): Lee Wong',
    );
    expect(mail!.html).toContain('>Approve</a>');
    const links = [
      ...String(mail!.text).matchAll(/http:\/\/changeboard\.test\/actions\/(cba_[\w-]+)/g),
    ].map((m) => m[1]);
    expect(links).toHaveLength(2);
  });

  it('lets an approver decide from the e-mail: GET only shows, POST decides, once', async () => {
    const change = await submittedChange(t, 'priya');
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const [mail] = await smtp.waitFor(1);
    const [approve, reject] = actionTokens(mail!);
    // The links exist only in the mail: no table holds them.
    for (const token of [approve!, reject!])
      expect(await findAtRest(t.databaseUrl, token)).toEqual([]);

    for (let i = 0; i < 2; i++) {
      const shown = await t.app.inject({ method: 'GET', url: `/actions/${approve}` });
      expect(shown.statusCode).toBe(200);
      expect(shown.headers['referrer-policy']).toBe('no-referrer');
      expect(shown.body).toContain('Nothing has happened yet');
    }
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('pending');

    const posted = await t.app.inject({
      method: 'POST',
      url: `/actions/${approve}`,
      payload: 'comment=Looks+good',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain(`You approved ${change.id}`);
    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after.state).toBe('approved');
    expect(after.decisions).toEqual([
      {
        person: 'lee',
        actor: 'lee',
        onBehalfOf: null,
        via: 'email-link',
        verdict: 'approve',
        comment: 'Looks good',
        at: '2026-11-02T14:00:00.000Z',
      },
    ]);

    const reused = await t.app.inject({
      method: 'POST',
      url: `/actions/${approve}`,
      payload: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reused.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: `/actions/${approve}` })).statusCode).toBe(
      410,
    );
  });

  it('voids links when the change is edited, when they expire, and for unknown tokens', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await t.ctx.dispatcher.runOnce();
    const mails = await smtp.waitFor(4);
    const linkFor = (address: string, verdict: number) =>
      actionTokens(mailTo(mails, address))[verdict]!;

    // An edit starts a new approval round: Lee's link no longer counts.
    await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: change.version,
      title: 'Emergency: hotfix card retries',
    });
    const edited = await t.app.inject({ method: 'GET', url: `/actions/${linkFor('lee@', 0)}` });
    expect(edited.statusCode).toBe(410);
    expect(edited.body).toContain('edited after this link was sent');

    // Expired: 72 hours by default.
    t.clock.set('2026-11-05T10:00:01Z');
    const expired = await t.app.inject({ method: 'GET', url: `/actions/${linkFor('tom@', 0)}` });
    expect(expired.body).toContain('expired');

    const bogus = await t.app.inject({ method: 'GET', url: '/actions/cba_not-a-real-token' });
    expect(bogus.statusCode).toBe(410);
    expect(bogus.body).toContain('not valid');
  });

  it('refuses a link opened by someone signed in as another person (a forwarded e-mail)', async () => {
    const change = await submittedChange(t, 'priya');
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const [mail] = await smtp.waitFor(1);
    const [approve] = actionTokens(mail!);
    const kim = await startSession(t.ctx, t.ctx.policy.people.get('kim')!, 'email');
    const cookie = { cookie: `cb_session=${kim.token}` };
    const shown = await t.app.inject({
      method: 'GET',
      url: `/actions/${approve}`,
      headers: cookie,
    });
    expect(shown.statusCode).toBe(410);
    expect(shown.body).toContain(
      'This link was sent to Lee Wong, but you are signed in as Kim Park',
    );
    const posted = await t.app.inject({
      method: 'POST',
      url: `/actions/${approve}`,
      payload: 'comment=',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.statusCode).toBe(409);
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.decisions).toEqual([]);
    // Lee, signed in as himself, can use it.
    const lee = await startSession(t.ctx, t.ctx.policy.people.get('lee')!, 'email');
    const own = await t.app.inject({
      method: 'GET',
      url: `/actions/${approve}`,
      headers: { cookie: `cb_session=${lee.token}` },
    });
    expect(own.statusCode).toBe(200);
  });

  it('refuses a link for someone no longer needed, and needs a comment to reject', async () => {
    const change = await submittedChange(t, 'priya', {
      answers: completeAnswers({ risk: 'high' }),
    });
    t.clock.set('2026-11-03T00:00:00Z'); // Kim is in Seoul: 09:00 there; Lee is long in hours.
    await t.ctx.dispatcher.runOnce();
    // Kim attends the Weekly risk review, whose agenda (this change) comes too: not what we want here.
    await expect.poll(() => requestsIn(smtp.messages).length).toBeGreaterThanOrEqual(2);
    const mails = requestsIn(smtp.messages);
    const links = (address: string) => actionTokens(mailTo(mails, address));
    const [, kimReject] = links('kim@');
    const noComment = await t.app.inject({
      method: 'POST',
      url: `/actions/${kimReject}`,
      payload: 'comment=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(noComment.statusCode).toBe(400);
    // Lee rejects in the web API meanwhile: Kim's link has nothing left to decide.
    await t.call('lee', 'POST', `/changes/${change.id}/reject`, { comment: 'Not during the sale' });
    const page = await t.app.inject({ method: 'GET', url: `/actions/${kimReject}` });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('rejected now');
  });

  it('tells the requester when the change is approved, rejected or loses its approvals', async () => {
    const change = await submittedChange(t, 'priya', {
      answers: completeAnswers({ risk: 'high' }),
    });
    const approved = await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await t.call('priya', 'PATCH', `/changes/${change.id}`, {
      version: approved.body.version,
      title: 'Raise the retry limit to 5',
    });
    await t.ctx.dispatcher.runOnce();
    const toPriya = smtp.messages.filter((m) => (m.to as { text: string }).text.includes('priya@'));
    expect(toPriya.map((m) => m.subject)).toEqual([
      `The approvals of ${change.id} were withdrawn after an edit`,
    ]);

    const other = await submittedChange(t, 'priya');
    await t.call('lee', 'POST', `/changes/${other.id}/reject`, { comment: 'Missing load test' });
    await t.ctx.dispatcher.runOnce();
    const rejection = smtp.messages.find(
      (m) => m.subject === `${other.id} was rejected by Lee Wong`,
    );
    expect(rejection?.text).toContain('Comment: Missing load test');
  });

  it('reminds approvers after remindAfter, then escalates, each once, in working hours, as a digest', async () => {
    const change = await submittedChange(t, 'priya'); // requested 10:00 UTC Monday
    await t.ctx.dispatcher.runOnce();
    // 14:00 UTC: 09:00 in New York, and remindAfter (4h) has passed: the request and the reminder arrive as one digest.
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const toLee = smtp.messages.filter((m) => (m.to as { text: string }).text.includes('lee@'));
    expect(toLee).toHaveLength(1);
    expect(toLee[0]!.subject).toBe('2 updates from Changeboard');
    expect(toLee[0]!.text).toContain(`Your approval is requested: ${change.id}`);
    expect(toLee[0]!.text).toContain(`Reminder: ${change.id} is waiting for your decision`);

    // After escalateAfter (1d) the change managers hear about it, Kim at 09:00 in Seoul.
    t.clock.set('2026-11-03T10:00:00Z');
    await t.ctx.dispatcher.runOnce();
    expect(smtp.messages.some((m) => (m.to as { text: string }).text.includes('kim@'))).toBe(false);
    t.clock.set('2026-11-04T00:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const escalations = smtp.messages.filter(
      (m) => m.subject === `Escalation: ${change.id} is still waiting for approval`,
    );
    expect(escalations.map(addressOf)).toEqual(['kim@example.com']);
    expect(smtp.messages.filter((m) => m.subject?.startsWith('Reminder'))).toHaveLength(0);
  });

  it('skips a waiting request that is no longer needed when its time comes', async () => {
    const change = await submittedChange(t, 'priya', { services: ['payments', 'website'] });
    await t.call('ana', 'POST', `/changes/${change.id}/approve`);
    await t.call('priya', 'POST', `/changes/${change.id}/withdraw`);
    t.clock.set('2026-11-02T14:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const toLee = (await deliveries()).filter(
      (d: { target: string; kind: string }) => d.kind === 'email' && d.target === 'lee',
    );
    expect(toLee.map((d: { status: string }) => d.status)).toEqual(['skipped']);
    expect(toLee[0].lastError).toContain('withdrawn');
    expect(smtp.messages.some((m) => (m.to as { text: string }).text.includes('lee@'))).toBe(false);
  });

  it('interrupts outside working hours for emergency changes', async () => {
    await submittedChange(t, 'priya', { type: 'emergency' });
    await t.ctx.dispatcher.runOnce();
    const recipients = (await smtp.waitFor(4)).map(addressOf).sort();
    // Lee is asleep in New York (05:00), and is asked anyway.
    expect(recipients).toEqual([
      'ana@example.com',
      'lee@example.com',
      'sam@example.com',
      'tom@example.com',
    ]);
  });

  it('retries a 500 with back-off and honours 429 Retry-After, without holding up other channels', async () => {
    teams.replyWith({ status: 500, body: 'upstream broke' });
    await submittedChange(t, 'priya');
    const first = await t.ctx.dispatcher.runOnce();
    expect(first.failed).toBe(1);
    const [failed] = (await deliveries('failed')) as {
      kind: string;
      attempts: number;
      lastError: string;
      nextAttemptAt: string;
    }[];
    expect(failed).toMatchObject({
      kind: 'teams',
      attempts: 1,
      lastError: 'HTTP 500: upstream broke',
    });
    const wait = Date.parse(failed!.nextAttemptAt) - Date.parse(MONDAY_10_UTC);
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    // The webhook channel was not held up by the broken Teams channel.
    expect(audit.requests).toHaveLength(2);

    teams.replyWith({ status: 429, headers: { 'retry-after': '120' } });
    t.clock.set(failed!.nextAttemptAt);
    await t.ctx.dispatcher.runOnce();
    const [limited] = await deliveries('failed');
    expect(limited).toMatchObject({ attempts: 2, lastError: 'HTTP 429: 1' });
    expect(Date.parse(limited.nextAttemptAt) - Date.parse(failed!.nextAttemptAt)).toBe(120_000);

    t.clock.set(limited.nextAttemptAt);
    await t.ctx.dispatcher.runOnce();
    expect(teams.requests).toHaveLength(1);
    expect((await deliveries('failed')).length).toBe(0);
  });

  it('records slow receivers, refused connections and hopeless answers, and dead-letters after the last attempt', async () => {
    teams.replyWith({ delayMs: 2000 }, { delayMs: 2000 }, { delayMs: 2000 });
    await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    expect((await deliveries('failed'))[0].lastError).toBe('no answer within 500 ms');
    for (let i = 0; i < 2; i++) {
      t.clock.advance(3_600_000);
      await t.ctx.dispatcher.runOnce();
    }
    const [dead] = await deliveries('dead');
    expect(dead).toMatchObject({
      kind: 'teams',
      attempts: 3,
      lastError: 'no answer within 500 ms (gave up after 3 attempts)',
    });

    slack.replyWith({ status: 404, body: 'no_service' });
    await submittedChange(t, 'ana', { services: ['website'] });
    t.clock.advance(60_000);
    await t.ctx.dispatcher.runOnce();
    expect(
      (await deliveries('dead')).find((d: { kind: string }) => d.kind === 'slack'),
    ).toMatchObject({ attempts: 1, lastError: 'HTTP 404: no_service' });
  });

  it('reports a refused connection and lets an admin retry a dead delivery', async () => {
    const closed = await startHttpReceiver();
    await closed.close();
    await t.close();
    t = await startTestApp(kind, {
      env: { TEAMS_WEBHOOK_URL: closed.url, SMTP_URL: smtp.url, ALLOW_PRIVATE_TARGETS: 'true' },
      context: { dispatcher: { maxAttempts: 1 } },
    });
    await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    const dead = (await deliveries('dead')) as { id: string; kind: string; lastError: string }[];
    expect(dead.find((d) => d.kind === 'teams')?.lastError).toBe(
      'connection refused (gave up after 1 attempts)',
    );
    // The unset Slack and webhook channels are dead on arrival, with the reason.
    expect(dead.find((d) => d.kind === 'webhook')?.lastError).toBe(
      'channel "audit-sink": environment variable AUDIT_WEBHOOK_URL, AUDIT_WEBHOOK_SECRET is not set',
    );

    expect((await t.call('priya', 'GET', '/outbox')).status).toBe(403);
    const teamsDead = dead.find((d) => d.kind === 'teams')!;
    const retried = await t.call('dev', 'POST', `/outbox/${teamsDead.id}/retry`);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await t.call('dev', 'POST', `/outbox/${teamsDead.id}/retry`)).status).toBe(409);
    expect((await t.call('dev', 'POST', '/outbox/nope/retry')).status).toBe(404);
  });

  it('dead-letters mail to a rejected recipient with the SMTP answer', async () => {
    smtp.rejected.add('lee@example.com');
    await submittedChange(t, 'priya', { type: 'emergency' });
    await t.ctx.dispatcher.runOnce();
    const dead = (await deliveries('dead')).find((d: { target: string }) => d.target === 'lee');
    expect(dead.lastError).toMatch(/^SMTP 550 /);
    // Everyone else was mailed.
    expect((await smtp.waitFor(3)).length).toBe(3);
  });
});

describe('delivery guards', () => {
  it('refuses private targets unless ALLOW_PRIVATE_TARGETS=true', async () => {
    const receiver = await startHttpReceiver();
    const t = await startTestApp(databaseKinds[0]!, { env: { TEAMS_WEBHOOK_URL: receiver.url } });
    try {
      await submittedChange(t, 'priya');
      await t.ctx.dispatcher.runOnce();
      expect(receiver.requests).toHaveLength(0);
      const dead = (await t.call('dev', 'GET', '/outbox?status=dead')).body.items.find(
        (d: { kind: string }) => d.kind === 'teams',
      );
      expect(dead.lastError).toBe(
        '127.0.0.1 is a private address; set ALLOW_PRIVATE_TARGETS=true to allow it',
      );
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('dead-letters e-mail on bad SMTP credentials, saying so', async () => {
    const smtp = await startSmtpServer({ requireAuth: { user: 'changeboard', pass: 'right' } });
    const t = await startTestApp(databaseKinds[0]!, {
      env: { SMTP_URL: smtp.url.replace('changeboard:right@', 'changeboard:wrong@') },
    });
    try {
      await submittedChange(t, 'priya', { type: 'emergency' });
      await t.ctx.dispatcher.runOnce();
      const dead = (await t.call('dev', 'GET', '/outbox?status=dead')).body.items.filter(
        (d: { kind: string }) => d.kind === 'email',
      );
      expect(dead.length).toBe(4);
      expect(dead[0].lastError).toBe(
        'SMTP authentication failed: 535 Invalid username or password',
      );
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

/** The Approve and Reject link tokens in an e-mail, in that order. */
function actionTokens(mail: { text?: string | false }): string[] {
  return [...String(mail.text).matchAll(/\/actions\/(cba_[\w-]+)/g)].map((m) => m[1]!);
}

/** The mails that are not a meeting's agenda. */
function requestsIn<M extends { subject?: string }>(mails: readonly M[]): M[] {
  return mails.filter((m) => !m.subject?.startsWith('Agenda:'));
}

function mailTo<M extends { to?: unknown }>(mails: readonly M[], address: string): M {
  return mails.find((m) => (m.to as { text: string }).text.includes(address))!;
}
