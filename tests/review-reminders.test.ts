import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

/**
 * PRODUCT.md, "Post-implementation review": an overdue review is reminded like
 * an approval. Priya (Asia/Kolkata, 09:30–18:00) owes the review of a failed
 * normal change; the normal type escalates to the change managers after 1d,
 * Kim among them (Asia/Seoul).
 */
describe.each(databaseKinds)('overdue reviews on $name', (kind) => {
  let smtp: MailReceiver;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    smtp.messages.length = 0;
    t = await startTestApp(kind, {
      env: { SMTP_URL: smtp.url, ALLOW_PRIVATE_TARGETS: 'true' },
      context: { outboundTimeoutMs: 500 },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const subjects = (to: string) =>
    smtp.messages
      .filter((m) => (m.to as { text: string }).text.includes(`${to}@`))
      .map((m) => m.subject ?? '');

  /** A normal change that failed on Monday 2 Nov 10:00 UTC (15:30 in Kolkata): its review is due Wednesday. */
  async function failedChange(): Promise<string> {
    const change = await submittedChange(t, 'priya');
    await t.call('lee', 'POST', `/changes/${change.id}/approve`);
    await t.call('priya', 'POST', `/changes/${change.id}/start`);
    const failed = await t.call('priya', 'POST', `/changes/${change.id}/fail`);
    expect(failed.body.review.due).toBe('2026-11-04T10:00:00.000Z');
    await t.ctx.dispatcher.runOnce();
    smtp.messages.length = 0;
    return change.id;
  }

  it('reminds the requester once it is overdue, then escalates a day later, each once', async () => {
    const id = await failedChange();
    t.clock.set('2026-11-04T09:59:00Z');
    await t.ctx.dispatcher.runOnce();
    expect(subjects('priya')).toEqual([]);

    t.clock.set('2026-11-04T10:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const reminder = `Review overdue: ${id} Raise payment retry limit was due for its post-implementation review Wed 4 Nov 10:00 UTC`;
    expect(subjects('priya')).toEqual([reminder]);

    // escalateAfter (1d) past due: the change managers; Kim at 09:00 in Seoul.
    t.clock.set('2026-11-05T10:00:00Z');
    await t.ctx.dispatcher.runOnce();
    expect(subjects('kim')).toEqual([]);
    t.clock.set('2026-11-06T00:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    expect(subjects('kim')).toEqual([
      `Escalation: the post-implementation review of ${id} is overdue (due Wed 4 Nov 10:00 UTC)`,
    ]);
    expect(subjects('priya')).toEqual([reminder]);
  });

  it('sends nothing for a review filed in time, and drops an escalation once it is filed', async () => {
    const filedInTime = await failedChange();
    await t.call('priya', 'POST', `/changes/${filedInTime}/review`, {
      answers: { whatHappened: 'The pool ran dry' },
    });
    const late = await failedChange();
    t.clock.set('2026-11-04T10:00:00Z');
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    expect(subjects('priya').map((s) => s.split(' ')[2])).toEqual([late]);

    // The escalation is written a day on, waits for Kim's morning, and by then the review is in.
    t.clock.set('2026-11-05T10:00:00Z');
    await t.ctx.dispatcher.runOnce();
    const filed = await t.call('priya', 'POST', `/changes/${late}/review`, {
      answers: { whatHappened: 'The pool ran dry again' },
    });
    expect(filed.status).toBe(201);
    t.clock.set('2026-11-06T00:00:00Z');
    await t.ctx.dispatcher.runOnce();
    expect(subjects('kim')).toEqual([]);
    const outbox = await t.call('dev', 'GET', '/outbox?limit=500');
    expect(
      outbox.body.items
        .filter((d: { target: string }) => d.target === 'kim')
        .map((d: { status: string; lastError: string | null }) => [d.status, d.lastError]),
    ).toContainEqual(['skipped', 'the review was filed, or is no longer owed']);
  });
});
