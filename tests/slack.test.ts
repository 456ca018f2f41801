import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../src/app/audit.js';
import { DOCTOR_CHECKS, runDoctor } from '../src/cli/commands/doctor.js';
import { readConfig } from '../src/config/config.js';
import { SLACK_ACTIONS } from '../src/notifications/templates/slack.js';
import { EXAMPLE_POLICY, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { runCli } from './_util/cli.js';
import { databaseKinds } from './_util/databases.js';
import {
  blockActions,
  slackRequest,
  startFakeSlack,
  viewSubmission,
  type FakeSlack,
} from './_util/slack.js';

const TOKEN = 'xoxb-1-changeboard-test';
const SIGNING_SECRET = '0123456789abcdef0123456789abcdef';

/**
 * The example policy with the Slack app: Lee has a Slack id, the others are found by e-mail;
 * payments has a Slack channel. Lee and Kim work from London here, so that the test clock
 * (Monday 10:00 UTC) is in their working hours: direct messages wait for them, as e-mails do.
 */
const POLICY = EXAMPLE_POLICY.replace(
  '    timezone: America/New_York\n',
  '    timezone: Europe/London\n    slack: U0LEE\n    notifyBy: slack\n',
)
  .replace('    timezone: Asia/Seoul\n', '    timezone: Europe/London\n')
  .replace(
    '  audit-sink:\n',
    '  payments-slack:\n    type: slack\n    channel: C0PAY\n  audit-sink:\n',
  )
  .replace('    notify: [change-board]\n', '    notify: [change-board, payments-slack]\n');

const USERS = {
  U0LEE: 'lee@example.com',
  U0KIM: 'kim@example.com',
  U0PRIYA: 'Priya@Example.com',
  U0TOM: 'tom@example.com',
  U0STRANGER: 'stranger@elsewhere.example',
  // Another organisation's user in a shared channel, who set Kim's e-mail on their account.
  U0EVE: 'kim@example.com',
  // Someone of the workspace whose e-mail (Kim's) Slack has not confirmed.
  U0UNCONFIRMED: 'kim@example.com',
};

describe.each(databaseKinds)('Decide in Slack on $name', (kind) => {
  let t: TestApp;
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({
      token: TOKEN,
      users: USERS,
      channels: { C0PAY: 'payments' },
      unconfirmed: ['U0UNCONFIRMED'],
      otherTeam: ['U0EVE'],
    });
    t = await startTestApp(kind, {
      policy: POLICY,
      env: {
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await slack.close();
  });
  afterEach(async () => {
    await t.ctx.slack.idle();
    slack.calls.length = 0;
  });

  const deliver = async () => {
    for (let round = 0; round < 5; round++)
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
  };
  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  /** Posts an interaction; then waits for what it does after answering, unless `settle` is false. */
  const post = async (
    payload: unknown,
    options: { timestamp?: number; retryNum?: number; signature?: string; settle?: boolean } = {},
  ) => {
    const { settle = true, ...signing } = options;
    const request = slackRequest(SIGNING_SECRET, payload, { timestamp: now(), ...signing });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/slack/interactions',
      ...request,
    });
    if (settle) await t.ctx.slack.idle();
    return response;
  };
  const numeric = (id: string) => Number(id.replace('CHG-', ''));
  const messagesOf = (id: string) => t.ctx.store.read.slackMessages.listForChange(numeric(id));
  const messageFor = async (id: string, target: string) => {
    const found = (await messagesOf(id)).find((m) => m.target === target);
    if (!found) throw new Error(`no Slack message for ${target}`);
    return found;
  };
  const click = async (
    user: string,
    action: 'approve' | 'reject',
    change: { id: string; round?: number },
    where: { channel: string; ts: string },
    options: { retryNum?: number; round?: number; team?: string; settle?: boolean } = {},
  ) =>
    post(
      blockActions({
        user,
        actionId: SLACK_ACTIONS[action],
        value: `${numeric(change.id)}:${options.round ?? 1}`,
        channel: where.channel,
        messageTs: where.ts,
        ...(options.team && { team: options.team }),
      }),
      { retryNum: options.retryNum, settle: options.settle },
    );
  const ephemeralsTo = (user: string) =>
    slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === user);
  const changeJson = async (id: string) => (await t.call('priya', 'GET', `/changes/${id}`)).body;
  const eventsOf = async (id: string) =>
    (await t.call('priya', 'GET', `/changes/${id}/events`)).body.items as {
      type: string;
      actor: string;
      data: Record<string, unknown>;
    }[];

  it('asks each approver in a direct message and the service channel once, with Approve and Reject', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const posts = slack.callsTo('chat.postMessage');
    // Lee by his Slack id, Kim found by her e-mail; Priya requested it, so nobody asks her; and the channel.
    expect(posts.map((c) => c.args.channel).sort()).toEqual(['C0PAY', 'U0KIM', 'U0LEE']);
    expect(slack.callsTo('users.lookupByEmail').map((c) => c.args.email)).toEqual([
      'kim@example.com',
    ]);
    for (const call of posts) expect(call.token).toBe(TOKEN);
    const dm = posts.find((c) => c.args.channel === 'U0LEE')!;
    expect(dm.args.text).toContain(`Your approval is requested: ${change.id}`);
    const buttons = dm.args.blocks.find((b: { type: string }) => b.type === 'actions').elements;
    expect(buttons.map((b: { action_id: string }) => b.action_id)).toEqual([
      SLACK_ACTIONS.approve,
      SLACK_ACTIONS.reject,
      'open-change',
    ]);
    expect(buttons[0]).toMatchObject({ style: 'primary', value: `${numeric(change.id)}:1` });
    expect(JSON.stringify(dm.args.blocks)).toContain('No approval yet, 0 of 2');
    // Recorded, so later events update these messages instead of posting new ones.
    expect((await messagesOf(change.id)).map((m) => [m.target, m.channel]).sort()).toEqual([
      ['channel:payments-slack', 'C0PAY'],
      ['person:kim', 'D0KIM'],
      ['person:lee', 'D0LEE'],
    ]);
    // Nothing is sent twice: another round of the dispatcher finds nothing to do.
    slack.calls.length = 0;
    await deliver();
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it("waits for each approver's working hours to ask them directly, but not for an emergency", async () => {
    t.clock.set('2026-11-02T21:30:00Z'); // Monday evening in London
    try {
      const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
      await deliver();
      // The channel hears at once; Lee and Kim are asked when their Tuesday starts.
      expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(['C0PAY']);
      t.clock.set('2026-11-03T09:01:00Z');
      await deliver();
      expect(
        slack
          .callsTo('chat.postMessage')
          .map((c) => c.args.channel)
          .sort(),
      ).toEqual(['C0PAY', 'U0KIM', 'U0LEE']);
      expect((await messagesOf(change.id)).map((m) => m.target).sort()).toEqual([
        'channel:payments-slack',
        'person:kim',
        'person:lee',
      ]);

      // An emergency is asked out of hours; a request whose approver decided meanwhile is not sent.
      slack.calls.length = 0;
      t.clock.set('2026-11-03T22:00:00Z');
      const emergency = await submittedChange(t, 'priya', {
        type: 'emergency',
        answers: { ...highRisk },
      });
      await deliver();
      expect(
        slack
          .callsTo('chat.postMessage')
          .map((c) => c.args.channel)
          .filter((c) => c.startsWith('U0')),
      ).toContain('U0LEE');
      expect((await messagesOf(emergency.id)).some((m) => m.target === 'person:lee')).toBe(true);
    } finally {
      t.clock.set('2026-11-02T10:00:00Z');
    }
  });

  it('tells someone whose channel of choice is Slack of a comment that names them, there and not by e-mail', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    slack.calls.length = 0;
    const mentioned = await t.call('kim', 'POST', `/changes/${change.id}/comments`, {
      body: '@lee can you check the <rollback> plan?',
    });
    expect(mentioned.status).toBe(201);
    // Priya (e-mail, her default) is asked a question by Lee in the same way.
    const asked = await t.call('lee', 'POST', `/changes/${change.id}/comments`, {
      body: 'Which window do you plan?',
      question: true,
    });
    expect(asked.status).toBe(201);
    await deliver();
    const dms = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0LEE');
    expect(dms).toHaveLength(1);
    expect(dms[0]!.args.text).toContain(
      `Kim Park mentioned you on <http://changeboard.test/changes/${change.id}|${change.id}`,
    );
    expect(dms[0]!.args.text).toContain('>@lee can you check the &lt;rollback&gt; plan?');
    const rows = await t.ctx.store.read.outbox.list({ changeId: numeric(change.id), limit: 100 });
    const comments = rows.filter(
      (m) => m.kind === 'email' && (m.payload as { template?: string }).template === 'comment',
    );
    expect(comments.map((m) => m.target)).toEqual(['priya']);
  });

  it('approves in one click, records via slack in the chain, and updates every message in place', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    slack.calls.length = 0;

    const clicked = await click('U0LEE', 'approve', change, leeDm);
    expect(clicked.statusCode).toBe(200);
    expect(clicked.body).toBe('');
    expect(ephemeralsTo('U0LEE')).toEqual([]);
    const after = await changeJson(change.id);
    expect(after.state).toBe('pending');
    expect(after.decisions).toEqual([
      expect.objectContaining({ person: 'lee', verdict: 'approve', via: 'slack' }),
    ]);
    expect((await eventsOf(change.id)).find((e) => e.type === 'approval-granted')).toMatchObject({
      actor: 'lee',
      data: { via: 'slack' },
    });

    await deliver();
    const updates = slack.callsTo('chat.update');
    expect(updates.map((c) => `${c.args.channel} ${c.args.ts}`).sort()).toEqual(
      (await messagesOf(change.id)).map((m) => `${m.channel} ${m.ts}`).sort(),
    );
    const channelUpdate = updates.find((c) => c.args.channel === 'C0PAY')!;
    expect(JSON.stringify(channelUpdate.args.blocks)).toContain(
      'Approved by Lee Wong, 1 of 2 — waiting for 1 from change-managers',
    );
    // Lee has decided: his own message no longer offers the buttons; Kim's still does.
    const actionIds = (channel: string) =>
      JSON.stringify(updates.find((c) => c.args.channel === channel)!.args.blocks);
    expect(actionIds('D0LEE')).not.toContain(SLACK_ACTIONS.approve);
    expect(actionIds('D0KIM')).toContain(SLACK_ACTIONS.approve);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);

    // Kim approves from the channel's message: 2 of 2.
    slack.calls.length = 0;
    const channelMessage = await messageFor(change.id, 'channel:payments-slack');
    expect((await click('U0KIM', 'approve', change, channelMessage)).statusCode).toBe(200);
    expect((await changeJson(change.id)).state).toBe('approved');
    await deliver();
    const final = slack.callsTo('chat.update').find((c) => c.args.channel === 'C0PAY')!;
    expect(JSON.stringify(final.args.blocks)).toContain(
      'Approved by Lee Wong and Kim Park, 2 of 2 — waiting for nothing',
    );
    expect(JSON.stringify(final.args.blocks)).not.toContain(SLACK_ACTIONS.approve);
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({ ok: true });
  });

  it('decides once when Slack delivers the same click twice, and says nothing about the copy', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    const payload = blockActions({
      user: 'U0LEE',
      actionId: SLACK_ACTIONS.approve,
      value: `${numeric(change.id)}:1`,
      channel: leeDm.channel,
      messageTs: leeDm.ts,
    });
    const [first, second] = await Promise.all([post(payload), post(payload, { retryNum: 1 })]);
    const third = await post(payload, { retryNum: 2 });
    for (const response of [first, second, third]) expect(response.statusCode).toBe(200);
    const after = await changeJson(change.id);
    expect(after.state).toBe('approved');
    expect(after.decisions).toHaveLength(1);
    expect((await eventsOf(change.id)).filter((e) => e.type === 'approval-granted')).toHaveLength(
      1,
    );
    expect(ephemeralsTo('U0LEE')).toEqual([]);
  });

  it('refuses self-approval with a private explanation, and decides nothing', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    const channelMessage = await messageFor(change.id, 'channel:payments-slack');
    const clicked = await click('U0PRIYA', 'approve', change, channelMessage);
    expect(clicked.statusCode).toBe(200);
    const [told] = ephemeralsTo('U0PRIYA');
    expect(told?.args).toMatchObject({ channel: 'C0PAY', user: 'U0PRIYA' });
    expect(told?.args.text).toContain(`You requested ${change.id}`);
    expect((await changeJson(change.id)).decisions).toEqual([]);
  });

  it('tells a Slack user who is not in the policy, or may not decide, why', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    const channelMessage = await messageFor(change.id, 'channel:payments-slack');
    await click('U0STRANGER', 'approve', change, channelMessage);
    expect(ephemeralsTo('U0STRANGER')[0]?.args.text).toContain('slack: U0STRANGER');
    // Tom is in the policy, but not among the payments approvers.
    await click('U0TOM', 'approve', change, channelMessage);
    expect(ephemeralsTo('U0TOM')[0]?.args.text).toContain(
      `You are not among the approvers ${change.id} still needs`,
    );
    expect((await changeJson(change.id)).decisions).toEqual([]);
  });

  it('answers a click on a change that moved on with what happened, and updates the message', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const kimDm = await messageFor(change.id, 'person:kim');
    const withdrawn = await t.call('priya', 'POST', `/changes/${change.id}/withdraw`, {
      comment: 'Not needed after all',
    });
    expect(withdrawn.status).toBe(200);
    await deliver();
    slack.calls.length = 0;
    await click('U0KIM', 'approve', change, kimDm);
    expect(ephemeralsTo('U0KIM')[0]?.args.text).toMatch(
      new RegExp(`${change.id} has moved on: Withdrawn by Priya Shah`),
    );
    expect(slack.callsTo('chat.update').map((c) => c.args.channel)).toContain(kimDm.channel);
    expect((await changeJson(change.id)).decisions).toEqual([]);

    // An edit opens a new round: a button of the earlier round no longer decides.
    const next = await submittedChange(t, 'priya');
    await deliver();
    const leeDm = await messageFor(next.id, 'person:lee');
    const edited = await t.call('priya', 'PATCH', `/changes/${next.id}`, {
      version: next.version,
      description: 'Raise it to 6 instead',
    });
    expect(edited.status).toBe(200);
    slack.calls.length = 0;
    await click('U0LEE', 'approve', next, leeDm, { round: 1 });
    expect(ephemeralsTo('U0LEE')[0]?.args.text).toContain('was edited after this message was sent');
    expect((await changeJson(next.id)).decisions).toEqual([]);
    // The edit updated the same messages (new round's buttons), it posted none.
    await deliver();
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect(JSON.stringify(slack.callsTo('chat.update')[0]?.args.blocks)).toContain(
      `${numeric(next.id)}:2`,
    );
  });

  it('asks a stand-in instead of an approver who is away, and records whom they decided for', async () => {
    const away = await t.call('lee', 'PUT', '/people/lee/absence', {
      until: '2026-11-20T09:00:00Z',
      delegate: 'tom',
    });
    expect(away.status).toBe(200);
    try {
      const change = await submittedChange(t, 'priya');
      await deliver();
      const asked = slack.callsTo('chat.postMessage').map((c) => c.args.channel);
      expect(asked).toContain('U0TOM');
      expect(asked).not.toContain('U0LEE');
      const tomDm = await messageFor(change.id, 'person:tom');
      expect((await click('U0TOM', 'approve', change, tomDm)).statusCode).toBe(200);
      expect(ephemeralsTo('U0TOM')).toEqual([]);
      const after = await changeJson(change.id);
      expect(after.state).toBe('approved');
      expect(after.decisions).toEqual([
        expect.objectContaining({ person: 'lee', actor: 'tom', onBehalfOf: 'lee', via: 'slack' }),
      ]);
      await deliver();
      const channelMessage = await messageFor(change.id, 'channel:payments-slack');
      const update = slack.callsTo('chat.update').find((c) => c.args.ts === channelMessage.ts);
      expect(JSON.stringify(update?.args.blocks)).toContain(
        'Approved by Tom Becker (for Lee Wong), 1 of 1',
      );
    } finally {
      expect((await t.call('lee', 'DELETE', '/people/lee/absence')).status).toBe(200);
    }
  });

  it('asks the stand-in of an approver who goes away after being asked', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    slack.calls.length = 0;
    expect(
      (
        await t.call('lee', 'PUT', '/people/lee/absence', {
          until: '2026-11-20T09:00:00Z',
          delegate: 'tom',
        })
      ).status,
    ).toBe(200);
    try {
      await deliver();
      const posted = slack.callsTo('chat.postMessage');
      expect(posted.map((c) => c.args.channel)).toContain('U0TOM');
      expect(posted.map((c) => c.args.channel)).not.toContain('U0LEE');
      expect((await messageFor(change.id, 'person:tom')).channel).toBe('D0TOM');
      // The change's other messages now say who decides for Lee.
      const channelMessage = await messageFor(change.id, 'channel:payments-slack');
      const update = slack.callsTo('chat.update').find((c) => c.args.ts === channelMessage.ts);
      expect(JSON.stringify(update?.args.blocks)).toContain('Lee Wong (away: Tom Becker decides)');
    } finally {
      expect((await t.call('lee', 'DELETE', '/people/lee/absence')).status).toBe(200);
    }
  });

  it('rejects through a form that asks for the reason', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    slack.calls.length = 0;
    const clicked = await click('U0LEE', 'reject', change, leeDm);
    expect(clicked.statusCode).toBe(200);
    const [opened] = slack.callsTo('views.open');
    expect(opened?.args.trigger_id).toMatch(/^trigger-U0LEE-/);
    const view = opened!.args.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'changeboard-decide' });
    expect((await changeJson(change.id)).state).toBe('pending');

    const empty = await post(viewSubmission({ user: 'U0LEE', view, reason: '   ' }));
    expect(empty.statusCode).toBe(200);
    expect(JSON.parse(empty.body)).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('Say why') },
    });

    const submitted = viewSubmission({ user: 'U0LEE', view, reason: 'Retries hide the outage' });
    const done = await post(submitted);
    expect(done.statusCode).toBe(200);
    expect(done.body).toBe('');
    const after = await changeJson(change.id);
    expect(after.state).toBe('rejected');
    expect(after.decisions).toEqual([
      expect.objectContaining({
        person: 'lee',
        verdict: 'reject',
        via: 'slack',
        comment: 'Retries hide the outage',
      }),
    ]);
    // Slack retries the submission: the modal closes, nothing more is recorded.
    const again = await post(submitted, { retryNum: 1 });
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe('');
    expect((await eventsOf(change.id)).filter((e) => e.type === 'rejected')).toHaveLength(1);

    await deliver();
    const update = slack.callsTo('chat.update').find((c) => c.args.channel === 'C0PAY')!;
    expect(JSON.stringify(update.args.blocks)).toContain(
      'Rejected by Lee Wong: “Retries hide the outage”',
    );
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({ ok: true });
  });

  it('matches by e-mail only a user of its own workspace whose e-mail Slack confirmed', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const channelMessage = await messageFor(change.id, 'channel:payments-slack');
    slack.calls.length = 0;
    // Another organisation's user in the shared channel, with Kim's e-mail on their account.
    await click('U0EVE', 'approve', change, channelMessage, { team: 'T2' });
    expect(ephemeralsTo('U0EVE')[0]?.args.text).toContain('belongs to another workspace');
    // The payload's team is what counts: their e-mail is never even asked for.
    expect(slack.callsTo('users.info').map((c) => c.args.user)).not.toContain('U0EVE');
    // Someone of this workspace whose e-mail (Kim's) Slack has not confirmed.
    await click('U0UNCONFIRMED', 'approve', change, channelMessage);
    expect(ephemeralsTo('U0UNCONFIRMED')[0]?.args.text).toContain('no confirmed e-mail');
    expect((await changeJson(change.id)).decisions).toEqual([]);
    // Kim herself, of this workspace with her e-mail confirmed, is found by it.
    await click('U0KIM', 'approve', change, channelMessage);
    expect(ephemeralsTo('U0KIM')).toEqual([]);
    expect((await changeJson(change.id)).decisions).toEqual([
      expect.objectContaining({ person: 'kim', verdict: 'approve', via: 'slack' }),
    ]);
    // The workspace was asked once (auth.test is cached).
    expect(slack.callsTo('auth.test').length).toBeLessThanOrEqual(1);
  });

  it('answers Slack at once, and says and updates what it must afterwards', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    const kimDm = await messageFor(change.id, 'person:kim');
    // Lee approves: decided before the answer, so Slack's retry finds it.
    expect((await click('U0LEE', 'approve', change, leeDm, { settle: false })).statusCode).toBe(
      200,
    );
    expect((await changeJson(change.id)).decisions).toHaveLength(1);
    await t.call('priya', 'POST', `/changes/${change.id}/withdraw`, { comment: 'Not now' });
    await deliver();
    slack.calls.length = 0;
    // Slack is slow: nothing it is asked now answers until released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = async () => {
      await released;
      return undefined;
    };
    const unhook = [slack.on('chat.update', held), slack.on('chat.postEphemeral', held)];
    try {
      const answered = await click('U0KIM', 'approve', change, kimDm, { settle: false });
      expect(answered.statusCode).toBe(200);
      expect(answered.body).toBe('');
      // A retry of Lee's click: the decision is found, the messages are refreshed later.
      const retried = await click('U0LEE', 'approve', change, leeDm, {
        retryNum: 1,
        settle: false,
      });
      expect(retried.statusCode).toBe(200);
      expect(ephemeralsTo('U0LEE')).toEqual([]);
    } finally {
      release();
      for (const remove of unhook) remove();
    }
    await t.ctx.slack.idle();
    expect(ephemeralsTo('U0KIM')[0]?.args.text).toContain(`${change.id} has moved on`);
    expect(slack.callsTo('chat.update').map((c) => c.args.channel)).toContain(kimDm.channel);
    expect((await changeJson(change.id)).decisions).toHaveLength(1);
  });

  it('escapes a rejection comment quoted in the private "moved on" note', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const kimDm = await messageFor(change.id, 'person:kim');
    const rejected = await t.call('lee', 'POST', `/changes/${change.id}/reject`, {
      comment: 'No <!channel> & <https://evil.example|Approve>',
    });
    expect(rejected.status).toBe(200);
    slack.calls.length = 0;
    await click('U0KIM', 'approve', change, kimDm);
    const text = String(ephemeralsTo('U0KIM')[0]?.args.text);
    expect(text).toContain('has moved on');
    expect(text).toContain('No &lt;!channel&gt; &amp; &lt;https://evil.example|Approve&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('forgets a message deleted in Slack and keeps the others current', async () => {
    const change = await submittedChange(t, 'priya', { answers: { ...highRisk } });
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    const unhook = slack.on('chat.update', (call) =>
      call.args.ts === leeDm.ts ? { ok: false, error: 'message_not_found' } : undefined,
    );
    try {
      expect(
        (await t.call('kim', 'POST', `/changes/${change.id}/approve`, { comment: 'Fine' })).status,
      ).toBe(200);
      slack.calls.length = 0;
      await deliver();
      expect(slack.callsTo('chat.update')).toHaveLength(3);
      expect((await messagesOf(change.id)).map((m) => m.target).sort()).toEqual([
        'channel:payments-slack',
        'person:kim',
      ]);
      const stuck = await t.ctx.store.read.outbox.list({
        changeId: numeric(change.id),
        statuses: ['pending', 'failed', 'dead'],
        limit: 100,
      });
      expect(stuck.filter((m) => m.kind === 'slack-app')).toEqual([]);
      // Later updates leave the deleted message alone.
      slack.calls.length = 0;
      expect(
        (await t.call('lee', 'POST', `/changes/${change.id}/approve`, { comment: 'Fine' })).status,
      ).toBe(200);
      await deliver();
      expect(
        slack
          .callsTo('chat.update')
          .map((c) => c.args.channel)
          .sort(),
      ).toEqual(['C0PAY', 'D0KIM']);
    } finally {
      unhook();
    }
  });

  it('takes back its own copy when another job posted the same message first', async () => {
    const change = await submittedChange(t, 'priya');
    const first = { channel: 'C0PAY', ts: '1700000000.000001' };
    // While this job posts to the channel, another records its message for the same target.
    const unhook = slack.on('chat.postMessage', async (call) => {
      if (call.args.channel !== 'C0PAY') return undefined;
      const at = t.clock.now().toISOString();
      await t.ctx.store.direct.slackMessages.insert({
        changeId: numeric(change.id),
        target: 'channel:payments-slack',
        person: null,
        ...first,
        postedAt: at,
        updatedAt: at,
      });
      return undefined;
    });
    try {
      await deliver();
    } finally {
      unhook();
    }
    const posted = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0PAY');
    expect(posted).toHaveLength(1);
    const deleted = slack.callsTo('chat.delete');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.args.channel).toBe('C0PAY');
    expect(deleted[0]?.args.ts).not.toBe(first.ts);
    expect(await messageFor(change.id, 'channel:payments-slack')).toMatchObject(first);
  });

  it('refuses a bad signature and a replay older than five minutes before reading anything', async () => {
    const change = await submittedChange(t, 'priya');
    await deliver();
    const leeDm = await messageFor(change.id, 'person:lee');
    slack.calls.length = 0;
    const payload = blockActions({
      user: 'U0LEE',
      actionId: SLACK_ACTIONS.approve,
      value: `${numeric(change.id)}:1`,
      channel: leeDm.channel,
      messageTs: leeDm.ts,
    });
    const forged = await post(payload, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.statusCode).toBe(401);
    expect(JSON.parse(forged.body).error.code).toBe('unauthenticated');
    const replay = await post(payload, { timestamp: now() - 301 });
    expect(replay.statusCode).toBe(401);
    expect(JSON.parse(replay.body).error.message).toContain('five minutes');
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/slack/interactions',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    });
    expect(unsigned.statusCode).toBe(401);
    expect((await changeJson(change.id)).decisions).toEqual([]);
    expect(slack.calls).toEqual([]);
  });

  it('doctor: checks the token with auth.test and the channels, naming the wrong setting', async () => {
    const run = async (env: Record<string, string>, policy = t.ctx.policy) => {
      const result = readConfig({
        PUBLIC_URL: 'http://changeboard.test',
        SLACK_API_URL: slack.url,
        ...env,
      });
      if (!result.ok) throw new Error(result.problems.join('\n'));
      const findings = await runDoctor({ config: result.config, policy }, DOCTOR_CHECKS);
      return findings.flatMap((r) => r.findings.map((f) => ({ check: r.check, ...f })));
    };
    const good = await run({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(good.filter((f) => f.check.startsWith('Slack')).map((f) => f.status)).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(slack.callsTo('conversations.info').map((c) => c.args.channel)).toEqual(['C0PAY']);

    const badToken = await run({
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
    });
    expect(badToken.find((f) => f.check === 'Slack bot token')).toMatchObject({
      status: 'problem',
      setting: 'SLACK_BOT_TOKEN',
    });
    const noSecret = await run({ SLACK_BOT_TOKEN: TOKEN });
    expect(noSecret.find((f) => f.check === 'Slack signing secret')).toMatchObject({
      status: 'problem',
      setting: 'SLACK_SIGNING_SECRET',
    });

    const { parsePolicy } = await import('../src/policy/load.js');
    const parsed = parsePolicy(POLICY.replace('channel: C0PAY', 'channel: C0GONE'));
    if (!parsed.ok) throw new Error('policy');
    const gone = await run(
      { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET },
      parsed.policy,
    );
    expect(gone.find((f) => f.check === 'Slack channels')).toMatchObject({
      status: 'problem',
      setting: 'channels.payments-slack.channel in the policy file',
      message: expect.stringContaining('channel_not_found'),
    });
  });
});

