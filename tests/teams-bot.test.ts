import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../src/app/audit.js';
import { parsePolicy } from '../src/policy/load.js';
import { EXAMPLE_POLICY, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { openMigratedStore } from './_util/databases.js';
import { FakeMicrosoft, TEAMS_APP_ID as APP_ID, TEAMS_TENANT as TENANT } from './_util/teams.js';
import { teamsRepository } from '../src/storage/teams-repositories.js';
import type { OutboxMessage } from '../src/app/ports.js';

// adaptivecards' lib/ build does not import in Node; its dist bundle does (STACK.md).
const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js');

const LEE = 'aaaaaaaa-1111-4111-8111-111111111111';
const PRIYA = 'bbbbbbbb-2222-4222-8222-222222222222';
const CONVERSATION = '19:board@thread.tacv2';

const POLICY = EXAMPLE_POLICY.replace(
  '    timezone: America/New_York\n',
  `    timezone: America/New_York\n    teams: ${LEE}\n`,
)
  .replace(
    '    workingHours: "09:30-18:00"\n',
    `    workingHours: "09:30-18:00"\n    teams: ${PRIYA}\n`,
  )
  .replace(
    'channels:\n',
    `channels:\n  ops-teams:\n    type: teams\n    conversation: "${CONVERSATION}"\n`,
  )
  .replace(
    '    notify: [change-board]\n  website:',
    '    notify: [change-board, ops-teams]\n  website:',
  );

function cardOf(activity: Record<string, unknown>) {
  const attachments = activity.attachments as {
    contentType: string;
    content: Record<string, unknown>;
  }[];
  expect(attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return attachments[0]!.content;
}

/** The card as Microsoft's own parser reads it: no parse or validation events. */
function expectValidCard(card: Record<string, unknown>): void {
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  const events = Array.from(
    { length: context.eventCount },
    (_, i) => context.getEventAt(i).message,
  );
  expect(events).toEqual([]);
  expect(parsed.validateProperties().validationEvents).toEqual([]);
}

const verbs = (card: Record<string, unknown>) =>
  (card.actions as { type: string; verb?: string }[])
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => a.verb);

const notice = (card: Record<string, unknown>) =>
  (card.body as { id?: string; text?: string }[]).find((b) => b.id === 'notice')?.text;

describe.each(databaseKinds)('the Teams bot on $name', (kind) => {
  const ms = new FakeMicrosoft();
  let t: TestApp;
  let invokes = 0;

  beforeAll(() => ms.start());
  afterAll(() => ms.close());
  beforeEach(async () => {
    ms.requests.length = 0;
    ms.activityCount = 0;
    t = await startTestApp(kind, {
      policy: POLICY,
      env: {
        TEAMS_APP_ID: APP_ID,
        TEAMS_APP_PASSWORD: 'app-password',
        TEAMS_TENANT_ID: TENANT,
        TEAMS_AUTHORITY: ms.base,
        TEAMS_SERVICE_URL: `${ms.base}/`,
      },
    });
  });
  afterEach(() => t.close());

  /** An Action.Execute as Teams sends it to the messaging endpoint. */
  function invoke(
    from: { aadObjectId: string; id?: string },
    verb: string,
    data: Record<string, unknown>,
    options: { id?: string; token?: string | null; tenantId?: string } = {},
  ) {
    const tenantId = options.tenantId ?? TENANT;
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: options.id ?? `f:invoke-${++invokes}`,
      channelId: 'msteams',
      serviceUrl: `${ms.base}/`,
      timestamp: new Date().toISOString(),
      from: {
        id: from.id ?? `29:${from.aadObjectId}`,
        aadObjectId: from.aadObjectId,
        name: 'Someone',
      },
      recipient: { id: `28:${APP_ID}`, name: 'Changeboard' },
      conversation: {
        id: CONVERSATION,
        conversationType: 'channel',
        tenantId,
        isGroup: true,
      },
      channelData: { tenant: { id: tenantId }, channel: { id: CONVERSATION } },
      value: { action: { type: 'Action.Execute', id: 'act', verb, data }, trigger: 'manual' },
    };
    const token = options.token === undefined ? ms.token() : options.token;
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/teams/messages',
      headers: {
        'content-type': 'application/json',
        ...(token !== null && { authorization: `Bearer ${token}` }),
      },
      payload: activity,
    });
  }

  async function postedChange() {
    const change = await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    const data = {
      changeId: Number(String(change.id).replace(/^CHG-/, '')),
      round: change.round ?? 1,
      version: change.version,
    };
    return { change, data };
  }

  it('posts an Action.Execute card into the conversation when approvers are asked, refreshing for them', async () => {
    const { change } = await postedChange();
    const token = ms.requests.find((r) => r.path.endsWith('/oauth2/v2.0/token'));
    expect(token?.json).toMatchObject({
      grant_type: 'client_credentials',
      client_id: APP_ID,
      scope: 'https://api.botframework.com/.default',
    });
    const [post] = ms.posts();
    expect(post).toMatchObject({
      method: 'POST',
      path: `/v3/conversations/${CONVERSATION}/activities`,
      auth: 'Bearer bot-token',
    });
    const card = cardOf(post!.json);
    expectValidCard(card);
    expect(card.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: 'refresh',
        data: { changeId: 1, round: 1, version: change.version },
      },
      userIds: [`8:orgid:${LEE}`],
    });
    // The channel's card has no Approve for everyone: each asks for their own view.
    expect(verbs(card)).toEqual(['refresh']);
  });

  it('refreshes the card with Approve and Reject only for someone who may decide now', async () => {
    const { data } = await postedChange();
    const lee = await invoke({ aadObjectId: LEE }, 'refresh', data);
    expect(lee.statusCode).toBe(200);
    expect(lee.json()).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    expectValidCard(lee.json().value);
    expect(verbs(lee.json().value)).toEqual(['approve', 'reject']);

    const priya = await invoke({ aadObjectId: PRIYA }, 'refresh', data);
    expect(verbs(priya.json().value)).toEqual([]);
    expect(notice(priya.json().value)).toMatch(/you requested this change/i);
  });

  it('decides an approval via teams, validated like the web, and updates the card in place', async () => {
    const { change, data } = await postedChange();
    const first = await invoke(
      { aadObjectId: LEE },
      'approve',
      { ...data, comment: 'Looks safe' },
      { id: 'f:dup-1' },
    );
    expect(first.statusCode).toBe(200);
    expect(notice(first.json().value)).toBe(`You approved CHG-${data.changeId}.`);
    // Teams delivers the same invoke again: the same answer, and no second decision.
    const again = await invoke(
      { aadObjectId: LEE },
      'approve',
      { ...data, comment: 'Looks safe' },
      { id: 'f:dup-1' },
    );
    expect(again.json()).toEqual(first.json());

    const view = await t.call('lee', 'GET', `/changes/${change.id}`);
    expect(view.body.state).toBe('approved');
    const decisions = view.body.decisions.filter(
      (d: { verdict: string }) => d.verdict === 'approve',
    );
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ person: 'lee', via: 'teams', comment: 'Looks safe' });

    await t.ctx.dispatcher.runOnce();
    const update = ms.posts().find((r) => r.method === 'PUT');
    expect(update?.path).toBe(`/v3/conversations/${CONVERSATION}/activities/activity-1`);
    const card = cardOf(update!.json);
    expectValidCard(card);
    expect(JSON.stringify(card)).toContain('Lee Wong approved');
    expect(card.refresh).toBeUndefined();
    expect(ms.posts().filter((r) => r.method === 'POST')).toHaveLength(1);

    const audit = await verifyAuditTrail(t.ctx.store.read, {
      parsePolicy: (source) => {
        const parsed = parsePolicy(source);
        return parsed.ok ? parsed.policy : undefined;
      },
    });
    expect(audit.ok).toBe(true);
  });

  it('refuses self-approval, a rejection without a reason, and a change that moved on', async () => {
    const { change, data } = await postedChange();
    const self = await invoke({ aadObjectId: PRIYA }, 'approve', data);
    expect(notice(self.json().value)).toMatch(/you requested this change/i);

    const noReason = await invoke({ aadObjectId: LEE }, 'reject', data);
    expect(notice(noReason.json().value)).toMatch(/comment saying why/);
    expect(verbs(noReason.json().value)).toEqual(['approve', 'reject']);

    expect(
      (await t.call('priya', 'POST', `/changes/${change.id}/withdraw`, { version: change.version }))
        .status,
    ).toBe(200);
    const late = await invoke({ aadObjectId: LEE }, 'approve', data);
    expect(notice(late.json().value)).toMatch(/changed since this card was shown|withdrawn/);
    const view = await t.call('lee', 'GET', `/changes/${change.id}`);
    expect(view.body.state).toBe('withdrawn');
    expect(view.body.decisions).toEqual([]);
  });

  it('explains to a Teams user who is not in the policy, and finds one by e-mail', async () => {
    const { change, data } = await postedChange();
    const stranger = await invoke(
      { aadObjectId: 'cccccccc-3333-4333-8333-333333333333' },
      'approve',
      data,
    );
    expect(stranger.statusCode).toBe(200);
    expect(stranger.json()).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/not one of the people/),
    });
    expect((await t.call('lee', 'GET', `/changes/${change.id}`)).body.state).toBe('pending');

    ms.members['29:ana-teams'] = { email: 'Ana@example.com' };
    const ana = await invoke(
      { aadObjectId: 'dddddddd-4444-4444-8444-444444444444', id: '29:ana-teams' },
      'refresh',
      data,
    );
    // Ana is found, but she is no payments owner: no buttons, and why.
    expect(verbs(ana.json().value)).toEqual([]);
    expect(notice(ana.json().value)).not.toMatch(/not one of the people/);
  });

  it('lets a stand-in decide in Teams for someone away, as on the web', async () => {
    const away = await t.call('lee', 'PUT', '/people/lee/absence', {
      until: '2027-01-12T09:00:00Z',
      delegate: 'ana',
    });
    expect(away.status).toBe(200);
    const { data } = await postedChange();
    ms.members['29:ana-teams'] = { userPrincipalName: 'ana@example.com' };
    const ana = { aadObjectId: 'dddddddd-4444-4444-8444-444444444444', id: '29:ana-teams' };
    expect(verbs((await invoke(ana, 'refresh', data)).json().value)).toEqual(['approve', 'reject']);
    const res = await invoke(ana, 'approve', data);
    expect(notice(res.json().value)).toBe(`You approved CHG-${data.changeId}.`);
    const view = await t.call('lee', 'GET', `/changes/${data.changeId}`);
    expect(view.body.decisions).toEqual([
      expect.objectContaining({ person: 'lee', actor: 'ana', onBehalfOf: 'lee', via: 'teams' }),
    ]);
  });

  it('answers 401 to an activity without a valid Bot Connector token', async () => {
    const { data } = await postedChange();
    expect((await invoke({ aadObjectId: LEE }, 'approve', data, { token: null })).statusCode).toBe(
      401,
    );
    expect(
      (
        await invoke({ aadObjectId: LEE }, 'approve', data, {
          token: ms.token({}, ms.strangerKey.privateKey),
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await invoke({ aadObjectId: LEE }, 'approve', data, {
          token: ms.token({ aud: 'someone-else' }),
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await invoke({ aadObjectId: LEE }, 'approve', data, {
          token: ms.token({ exp: Math.floor(Date.now() / 1000) - 3600 }),
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await invoke({ aadObjectId: LEE }, 'approve', data, {
          token: ms.token({ iss: 'https://evil.example/v2.0' }),
        })
      ).statusCode,
    ).toBe(401);
    // Signed by the tenant, for this app, but not the Bot Connector's: no serviceurl claim.
    const before = ms.requests.length;
    const plain = await invoke({ aadObjectId: LEE }, 'approve', data, {
      token: ms.token({ serviceurl: undefined }),
    });
    expect(plain.statusCode).toBe(401);
    expect(ms.requests.slice(before).filter((r) => r.auth !== undefined)).toEqual([]);
    const view = await t.call('lee', 'GET', `/changes/${data.changeId}`);
    expect(view.body.state).toBe('pending');
  });

  it('remembers the conversation it is installed in, and posts there through its Bot Connector', async () => {
    const installed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/teams/messages',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ms.token()}` },
      payload: {
        type: 'conversationUpdate',
        id: 'f:install',
        channelId: 'msteams',
        serviceUrl: `${ms.base}/emea/`,
        timestamp: new Date().toISOString(),
        from: { id: `29:${LEE}`, aadObjectId: LEE },
        recipient: { id: `28:${APP_ID}`, name: 'Changeboard' },
        membersAdded: [{ id: `28:${APP_ID}` }],
        conversation: {
          id: CONVERSATION,
          conversationType: 'channel',
          tenantId: TENANT,
          isGroup: true,
        },
        channelData: { tenant: { id: TENANT }, eventType: 'teamMemberAdded' },
      },
    });
    expect(installed.statusCode).toBe(200);
    const hello = ms.posts()[0]!;
    expect(hello).toMatchObject({
      method: 'POST',
      path: `/emea/v3/conversations/${CONVERSATION}/activities/f:install`,
    });
    expect(String(hello.json.text)).toContain(`conversation: "${CONVERSATION}"`);

    await postedChange();
    expect(ms.posts()[1]!.path).toBe(`/emea/v3/conversations/${CONVERSATION}/activities`);
  });

  it('refuses an activity whose serviceUrl its token does not name', async () => {
    const { data } = await postedChange();
    const other = ms.token({ serviceurl: 'https://smba.trafficmanager.net/emea/' });
    const res = await invoke({ aadObjectId: LEE }, 'approve', data, { token: other });
    expect(res.statusCode).toBe(400);
    expect((await t.call('lee', 'GET', `/changes/${data.changeId}`)).body.state).toBe('pending');
  });

  it('shows nothing of a change to a Teams user who is not in the policy', async () => {
    const { change, data } = await postedChange();
    const stranger = { aadObjectId: 'cccccccc-3333-4333-8333-333333333333' };
    for (const [verb, changeId] of [
      ['refresh', data.changeId],
      ['approve', data.changeId],
      ['refresh', 999],
    ] as const) {
      const res = await invoke(stranger, verb, { ...data, changeId });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.type).toBe('application/vnd.microsoft.activity.message');
      expect(body.value).toMatch(/not one of the people/);
      const text = JSON.stringify(body);
      for (const detail of [change.title, 'Priya', 'payments', 'CHG-'])
        expect(text).not.toContain(detail);
    }
  });

  it('takes no one of another tenant for a person, by Teams id or by e-mail', async () => {
    const { data } = await postedChange();
    const otherTenant = '0b1f3c3e-9999-4999-8999-999999999999';
    const lee = await invoke({ aadObjectId: LEE }, 'approve', data, { tenantId: otherTenant });
    expect(lee.json().value).toMatch(/not one of the people/);

    ms.members['29:ana-teams'] = { email: 'ana@example.com' };
    const ana = { aadObjectId: 'dddddddd-4444-4444-8444-444444444444', id: '29:ana-teams' };
    const elsewhere = await invoke(ana, 'refresh', data, { tenantId: otherTenant });
    expect(elsewhere.json().value).toMatch(/not one of the people/);
    // A guest in our tenant's conversation: the connector names their home tenant.
    ms.members['29:ana-teams'] = { email: 'ana@example.com', tenantId: otherTenant };
    const guest = await invoke(ana, 'refresh', data);
    expect(guest.json().value).toMatch(/not one of the people/);
    // The same member of our tenant is Ana.
    ms.members['29:ana-teams'] = { email: 'ana@example.com', tenantId: TENANT };
    const home = await invoke(ana, 'refresh', data);
    expect(home.json().type).toBe('application/vnd.microsoft.card.adaptive');

    const view = await t.call('lee', 'GET', `/changes/${data.changeId}`);
    expect(view.body.state).toBe('pending');
    expect(view.body.decisions).toEqual([]);
  });

  it('never sends its token to a serviceUrl that is not a Bot Connector host', async () => {
    const port = new URL(ms.base).port;
    const foreign = `http://localhost:${port}/`;
    const installed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/teams/messages',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ms.token({ serviceurl: foreign })}`,
      },
      payload: {
        type: 'conversationUpdate',
        id: 'f:install',
        channelId: 'msteams',
        serviceUrl: foreign,
        timestamp: new Date().toISOString(),
        from: { id: `29:${LEE}`, aadObjectId: LEE },
        recipient: { id: `28:${APP_ID}`, name: 'Changeboard' },
        membersAdded: [{ id: `28:${APP_ID}` }],
        conversation: { id: CONVERSATION, conversationType: 'channel', tenantId: TENANT },
        channelData: { tenant: { id: TENANT }, eventType: 'teamMemberAdded' },
      },
    });
    expect(installed.statusCode).toBe(400);
    expect(ms.requests).toEqual([]);

    // A conversation stored with such an address (before this check) is never posted to.
    const { database } = await openMigratedStore(t.databaseUrl);
    try {
      await teamsRepository(database.db).rememberConversation(
        { conversationId: CONVERSATION, serviceUrl: foreign, tenantId: TENANT, reference: {} },
        t.clock.now().toISOString(),
      );
    } finally {
      await database.db.destroy();
    }
    const change = await submittedChange(t, 'priya');
    await t.ctx.dispatcher.runOnce();
    expect(ms.requests.filter((r) => r.auth !== undefined || r.path.includes('/v3/'))).toEqual([]);
    const dead = await t.ctx.store.read.outbox.list({ statuses: ['dead'], limit: 10 });
    expect(dead.find((m) => m.kind === 'teams-bot')).toMatchObject({
      changeId: Number(String(change.id).replace(/^CHG-/, '')),
      lastError: expect.stringMatching(/is not a Bot Connector host/),
    });
  });

  it('keeps one card when two deliveries post at once, deleting the other', async () => {
    const change = await submittedChange(t, 'priya');
    const changeId = Number(String(change.id).replace(/^CHG-/, ''));
    const message = (id: string): OutboxMessage => ({
      id,
      kind: 'teams-bot',
      target: 'ops-teams',
      changeId,
      eventId: null,
      payload: { action: 'post' },
      status: 'sending',
      attempts: 0,
      nextAttemptAt: t.clock.now().toISOString(),
      leaseToken: null,
      leaseExpiresAt: null,
      lastError: null,
      createdAt: t.clock.now().toISOString(),
      sentAt: null,
    });
    const deliverer = t.ctx.teamsBot!.deliverer();
    ms.holdPosts = 2;
    const outcomes = await Promise.all([
      deliverer.deliver([message('race-1')]),
      deliverer.deliver([message('race-2')]),
    ]);
    expect(outcomes.flat()).toEqual([{ ok: true }, { ok: true }]);
    const posted = ms.posts().filter((r) => r.method === 'POST');
    const deleted = ms.posts().filter((r) => r.method === 'DELETE');
    expect(posted).toHaveLength(2);
    expect(deleted).toHaveLength(1);
    const { database } = await openMigratedStore(t.databaseUrl);
    try {
      const card = await teamsRepository(database.db).findCard(changeId, 'ops-teams');
      expect(['activity-1', 'activity-2']).toContain(card?.activityId);
      expect(deleted[0]!.path).toBe(
        `/v3/conversations/${CONVERSATION}/activities/${card?.activityId === 'activity-1' ? 'activity-2' : 'activity-1'}`,
      );
    } finally {
      await database.db.destroy();
    }
  });

  it('forgets answered clicks a day later', async () => {
    const { data } = await postedChange();
    const first = await invoke({ aadObjectId: LEE }, 'approve', data, { id: 'f:old' });
    expect(notice(first.json().value)).toBe(`You approved CHG-${data.changeId}.`);
    t.clock.advance(25 * 60 * 60 * 1000);
    // Any later answer prunes the day-old ones.
    await invoke({ aadObjectId: LEE }, 'approve', data, { id: 'f:new' });
    const again = await invoke({ aadObjectId: LEE }, 'approve', data, { id: 'f:old' });
    // Not the stored answer any more: the click is taken afresh, and the change was decided.
    expect(notice(again.json().value)).not.toBe(`You approved CHG-${data.changeId}.`);
    expect(notice(again.json().value)).toBeDefined();
  });

  it('rejects with the reason typed into the card, and the card then offers nothing more to decide', async () => {
    const { data } = await postedChange();
    const res = await invoke({ aadObjectId: LEE }, 'reject', {
      ...data,
      comment: 'No rollback plan',
    });
    expect(notice(res.json().value)).toBe(`You rejected CHG-${data.changeId}.`);
    expect(verbs(res.json().value)).toEqual([]);
    const view = await t.call('lee', 'GET', `/changes/${data.changeId}`);
    expect(view.body.state).toBe('rejected');
    expect(view.body.decisions[0]).toMatchObject({
      person: 'lee',
      verdict: 'reject',
      via: 'teams',
      comment: 'No rollback plan',
    });
    const refreshed = await invoke({ aadObjectId: LEE }, 'refresh', {
      ...data,
      version: view.body.version,
    });
    expect(verbs(refreshed.json().value)).toEqual([]);
    expect(notice(refreshed.json().value)).toMatch(/nothing to decide/);
  });
});

