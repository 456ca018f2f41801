import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeAnswers,
  EXAMPLE_POLICY,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

/** The test clock's now is 2026-11-02T10:00:00Z. */
const UNTIL = '2027-01-12T09:00:00Z';

interface RequirementJson {
  from: string;
  met: boolean;
  approvedBy: string[];
  available: boolean;
  whyUnavailable?: string;
}
interface DecisionJson {
  person: string;
  actor: string;
  onBehalfOf: string | null;
}

describe.each(databaseKinds)('absence and delegation on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const away = (by: string, person: string, body: Record<string, unknown> = {}) =>
    t.call(by, 'PUT', `/people/${person}/absence`, { until: UNTIL, ...body });
  const back = (by: string, person: string) => t.call(by, 'DELETE', `/people/${person}/absence`);
  const emergency = (requester = 'priya') =>
    submittedChange(t, requester, {
      type: 'emergency',
      title: 'Hotfix the payment timeout',
      answers: completeAnswers({ risk: 'high' }),
    });
  const requirement = (change: { requirements: RequirementJson[] }, from: string) =>
    change.requirements.find((r) => r.from === from)!;

  it('records an absence by the person or an admin, lists it, and ends it', async () => {
    const own = await away('sam', 'sam', { note: 'Conference' });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: 'sam',
      absent: true,
      deputy: 'kim',
      delegate: 'kim',
      absence: { until: '2027-01-12T09:00:00.000Z', note: 'Conference', setBy: 'sam' },
    });
    expect((await away('lee', 'sam')).status).toBe(403);
    const byAdmin = await away('dev', 'tom');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ absent: true, delegate: null, absence: { setBy: 'dev' } });

    const people = (await t.call('ana', 'GET', '/people')).body.items as {
      id: string;
      absent: boolean;
      delegate: string | null;
    }[];
    expect(people.filter((p) => p.absent).map((p) => [p.id, p.delegate])).toEqual([
      ['sam', 'kim'],
      ['tom', null],
    ]);

    expect((await back('tom', 'tom')).body).toMatchObject({ absent: false, absence: null });
    const events = await t.ctx.store.read.events.listAll(0, 1000);
    expect(
      events.filter((e) => e.type.startsWith('absence-')).map((e) => [e.type, e.actor]),
    ).toEqual([
      ['absence-set', 'sam'],
      ['absence-set', 'dev'],
      ['absence-ended', 'tom'],
    ]);
    expect((await back('sam', 'sam')).status).toBe(200);
    // An admin records others' absences, but does not name themselves to decide in their place.
    expect((await away('dev', 'tom', { delegate: 'dev' })).status).toBe(403);
  });

  it('says what is wrong with an absence, and where', async () => {
    const res = await t.call('sam', 'PUT', '/people/sam/absence', {
      from: '2026-12-01T00:00:00Z',
      until: '2026-11-30T00:00:00Z',
      delegate: 'sam',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'until', message: 'must be after from (2026-12-01T00:00:00Z)' },
      { path: 'delegate', message: 'must be someone else: you cannot stand in for yourself' },
    ]);
    expect((await t.call('sam', 'PUT', '/people/nobody/absence', { until: UNTIL })).status).toBe(
      404,
    );
    expect((await t.call('sam', 'PUT', '/people/sam/absence', {})).status).toBe(400);
  });

  it('lets the deputy decide for the person away, and says so', async () => {
    await away('sam', 'sam');
    const change = await emergency();
    const asKim = (await t.call('kim', 'GET', `/changes/${change.id}`)).body;
    expect(asKim.onBehalfOptions).toEqual(['sam']);
    expect(asKim.waitingFor).toContain('kim');
    expect(asKim.actions).toContain('approve');
    const waiting = (await t.call('kim', 'GET', '/changes?awaiting=me')).body.items as {
      id: string;
    }[];
    expect(waiting.map((c) => c.id)).toContain(change.id);

    const approved = await t.call('kim', 'POST', `/changes/${change.id}/approve`, {
      comment: 'Covering for Sam',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.decisions).toEqual([
      expect.objectContaining({ person: 'sam', actor: 'kim', onBehalfOf: 'sam', via: null }),
    ]);
    expect(requirement(approved.body, 'cto')).toMatchObject({ met: true, approvedBy: ['sam'] });
    const events = (await t.call('kim', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.at(-1)).toMatchObject({
      type: 'approval-granted',
      actor: 'kim',
      data: { onBehalfOf: 'sam' },
    });
    await back('sam', 'sam');
  });

  it('gives a deputy no power while the person is present', async () => {
    const change = await emergency();
    const res = await t.call('kim', 'POST', `/changes/${change.id}/approve`, { onBehalfOf: 'sam' });
    expect(res.status).toBe(403);
    expect((await t.call('kim', 'GET', `/changes/${change.id}`)).body.onBehalfOptions).toEqual([]);
  });

  it('shows a requirement nobody available can meet, and why', async () => {
    await away('tom', 'tom');
    const change = await emergency();
    expect(requirement(change, 'security')).toMatchObject({
      available: false,
      whyUnavailable: 'Tom Becker is away until 12 Jan 2027 and has no delegate',
    });
    expect(requirement(change, 'cto')).toMatchObject({ available: true });
    await back('tom', 'tom');
  });

  it('never lets anyone decide for the requester, nor a delegate approve their own change', async () => {
    // Lee, a payments owner, is away with Kim as delegate, and has raised a payments change.
    await away('lee', 'lee', { delegate: 'kim' });
    const byLee = await submittedChange(t, 'lee', { answers: completeAnswers() });
    const forLee = await t.call('kim', 'POST', `/changes/${byLee.id}/approve`, {
      onBehalfOf: 'lee',
    });
    expect(forLee.status).toBe(403);
    expect(forLee.body.error.code).toBe('self_approval');
    await back('lee', 'lee');

    await away('sam', 'sam');
    const byKim = await submittedChange(t, 'kim', {
      type: 'emergency',
      answers: completeAnswers({ risk: 'high' }),
    });
    expect(requirement(byKim, 'cto')).toMatchObject({ available: false });
    const ownChange = await t.call('kim', 'POST', `/changes/${byKim.id}/approve`, {
      onBehalfOf: 'sam',
    });
    expect(ownChange.status).toBe(403);
    expect(ownChange.body.error.code).toBe('self_approval');
    await back('sam', 'sam');
  });

  it('asks whose decision it is when both readings are possible', async () => {
    // Sam away with Lee as delegate: Lee is an on-call lead too.
    await away('sam', 'sam', { delegate: 'lee' });
    const change = await emergency();
    const res = await t.call('lee', 'POST', `/changes/${change.id}/approve`, {});
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      {
        path: 'onBehalfOf',
        message: 'you can decide in your own name or for Sam Rivera: say which',
      },
    ]);
    const own = await t.call('lee', 'POST', `/changes/${change.id}/approve`, { onBehalfOf: 'lee' });
    expect(own.status).toBe(200);
    await back('sam', 'sam');
  });

  it('with distinct approvers, one human fills one requirement, even racing in two names', async () => {
    await away('sam', 'sam');
    await away('tom', 'tom', { delegate: 'lee' });
    const changes = await Promise.all([1, 2, 3].map(() => emergency()));
    await Promise.all(
      changes.flatMap((change) =>
        (
          [
            ['lee', 'lee'],
            ['lee', 'tom'],
            ['ana', undefined],
            ['kim', 'sam'],
          ] as const
        ).map(([actor, onBehalfOf]) =>
          t.call(actor, 'POST', `/changes/${change.id}/approve`, onBehalfOf ? { onBehalfOf } : {}),
        ),
      ),
    );
    for (const change of changes) {
      const view = (await t.call('dev', 'GET', `/changes/${change.id}`)).body;
      const decisions = view.decisions as DecisionJson[];
      const counted = (view.requirements as RequirementJson[]).flatMap((r) => r.approvedBy);
      // Every requirement counted a different human...
      const humans = counted.map((person) => decisions.find((d) => d.person === person)!.actor);
      expect(new Set(humans).size).toBe(humans.length);
      // ...and no stand-in used up someone's decision with an approval that does not count.
      for (const d of decisions.filter((d) => d.onBehalfOf)) expect(counted).toContain(d.person);
      // Whatever order they came in, Kim's (for Sam) and one on-call lead's count.
      expect(humans).toContain('kim');
      expect(view.state === 'approved').toBe(humans.length === 3);
    }
    await back('sam', 'sam');
    await back('tom', 'tom');
  });
});

