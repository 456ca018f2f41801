import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/app/audit.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/database-url.js';
import { openDatabase } from '../src/storage/database.js';
import { completeAnswers, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

const MINUTE = 60_000;
const HOSTILE_TITLE = 'Hotfix <script>alert("pwned")</script> & checkout';
const HOSTILE_ROLLBACK = 'Revert <img src=x onerror=alert(1)> the "config"';

interface EventJson {
  id: number;
  type: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
  policyHash: string;
  prevHash: string;
  hash: string;
}

/** Text as HTML escapes it, decoded. */
function decode(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of a report, as a reader sees it: tags dropped, entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  return decode(html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ')).replace(
    /\s+/g,
    ' ',
  );
}

/**
 * The evidence report (issue 20): the seed's emergency, started early, one
 * approval given by a stand-in while the CTO is away, reviewed and verified;
 * the report shows every decision with who, when, for whom, through what and
 * under which policy and rule, the review, every event's hash, and that the
 * chain is intact; it escapes what people wrote.
 */
describe.each(databaseKinds)('the evidence report on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const act = async (who: string, id: string, action: string, body?: Record<string, unknown>) => {
    const res = await t.call(who, 'POST', `/changes/${id}/${action}`, body);
    expect(res.status, `${who} ${action}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body as { state: string };
  };
  const report = (id: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: `/api/v1/changes/${id}/evidence`, headers });
  const as = (person: string) => ({ authorization: `Bearer ${t.tokens[person]}` });

  it('holds every decision, the policy and rules in force, the review, every hash and the verdict', async () => {
    // Sam (the CTO) is away: Kim, his deputy, decides for him.
    expect(
      (await t.call('sam', 'PUT', '/people/sam/absence', { until: '2027-01-12T09:00:00Z' })).status,
    ).toBe(200);
    const change = await submittedChange(t, 'priya', {
      type: 'emergency',
      title: HOSTILE_TITLE,
      description: 'Checkout times out.\n\nRaise the <em>timeout</em>  to 30 s.',
      plannedStart: null,
      plannedEnd: null,
      answers: completeAnswers({ risk: 'high', rollbackPlan: HOSTILE_ROLLBACK }),
    });
    t.clock.advance(4 * MINUTE);
    await act('lee', change.id, 'approve', { comment: 'Paged in, looks right' });
    t.clock.advance(MINUTE);
    expect((await act('priya', change.id, 'start')).state).toBe('in_progress');
    t.clock.advance(4 * MINUTE);
    await act('tom', change.id, 'approve');
    t.clock.advance(3 * MINUTE);
    await act('kim', change.id, 'approve', { comment: 'Covering for Sam' });
    t.clock.advance(8 * MINUTE);
    await act('priya', change.id, 'complete');
    await act('priya', change.id, 'review', {
      answers: {
        whatHappened: 'Checkout timed out under load; the on-call alert paged Lee',
        followUps: 'https://tracker.example.com/OPS-12',
      },
    });
    expect((await act('priya', change.id, 'verify')).state).toBe('verified');
    await t.call('sam', 'DELETE', '/people/sam/absence');

    const res = await report(change.id, as('ana'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-/,
    );
    expect(res.headers['cache-control']).toBe('private, no-store');
    const html = res.body;
    const text = visibleText(html);

    // Self-contained and inert: no script, nothing loaded from anywhere, a print stylesheet.
    expect(html).not.toMatch(/<(script|img|link|iframe|object|embed|base|form)\b/i);
    expect(html).not.toMatch(/<[^>]*\s(src|srcset|on\w+)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain('@media print');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(res.headers['content-security-policy']).toContain(
      `'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    );
    // What people wrote is shown as text.
    expect(html).toContain(
      'Hotfix &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; checkout',
    );
    expect(text).toContain(HOSTILE_TITLE);
    expect(text).toContain(HOSTILE_ROLLBACK);
    // What people wrote keeps its lines and spaces, and nothing is added around it.
    expect(html).toContain(
      '<span class="text">Checkout times out.\n\nRaise the &lt;em&gt;timeout&lt;/em&gt;  to 30 s.</span>',
    );
    expect(html).toContain('<span class="text">Paged in, looks right</span>');

    // The change and its answers, labelled by the policy's questions.
    expect(text).toContain(`${change.id}: ${HOSTILE_TITLE}`);
    expect(text).toContain('Emergency (ECAB) (emergency)');
    expect(text).toContain('Payments API (payments)');
    expect(text).toContain('Requester Priya Shah (priya)');
    expect(text).toContain('State verified');
    expect(text).toContain('How do we roll it back? (rollbackPlan)');
    expect(text).toContain('Has this change been tested? (tested) Yes');

    const events = (await t.call('ana', 'GET', `/changes/${change.id}/events`)).body
      .items as EventJson[];
    expect(events.map((e) => e.type)).toEqual([
      'created',
      'submitted',
      'approval-granted',
      'started',
      'approval-granted',
      'approval-granted',
      'completed',
      'reviewed',
      'verified',
    ]);

    // Every decision: who, when, for whom, through what, under which policy and rule.
    const decisions = events.filter((e) => e.type === 'approval-granted');
    expect(text).toContain('Approved by Lee Wong (lee)');
    expect(text).toContain('Approved by Tom Becker (tom)');
    expect(text).toContain('Approved by Kim Park (kim), for Sam Rivera (sam)');
    expect(text).toContain('Given by Kim Park (kim), standing in while Sam Rivera (sam) was away');
    expect(text).toContain('Given by Lee Wong (lee) in person');
    expect(text).toContain('Paged in, looks right');
    expect(text).toContain('Round 1 (after the change was started early)');
    for (const decision of decisions) {
      expect(text).toContain(`When ${decision.at}`);
      expect(text).toContain(`Policy in force ${decision.policyHash}`);
      expect(text).toContain(`Event ${decision.id}, hash ${decision.hash}`);
    }
    const through =
      text.match(/Through Changeboard itself: the web app, the API or the CLI/g) ?? [];
    expect(through).toHaveLength(3);
    const submitted = events.find((e) => e.type === 'submitted')!;
    expect(text).toContain(
      `${submitted.policyHash} Stored since 2026-11-02T10:00:00.000Z; its text still hashes to this hash`,
    );
    expect(text).toContain(`submitted (event ${submitted.id}, ${submitted.at})`);
    const requirements = submitted.data.requirements as { group: string; reason: string }[];
    expect(requirements.map((r) => r.group)).toEqual(['on-call-leads', 'security', 'cto']);
    for (const requirement of requirements) {
      expect(requirement.reason).toBeTruthy();
      expect(text).toContain(`${requirement.group} × 1, because ${requirement.reason}`);
    }
    expect(text).toContain(
      'on-call-leads × 1, because Emergency (ECAB) changes need it, from different people: approved by Lee Wong (lee)',
    );
    expect(text).toContain(
      'cto × 1, because Emergency (ECAB) changes need it, from different people: approved by Sam Rivera (sam)',
    );
    expect(text).toContain('May start early once 1 from on-call-leads approved');
    expect(text).toContain('started implementing it, early: before every approval was in');

    // The review, under the questions of the emergency type.
    expect(text).toContain(
      'What happened, and how did we find out? (whatHappened) Checkout timed out under load; the on-call alert paged Lee',
    );
    expect(text).toContain(
      'Follow-up actions (links) (followUps) https://tracker.example.com/OPS-12',
    );

    // The timeline and the proof: every event with its hash and prevHash, and the hashed text.
    for (const event of events) {
      expect(text).toContain(`${event.id} ${event.type} ${event.prevHash}`);
      expect(text).toContain(event.hash);
      expect(text).toMatch(new RegExp(`${event.id} ${event.type} \\S+ ${event.hash} matches`));
    }
    // Exactly the text hashed: nothing added around it.
    const canonical = [...html.matchAll(/<pre class="canonical">([^<]*)<\/pre>/g)].map((m) =>
      decode(m[1]!),
    );
    expect(canonical.map((line) => createHash('sha256').update(line).digest('hex'))).toEqual(
      events.map((e) => e.hash),
    );
    expect(text).toContain('The history is intact');
    expect(text).toContain("This change's record agrees with its events");
    expect(text).toContain('changeboard audit verify');
    expect(text).toContain('RFC 8785');
  });

  it('says so when an event or a stored decision was tampered with', async () => {
    const tampered = await startTestApp(kind, { auditOnClose: false });
    const raw = openDatabase(parseDatabaseUrl(tampered.databaseUrl) as DatabaseTarget);
    try {
      const change = await submittedChange(tampered, 'priya');
      await tampered.call('lee', 'POST', `/changes/${change.id}/approve`, { comment: 'fine' });
      const approval = (
        (await tampered.call('priya', 'GET', `/changes/${change.id}/events`)).body
          .items as EventJson[]
      ).find((e) => e.type === 'approval-granted')!;
      // Someone with database access makes Kim the approver, in the event and in the decisions table.
      await raw.db
        .updateTable('events')
        .set({ actor: 'kim' })
        .where('id', '=', approval.id)
        .execute();
      await raw.db.updateTable('decisions').set({ person: 'kim' }).execute();
      const res = await tampered.app.inject({
        method: 'GET',
        url: `/api/v1/changes/${change.id}/evidence`,
        headers: { authorization: `Bearer ${tampered.tokens.priya}` },
      });
      expect(res.statusCode).toBe(200);
      const text = visibleText(res.body);
      expect(text).toContain(`THE HISTORY IS NOT INTACT: event ${approval.id}:`);
      expect(text).toContain("This change's record does not hold:");
      expect(text).toContain(`event ${approval.id} does not match its hash`);
      expect(text).toMatch(
        new RegExp(`${approval.id} approval-granted \\S+ ${approval.hash} DOES NOT MATCH`),
      );
      expect(text).not.toContain('The history is intact');
    } finally {
      await raw.db.destroy();
      await tampered.close();
    }
  });

  it('finds the chain intact when an event lands between reading the chain and its head', async () => {
    const change = await submittedChange(t, 'priya', { title: 'Busy change' });
    const repos = t.ctx.store.read;
    let landed = false;
    // The events repository as it is, but a comment commits just before the head is read once.
    const events = new Proxy(repos.events, {
      get(target, property) {
        if (property === 'head')
          return async () => {
            if (!landed) {
              landed = true;
              const res = await t.call('lee', 'POST', `/changes/${change.id}/comments`, {
                body: 'landed meanwhile',
              });
              expect(res.status).toBe(201);
            }
            return target.head();
          };
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const verdict = await verifyChain({ ...repos, events });
    expect(landed).toBe(true);
    expect(verdict).toMatchObject({ ok: true, lastHash: (await repos.events.head())!.lastHash });
  });

  it('is 404 for a change that does not exist and 401 without credentials', async () => {
    const missing = await report('CHG-99999', as('ana'));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect((await report('not-a-change', as('ana'))).statusCode).toBe(400);
    const change = await submittedChange(t, 'priya');
    const anonymous = await report(change.id, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthenticated');
    expect(anonymous.body).not.toContain('Raise payment retry limit');
  });
});