describe('changeboard doctor: the Teams bot', () => {
  const ms = new FakeMicrosoft();
  beforeAll(() => ms.start());
  afterAll(() => ms.close());

  async function check(env: Record<string, string>) {
    const { readConfig } = await import('../src/config/config.js');
    const { teamsDoctorCheck } = await import('../src/integrations/teams/doctor.js');
    const result = readConfig({
      DATABASE_URL: 'sqlite::memory:',
      TEAMS_AUTHORITY: ms.base,
      ...env,
    });
    if (!result.ok) throw new Error(result.problems.join('; '));
    const parsed = parsePolicy(POLICY);
    if (!parsed.ok) throw new Error('policy');
    return teamsDoctorCheck.run({ config: result.config, policy: parsed.policy });
  }

  it('gets a token with the settings, or names the one that is wrong', async () => {
    const good = {
      TEAMS_APP_ID: APP_ID,
      TEAMS_APP_PASSWORD: 'app-password',
      TEAMS_TENANT_ID: TENANT,
    };
    expect(await check(good)).toEqual([expect.objectContaining({ status: 'ok' })]);
    expect(await check({ ...good, TEAMS_APP_PASSWORD: 'wrong' })).toEqual([
      expect.objectContaining({ status: 'problem', setting: 'TEAMS_APP_PASSWORD' }),
    ]);
    expect(await check({ ...good, TEAMS_TOKEN_URL: 'http://127.0.0.1:9/token' })).toEqual([
      expect.objectContaining({ status: 'problem', setting: 'TEAMS_TOKEN_URL' }),
    ]);
    // A channel names a conversation, but the bot is not set up.
    expect(await check({})).toEqual([
      expect.objectContaining({ status: 'problem', setting: 'TEAMS_APP_ID' }),
    ]);
  });
});