describe.each(databaseKinds)('approval requests while people are away on $name', (kind) => {
  let t: TestApp;
  let smtp: MailReceiver;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    // Emergencies escalate to the change managers here, so an unavailable requirement has somewhere to go.
    const policy = EXAMPLE_POLICY.replace(
      '    notifyOutsideWorkingHours: true\n',
      '    notifyOutsideWorkingHours: true\n    escalateAfter: 1h\n    escalateTo: change-managers\n',
    );
    expect(policy).not.toBe(EXAMPLE_POLICY);
    t = await startTestApp(kind, { policy, env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const emergency = () =>
    submittedChange(t, 'priya', {
      type: 'emergency',
      answers: completeAnswers({ risk: 'high' }),
    });
  /** Who was sent a message of this kind about the change, in the order planned. */
  const sentTo = async (changeId: string, template: string) =>
    (await t.ctx.store.read.outbox.list({ changeId: Number(changeId.slice(4)), limit: 500 }))
      .filter(
        (m) => m.kind === 'email' && (m.payload as { template: string }).template === template,
      )
      .map((m) => m.target)
      .sort();

  it('asks the stand-in instead of the person away, and escalates at once what nobody can meet', async () => {
    await t.call('sam', 'PUT', '/people/sam/absence', { until: UNTIL });
    await t.call('tom', 'PUT', '/people/tom/absence', { until: UNTIL });
    const change = await emergency();
    expect(await sentTo(change.id, 'approval-requested')).toEqual(['ana', 'kim', 'lee']);
    expect(await sentTo(change.id, 'escalation')).toEqual(['kim']);
    await t.call('sam', 'DELETE', '/people/sam/absence');
    await t.call('tom', 'DELETE', '/people/tom/absence');
  });

  it('asks the person again when they are back early, once however often they leave', async () => {
    await t.call('sam', 'PUT', '/people/sam/absence', { until: UNTIL });
    const change = await emergency();
    expect(await sentTo(change.id, 'approval-requested')).not.toContain('sam');
    await t.call('sam', 'DELETE', '/people/sam/absence');
    expect(await sentTo(change.id, 'approval-requested')).toContain('sam');
    await t.call('sam', 'PUT', '/people/sam/absence', { until: UNTIL });
    await t.call('sam', 'DELETE', '/people/sam/absence');
    expect((await sentTo(change.id, 'approval-requested')).filter((p) => p === 'sam')).toEqual([
      'sam',
    ]);
  });

  it('hands the requests already sent to the stand-in when someone leaves', async () => {
    const change = await emergency();
    expect(await sentTo(change.id, 'approval-requested')).toEqual(['ana', 'lee', 'sam', 'tom']);
    await t.call('tom', 'PUT', '/people/tom/absence', { until: UNTIL, delegate: 'dev' });
    expect(await sentTo(change.id, 'approval-requested')).toEqual([
      'ana',
      'dev',
      'lee',
      'sam',
      'tom',
    ]);
    await t.call('tom', 'DELETE', '/people/tom/absence');
  });

  it('ends an absence when its time comes, and the person is asked then', async () => {
    const inAnHour = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    await t.call('sam', 'PUT', '/people/sam/absence', { until: inAnHour });
    const change = await emergency();
    expect(await sentTo(change.id, 'approval-requested')).not.toContain('sam');
    t.clock.advance(2 * 3_600_000);
    await t.ctx.dispatcher.runOnce();
    expect(await sentTo(change.id, 'approval-requested')).toContain('sam');
    const people = (await t.call('ana', 'GET', '/people')).body.items as {
      id: string;
      absent: boolean;
      absence: unknown;
    }[];
    expect(people.find((p) => p.id === 'sam')).toMatchObject({ absent: false, absence: null });
    const ended = (await t.ctx.store.read.events.listAll(0, 10_000)).filter(
      (e) => e.type === 'absence-ended',
    );
    expect(ended.at(-1)).toMatchObject({ actor: 'sam', data: { endedAs: 'planned' } });
  });
});
