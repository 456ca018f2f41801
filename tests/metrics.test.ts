import { request } from 'node:http';
import type { ParsedMail } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config/config.js';
import {
  buildChange,
  completeAnswers,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { readScrape, type Scrape } from './_util/prometheus.js';
import {
  type HttpReceiver,
  type MailReceiver,
  startExampleReceivers,
  type ExampleReceivers,
} from './_util/receivers.js';

const HOUR = 3_600_000;

/**
 * GET /metrics, scraped after real requests, decisions and deliveries (real
 * HTTP and SMTP receivers), and read with a Prometheus text-format parser.
 * Each test has an app of its own, and so a registry of its own.
 */
describe.each(databaseKinds)('GET /metrics on $name', (kind) => {
  let teams: HttpReceiver;
  let smtp: MailReceiver;
  let t: TestApp;

  let receivers: ExampleReceivers;

  beforeAll(async () => {
    receivers = await startExampleReceivers();
    ({ teams, smtp } = receivers);
  });
  afterAll(() => receivers.close());
  beforeEach(async () => {
    smtp.messages.length = 0;
    t = await startTestApp(kind, {
      env: receivers.env,
      context: {
        outboundTimeoutMs: 500,
        dispatcher: { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 60_000 } },
      },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const scrape = async (): Promise<Scrape> => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return readScrape(response.body);
  };
  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);

  it('counts requests by method, route template and status class, with their durations', async () => {
    const change = await submittedChange(t, 'priya');
    await t.call('kim', 'GET', `/changes/${change.id}`);
    await t.call('lee', 'GET', `/changes/${change.id}`);
    expect((await t.call('kim', 'GET', '/changes/CHG-999')).status).toBe(404);
    expect((await act('priya', change.id, 'approve')).status).toBe(403);
    expect((await t.call(null, 'GET', '/changes')).status).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/page' })).statusCode).toBe(404);

    const m = await scrape();
    expect(m.families.get('changeboard_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const count = (method: string, route: string, statusClass: string) =>
      m.value('changeboard_http_request_duration_seconds_count', {
        method,
        route,
        status_class: statusClass,
      });
    // One series per route, whatever the id: CHG-1 and CHG-999 are both /changes/:id.
    expect(count('GET', '/api/v1/changes/:id', '2xx')).toBe(2);
    expect(count('GET', '/api/v1/changes/:id', '4xx')).toBe(1);
    expect(count('POST', '/api/v1/changes', '2xx')).toBe(1);
    expect(count('POST', '/api/v1/changes/:id/submit', '2xx')).toBe(1);
    expect(count('POST', '/api/v1/changes/:id/approve', '4xx')).toBe(1);
    expect(count('GET', '/api/v1/changes', '4xx')).toBe(1);
    expect(count('GET', 'unmatched', '4xx')).toBe(1);
    // Every request lands in the +Inf bucket, and took some time.
    expect(
      m.value('changeboard_http_request_duration_seconds_bucket', {
        method: 'GET',
        route: '/api/v1/changes/:id',
        status_class: '2xx',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(
      m.value('changeboard_http_request_duration_seconds_sum', {
        method: 'GET',
        route: '/api/v1/changes/:id',
        status_class: '2xx',
      }),
    ).toBeGreaterThan(0);
  });

  it('counts decisions by verdict and channel, and the time from submission to the outcome', async () => {
    const approvedLater = await submittedChange(t, 'priya');
    t.clock.advance(2 * HOUR);
    expect((await act('lee', approvedLater.id, 'approve')).body.state).toBe('approved');

    const rejectedSooner = await submittedChange(t, 'priya');
    t.clock.advance(HOUR / 2);
    expect(
      (await act('lee', rejectedSooner.id, 'reject', { comment: 'Not this week' })).body.state,
    ).toBe('rejected');

    // The supplier decides by the signed link in the e-mail it is sent (`via: external-link`).
    const created = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ services: ['edge'], answers: completeAnswers() }),
    );
    await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
    for (let round = 0; round < 5; round++)
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
    const mail = smtp.messages.find((m: ParsedMail) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.text.includes('olu@')),
    );
    const link = /http:\/\/changeboard\.test(\/external\/cbx_[\w-]+)/.exec(mail?.text ?? '')?.[1];
    expect(link).toBeDefined();
    const decided = await t.app.inject({
      method: 'POST',
      url: link!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ verdict: 'approve', comment: 'Fine by Acme' }).toString(),
    });
    expect(decided.statusCode).toBe(200);
    // A refused decision is no decision.
    expect((await act('priya', rejectedSooner.id, 'approve')).status).toBe(409);

    const m = await scrape();
    expect(m.families.get('changeboard_decisions_total')?.type).toBe('COUNTER');
    expect(m.value('changeboard_decisions_total', { verdict: 'approve', via: 'board' })).toBe(1);
    expect(m.value('changeboard_decisions_total', { verdict: 'reject', via: 'board' })).toBe(1);
    expect(
      m.value('changeboard_decisions_total', { verdict: 'approve', via: 'external-link' }),
    ).toBe(1);

    const decision = (outcome: string, series: string, extra: Record<string, string> = {}) =>
      m.value(`changeboard_time_to_decision_seconds_${series}`, {
        type: 'normal',
        outcome,
        ...extra,
      });
    expect(decision('approved', 'count')).toBe(1);
    expect(decision('approved', 'sum')).toBe(7200);
    expect(decision('approved', 'bucket', { le: '3600' })).toBe(0);
    expect(decision('approved', 'bucket', { le: '7200' })).toBe(1);
    expect(decision('rejected', 'count')).toBe(1);
    expect(decision('rejected', 'sum')).toBe(1800);
    // The supplier's approval leaves the edge change waiting for its meeting: not decided yet.
    expect(decision('approved', 'count')).toBe(1);
  });

  it('reports the outbox backlog and counts deliveries by channel and result', async () => {
    // Monday 10:00 UTC: Teams hears at once; Lee's e-mail waits for his morning in New York.
    const change = await submittedChange(t, 'priya');
    t.clock.advance(5 * 60_000);
    let m = await scrape();
    expect(m.value('changeboard_database_up')).toBe(1);
    const pending = m.value('changeboard_outbox_messages', { status: 'pending' })!;
    expect(pending).toBeGreaterThanOrEqual(2);
    expect(m.value('changeboard_outbox_messages', { status: 'dead' })).toBe(0);
    expect(m.value('changeboard_outbox_oldest_undelivered_age_seconds')).toBe(300);

    teams.replyWith({ status: 500, body: 'try later' });
    await t.ctx.dispatcher.runOnce();
    m = await scrape();
    expect(m.value('changeboard_deliveries_total', { kind: 'teams', result: 'failed' })).toBe(1);
    expect(m.value('changeboard_outbox_messages', { status: 'failed' })).toBe(1);

    t.clock.advance(2 * 60_000);
    teams.replyWith({ status: 404, body: 'no such workflow' });
    await t.ctx.dispatcher.runOnce();
    m = await scrape();
    expect(m.value('changeboard_deliveries_total', { kind: 'teams', result: 'dead' })).toBe(1);
    expect(m.value('changeboard_outbox_messages', { status: 'dead' })).toBe(1);
    expect(m.value('changeboard_outbox_messages', { status: 'failed' })).toBe(0);

    // Lee's morning: his e-mail goes; then the approval's Teams card and webhook, at once.
    t.clock.set('2026-11-02T14:00:00Z');
    for (let round = 0; round < 5; round++)
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
    await act('lee', change.id, 'approve');
    for (let round = 0; round < 5; round++)
      if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
    const outbox = (await t.call('dev', 'GET', '/outbox?limit=500')).body.items as {
      kind: string;
      status: string;
    }[];
    const sentOf = (channel: string) =>
      outbox.filter((d) => d.kind === channel && d.status === 'sent').length;
    m = await scrape();
    expect(m.value('changeboard_deliveries_total', { kind: 'teams', result: 'sent' })).toBe(1);
    // Messages to one person due together go as one e-mail (a digest): deliveries count messages.
    expect(sentOf('email')).toBeGreaterThan(0);
    expect(smtp.messages.length).toBeLessThanOrEqual(sentOf('email'));
    expect(m.value('changeboard_deliveries_total', { kind: 'email', result: 'sent' })).toBe(
      sentOf('email'),
    );
    expect(m.value('changeboard_deliveries_total', { kind: 'webhook', result: 'sent' })).toBe(
      sentOf('webhook'),
    );
    // Priya hears of the approval in her own morning: written, not yet due, so no backlog.
    expect(m.value('changeboard_outbox_messages', { status: 'pending' })).toBe(1);
    expect(m.value('changeboard_outbox_oldest_undelivered_age_seconds')).toBe(0);
  });

  it('counts reminders and escalations, for approvals and for overdue reviews', async () => {
    // Monday 10:00 UTC: one change waits for Lee; another failed, so its review is owed by Wednesday.
    await submittedChange(t, 'priya');
    const failed = await submittedChange(t, 'priya', { title: 'Rotate the signing key' });
    await act('lee', failed.id, 'approve');
    await act('priya', failed.id, 'start');
    expect((await act('priya', failed.id, 'fail')).body.review.due).toBe(
      '2026-11-04T10:00:00.000Z',
    );
    const nudges = async (nudgeKind: string) =>
      (await scrape()).value('changeboard_nudges_sent_total', { kind: nudgeKind }) ?? 0;

    t.clock.set('2026-11-02T14:01:00Z'); // remindAfter: 4h
    await t.ctx.dispatcher.runOnce();
    expect(await nudges('reminder')).toBe(1);
    expect(await nudges('escalation')).toBe(0);

    t.clock.set('2026-11-03T10:01:00Z'); // escalateAfter: 1d
    await t.ctx.dispatcher.runOnce();
    expect(await nudges('escalation')).toBe(1);
    expect(await nudges('review-reminder')).toBe(0);

    t.clock.set('2026-11-04T10:00:00Z'); // the review is due
    await t.ctx.dispatcher.runOnce();
    expect(await nudges('review-reminder')).toBe(1);

    t.clock.set('2026-11-05T10:00:00Z'); // a day past due: the escalation group
    await t.ctx.dispatcher.runOnce();
    await t.ctx.dispatcher.runOnce();
    const m = await scrape();
    expect(m.families.get('changeboard_nudges_sent_total')?.type).toBe('COUNTER');
    for (const nudgeKind of ['reminder', 'escalation', 'review-reminder', 'review-escalation'])
      expect(m.value('changeboard_nudges_sent_total', { kind: nudgeKind })).toBe(1);
  });

  it('counts the live-update streams open', async () => {
    const url = await t.listen();
    const live = () => scrape().then((m) => m.value('changeboard_live_clients'));
    expect(await live()).toBe(0);
    const stream = request(`${url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${t.tokens.kim}` },
    });
    const opened = new Promise<void>((resolve, reject) => {
      stream.on('response', (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (chunk.includes('event: ready')) resolve();
        });
        response.on('error', () => undefined);
      });
      stream.on('error', reject);
    });
    stream.end();
    await opened;
    expect(await live()).toBe(1);
    stream.destroy();
    for (let i = 0; i < 100 && (await live()) !== 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await live()).toBe(0);
  });

  it('measures how many transactions each group commit stores together', async () => {
    const before = await scrape();
    const sum = (m: Scrape) => m.value('changeboard_group_commit_batch_size_sum') ?? 0;
    const batches = (m: Scrape) => m.value('changeboard_group_commit_batch_size_count') ?? 0;
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.call('priya', 'POST', '/changes', buildChange({ title: `Change ${i}` })),
      ),
    );
    expect(created.map((c) => c.status)).toEqual(Array(8).fill(201));
    const after = await scrape();
    expect(after.families.get('changeboard_group_commit_batch_size')?.type).toBe('HISTOGRAM');
    // Eight transactions, in at most eight commits (fewer when they arrived together).
    expect(sum(after) - sum(before)).toBe(8);
    const commits = batches(after) - batches(before);
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(8);
  });

  it('keeps each app’s metrics its own, beside the process’s', async () => {
    const change = await submittedChange(t, 'priya');
    await act('lee', change.id, 'approve');
    const other = await startTestApp(kind);
    try {
      const response = await other.app.inject({ method: 'GET', url: '/metrics' });
      const theirs = readScrape(response.body);
      expect(theirs.value('changeboard_decisions_total', { verdict: 'approve' })).toBeUndefined();
      expect(
        theirs.value('changeboard_http_request_duration_seconds_count', {
          route: '/api/v1/changes/:id/approve',
        }),
      ).toBeUndefined();
      expect(theirs.families.get('changeboard_decisions_total')?.type).toBe('COUNTER');
    } finally {
      await other.close();
    }
    const ours = await scrape();
    expect(ours.value('changeboard_decisions_total', { verdict: 'approve', via: 'board' })).toBe(1);
    // Process metrics (prom-client's defaults) on the app's own registry.
    expect(ours.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(ours.families.get('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
  });
});

describe.each(databaseKinds)('METRICS_TOKEN on $name', (kind) => {
  const token = 'scrape-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, authorization?: string) =>
    t.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  it('refuses a scrape without the token, or with another', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`]) {
      const response = await get('/metrics', authorization);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(response.body).not.toContain(token);
    }
    // A person's API token is not the scrape token.
    expect((await get('/metrics', `Bearer ${t.tokens.dev}`)).statusCode).toBe(401);
  });

  it('answers its bearer, and leaves /healthz and /readyz open', async () => {
    const response = await get('/metrics', `Bearer ${token}`);
    expect(response.statusCode).toBe(200);
    expect(readScrape(response.body).value('changeboard_database_up')).toBe(1);
    expect((await get('/healthz')).statusCode).toBe(200);
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('is refused at start-up when it is too short to be a secret', () => {
    const result = readConfig({ METRICS_TOKEN: 'secret' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toMatch(
      /^METRICS_TOKEN: must be at least 16/m,
    );
  });
});