describe('the Teams bot settings', () => {
  const problemsOf = (source: string) => {
    const result = parsePolicy(source);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('reads people[].teams and a teams channel’s conversation from the policy', () => {
    const result = parsePolicy(POLICY);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.policy.people.get('lee')?.teams).toBe(LEE);
    expect(result.policy.channels.get('ops-teams')).toMatchObject({
      type: 'teams',
      teamsConversation: CONVERSATION,
    });
    // The Workflows webhook channel is as it was.
    expect(result.policy.channels.get('change-board')?.teamsConversation).toBeUndefined();
  });

  it('refuses a conversation on a channel that is not teams, or beside a Workflows URL', () => {
    const both = POLICY.replace(
      `    conversation: "${CONVERSATION}"\n`,
      `    conversation: "${CONVERSATION}"\n    url: https://example.com/workflow\n`,
    );
    expect(problemsOf(both).join('\n')).toMatch(/either url .* or conversation/);
    const slack = POLICY.replace(
      `  ops-teams:\n    type: teams\n`,
      `  ops-teams:\n    type: slack\n`,
    );
    expect(problemsOf(slack).join('\n')).toMatch(/only teams channels name a Teams conversation/);
    const badId = POLICY.replace(`teams: ${LEE}`, 'teams: lee@example.com');
    expect(problemsOf(badId).join('\n')).toMatch(/teams/);
  });

  it('wants the app id, password and tenant together', async () => {
    const { readConfig } = await import('../src/config/config.js');
    const result = readConfig({ DATABASE_URL: 'sqlite::memory:', TEAMS_APP_ID: APP_ID });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^TEAMS_APP_PASSWORD, TEAMS_TENANT_ID: the Teams bot needs/),
    ]);
  });
});
