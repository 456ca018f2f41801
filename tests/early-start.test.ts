import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import {
  type HttpReceiver,
  type MailReceiver,
  startExampleReceivers,
  type ExampleReceivers,
} from './_util/receivers.js';

/**
 * PRODUCT.md, "Emergencies, reviews and standard changes": an emergency may
 * start once an on-call lead approved (examples/changeboard.yaml `earlyStart`);
 * security (tom) and the CTO (sam) still decide. The test app verifies the
 * audit trail when it closes.
 */
describe.each(databaseKinds)('early start on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);

  it('starts after the on-call lead, takes the other approvals after, and is verified once all are in', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    expect(change.actions).not.toContain('start');
    const refused = await act('priya', change.id, 'start');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('invalid_state');

    const approved = await act('lee', change.id, 'approve');
    expect(approved.body.state).toBe('pending');
    expect(approved.body.actions).not.toContain('start'); // lee's: he is not the requester
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.actions).toContain('start');

    const started = await act('priya', change.id, 'start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'in_progress', startedEarly: true });
    expect(started.body.requirements.map((r: { met: boolean }) => r.met)).toEqual([
      true,
      false,
      false,
    ]);
    expect(started.body.waitingFor.sort()).toEqual(['sam', 'tom']);

    const asTom = await t.call('tom', 'GET', `/changes/${change.id}`);
    expect(asTom.body.actions).toEqual(expect.arrayContaining(['approve', 'reject']));

    expect((await act('tom', change.id, 'approve')).body).toMatchObject({
      state: 'in_progress',
      startedEarly: true,
    });
    expect((await act('priya', change.id, 'complete')).body.state).toBe('completed');

    // sam (the CTO) has not approved: it cannot be verified yet.
    const early = await act('priya', change.id, 'verify');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('invalid_state');
    expect(early.body.error.message).toMatch(/started early and still waits for cto/);

    const last = await act('sam', change.id, 'approve');
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({
      state: 'completed',
      startedEarly: false,
      rejectedAfterStart: false,
      waitingFor: [],
    });
    expect(last.body.requirements.every((r: { met: boolean }) => r.met)).toBe(true);

    // Every emergency is reviewed before it is verified (examples/changeboard.yaml `review`).
    const owed = await act('priya', change.id, 'verify');
    expect(owed.status).toBe(422);
    expect(owed.body.error.code).toBe('review_required');
    const reviewed = await act('priya', change.id, 'review', {
      answers: { whatHappened: 'Checkout timed out; the on-call lead saw the alert' },
    });
    expect(reviewed.status).toBe(201);
    expect((await act('priya', change.id, 'verify')).body.state).toBe('verified');
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'submitted',
      'approval-granted',
      'started',
      'approval-granted',
      'completed',
      'approval-granted',
      'reviewed',
      'verified',
    ]);
  });

  it('records a rejection after the start and keeps the change in its implementation', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('ana', change.id, 'approve');
    await act('priya', change.id, 'start');
    const rejected = await act('tom', change.id, 'reject', {
      comment: 'opens port 22 to the world',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      state: 'in_progress',
      startedEarly: true,
      rejectedAfterStart: true,
    });
    expect(rejected.body.decisions).toContainEqual(
      expect.objectContaining({ person: 'tom', verdict: 'reject' }),
    );
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.at(-1)).toMatchObject({
      type: 'approval-rejected',
      actor: 'tom',
      data: expect.objectContaining({ afterStart: true }),
    });
    // The fix can still be rolled back.
    expect((await act('priya', change.id, 'fail')).body.state).toBe('failed');
  });

  it('does not let a normal change start before its approvals', async () => {
    const change = await submittedChange(t, 'priya');
    const res = await act('priya', change.id, 'start');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
  });
});

/** The example's emergency type, reminded after an hour and escalated to the change managers after two. */
const REMINDED_EMERGENCIES = EXAMPLE_POLICY.replace(
  /^( *)earlyStart: \{ from: on-call-leads, count: 1 \}.*$/m,
  (line, indent: string) =>
    `${line}\n${indent}remindAfter: 1h\n${indent}escalateAfter: 2h\n${indent}escalateTo: change-managers`,
);