describe('changeboard doctor', () => {
  // One real run of the CLI (the checks themselves are tested in-process above).
  it('names the Slack setting that is wrong, and exits 1', async () => {
    const slack = await startFakeSlack({ token: TOKEN, users: {}, channels: {} });
    try {
      // Only this test's settings: any TEAMS_* or SLACK_* of the shell is blanked (empty is unset),
      // so the Teams check never calls Microsoft.
      const blank = Object.fromEntries(
        Object.keys(process.env)
          .filter((key) => /^(TEAMS|SLACK)_/.test(key))
          .map((key) => [key, '']),
      );
      const bad = await runCli(['doctor'], {
        ...blank,
        SLACK_API_URL: slack.url,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-revoked',
      });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(
        'PROBLEM Slack bot token: Slack refused SLACK_BOT_TOKEN (invalid_auth) (fix SLACK_BOT_TOKEN)',
      );
      expect(bad.stdout).toContain('ok      Slack signing secret: set');
      expect(slack.callsTo('auth.test')).toHaveLength(1);
    } finally {
      await slack.close();
    }
  });
});

const highRisk = {
  tested: true,
  testResults: 'https://ci.example.com/run/9',
  consequenceOfNotReleasing: 'Retries keep failing for card payments',
  rollbackPlan: 'Revert the config change',
  risk: 'high',
};