function addressOf(mail: { to?: unknown }): string {
  return (mail.to as { value: { address: string }[] }).value[0]!.address;
}

function actionTokens(mail: { text?: string | false }): string[] {
  return [...String(mail.text).matchAll(/\/actions\/(cba_[\w-]+)/g)].map((m) => m[1]!);
}

/**
 * PRODUCT.md: after an early start the open approvals "stay required and are
 * still requested"; a rejection after the start is notified at once (out of
 * hours for emergencies). With a real SMTP server and real chat and webhook
 * receivers, as tests/notifications.test.ts.
 */
describe.each(databaseKinds)('early start notifications on $name', (kind) => {
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
    expect(REMINDED_EMERGENCIES).not.toBe(EXAMPLE_POLICY);
    t = await startTestApp(kind, {
      policy: REMINDED_EMERGENCIES,
      env: receivers.env,
      context: { outboundTimeoutMs: 2_000 },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);
  const useLink = (token: string, comment = '') =>
    t.app.inject({
      method: 'POST',
      url: `/actions/${token}`,
      payload: `comment=${encodeURIComponent(comment)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const waitingOn = async (who: string) =>
    (await t.call(who, 'GET', '/changes?awaiting=me')).body.items.map((c: { id: string }) => c.id);

  it('still requests, reminds and escalates the open approvals, whose e-mailed links still decide', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    expect((await act('priya', change.id, 'start')).body.state).toBe('in_progress');
    await t.ctx.dispatcher.runOnce();
    // Requested at submit, at once for an emergency; when they are sent, Lee has decided and
    // Ana is no longer needed: the approvers still open get theirs, although it has started.
    const requests = [...(await smtp.waitFor(2))];
    expect(requests.map(addressOf).sort()).toEqual(['sam@example.com', 'tom@example.com']);
    const requestTo = (address: string) =>
      requests.find(
        (m) => addressOf(m) === address && m.subject?.startsWith('Your approval is requested'),
      )!;

    // "Waiting on me" lists it for the approvers still open, and no longer for the on-call leads.
    expect(await waitingOn('tom')).toContain(change.id);
    expect(await waitingOn('sam')).toContain(change.id);
    expect(await waitingOn('ana')).not.toContain(change.id);

    // After remindAfter (1h): a reminder to each open approver, with links that still decide.
    smtp.messages.length = 0;
    t.clock.set('2026-11-02T11:00:01Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const reminders = await smtp.waitFor(2);
    expect(reminders.map((m) => m.subject)).toEqual([
      `Reminder: ${change.id} is waiting for your decision`,
      `Reminder: ${change.id} is waiting for your decision`,
    ]);
    expect(reminders.map(addressOf).sort()).toEqual(['sam@example.com', 'tom@example.com']);
    const toTom = reminders.find((m) => addressOf(m) === 'tom@example.com')!;
    expect(toTom.text).toContain('State: in progress');
    expect(toTom.text).toMatch(/Still needed: security .*; cto /);

    const [tomApproves] = actionTokens(toTom);
    const shown = await t.app.inject({ method: 'GET', url: `/actions/${tomApproves}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Nothing has happened yet');
    const tomDecided = await useLink(tomApproves!, 'Checked the firewall rule');
    expect(tomDecided.statusCode).toBe(200);
    expect(tomDecided.body).toContain('started early and still waits for other approvals');
    expect(await waitingOn('tom')).not.toContain(change.id);

    // After escalateAfter (2h): the change managers hear it still waits.
    smtp.messages.length = 0;
    t.clock.set('2026-11-02T12:00:01Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const [escalation] = await smtp.waitFor(1);
    expect(escalation!.subject).toBe(`Escalation: ${change.id} is still waiting for approval`);
    expect(addressOf(escalation!)).toBe('kim@example.com');
    expect(escalation!.text).toMatch(/Still needed: cto /);

    // Sam decides from the request mailed at submit, once the change is already complete.
    expect((await act('priya', change.id, 'complete')).body.state).toBe('completed');
    t.clock.set('2026-11-02T12:30:00Z');
    const [samApproves] = actionTokens(requestTo('sam@example.com'));
    const samDecided = await useLink(samApproves!);
    expect(samDecided.statusCode).toBe(200);
    expect(samDecided.body).toContain('every approval it needs is now in');
    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after).toMatchObject({ state: 'completed', startedEarly: false, waitingFor: [] });
    expect(after.decisions.map((d: { person: string }) => d.person)).toEqual(['lee', 'tom', 'sam']);

    // Nothing is left to remind: no more reminders or escalations.
    smtp.messages.length = 0;
    t.clock.set('2026-11-03T12:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    expect(
      smtp.messages.filter((m) => /^(Reminder|Escalation)/.test(m.subject ?? '')),
    ).toHaveLength(0);

    // The clock: it never passed through `approved`; it counts as approved at Sam's approval.
    const clock = (await t.call('priya', 'GET', `/changes/${change.id}/clock`)).body;
    expect(clock).toMatchObject({
      approvedAt: '2026-11-02T12:30:00.000Z',
      approvedAfterMs: 150 * 60_000,
      startedAt: '2026-11-02T10:00:00.000Z',
    });
    expect(clock.approvals.map((a: { group: string }) => a.group)).toEqual([
      'on-call-leads',
      'security',
      'cto',
    ]);
  });

  it('asks the stand-in of an approver who goes away after the start', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    await t.ctx.dispatcher.runOnce();
    await smtp.waitFor(2);
    smtp.messages.length = 0;
    // Sam (the CTO) goes away; Kim is his deputy and is asked in his place.
    const away = await t.call('sam', 'PUT', '/people/sam/absence', {
      until: '2026-11-09T09:00:00Z',
    });
    expect(away.status).toBe(200);
    await t.ctx.dispatcher.runOnce();
    const [mail] = await smtp.waitFor(1);
    expect(addressOf(mail!)).toBe('kim@example.com');
    expect(mail!.subject).toBe(
      `Your approval is requested: ${change.id} Raise payment retry limit`,
    );
    expect(await waitingOn('kim')).toContain(change.id);
  });

  it('tells the requester and the service channels at once of a rejection after the start, out of hours', async () => {
    // 20:00 UTC is 01:30 in Kolkata: Priya is out of hours, and an emergency interrupts.
    t.clock.set('2026-11-02T20:00:00Z');
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('ana', change.id, 'approve');
    await act('priya', change.id, 'start');
    await t.ctx.dispatcher.runOnce();
    await smtp.waitFor(2);
    smtp.messages.length = 0;
    teams.requests.length = 0;
    audit.requests.length = 0;

    const rejected = await act('tom', change.id, 'reject', { comment: 'This opens port 22' });
    expect(rejected.body).toMatchObject({ state: 'in_progress', rejectedAfterStart: true });
    await t.ctx.dispatcher.runOnce();

    const headline = `${change.id} was rejected by Tom Becker after the change was started: a review is required`;
    const [mail] = await smtp.waitFor(1);
    expect(addressOf(mail!)).toBe('priya@example.com');
    expect(mail!.subject).toBe(headline);
    expect(mail!.text).toContain('Comment: This opens port 22');
    expect(mail!.text).toContain('State: in progress');
    // Payments' channel (Teams, change-board) hears it too.
    await expect.poll(() => teams.requests.length).toBe(1);
    const card = teams.requests[0]!.json.attachments[0].content;
    expect(card.body[0].text).toContain('after the change was started: a review is required');
    expect(slack.requests).toHaveLength(0);
    await expect.poll(() => audit.requests.length).toBe(1);
    expect(audit.requests[0]!.json.event).toMatchObject({
      type: 'approval-rejected',
      actor: 'tom',
      data: expect.objectContaining({ afterStart: true }),
    });

    // Sam is still asked (the CTO's approval is still required), and may still decide.
    expect(await waitingOn('sam')).toContain(change.id);
  });
});
