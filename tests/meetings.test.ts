import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChange } from '../src/app/decide-change.js';
import { ManualClock } from '../src/shared/clock.js';
import { buildChange, completeAnswers, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { EDGE_TEMPLATE, EDGE_TEMPLATE_POLICY } from './_util/standard-changes.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

/**
 * The example's meetings: the Weekly risk review (Tuesdays 10:00 London, informs)
 * and Acme Hosting CAB (Thursdays 14:00 London, holds edge changes; attended by
 * the supplier's Olu, external, and Kim of change-managers). The clock starts on
 * Monday 2 November 2026, 10:00 UTC (London is on GMT then).
 */
const THU = '2026-11-05T14:00:00.000Z';
const NEXT_THU = '2026-11-12T14:00:00.000Z';

describe.each(databaseKinds)('meetings that remain on $name', (kind) => {
  let t: TestApp;
  let smtp: MailReceiver;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp(kind, {
      policy: EDGE_TEMPLATE_POLICY,
      env: { SMTP_URL: smtp.url },
      clock: new ManualClock('2026-11-02T10:00:00Z'),
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const submit = async (overrides: Record<string, unknown>, as = 'priya') => {
    const created = await t.call(as, 'POST', '/changes', buildChange(overrides));
    expect(created.status).toBe(201);
    const submitted = await t.call(as, 'POST', `/changes/${created.body.id}/submit`);
    expect(submitted.status).toBe(200);
    return submitted.body as {
      id: string;
      number: number;
      version: number;
      state: string;
      heldBy: { meeting: string; next: string | null }[];
    };
  };
  /** A standard (pre-approved) change to edge: only the supplier's CAB holds it. */
  const edgeStandard = (title: string) =>
    submit({
      title,
      type: 'standard',
      template: EDGE_TEMPLATE,
      services: ['edge'],
      answers: completeAnswers(),
    });
  const discuss = (as: string | null, id: string, body: Record<string, unknown>) =>
    t.call(as, 'POST', `/changes/${id}/discussions`, body);
  const get = async (id: string) => (await t.call('priya', 'GET', `/changes/${id}`)).body;
  const agenda = async (at?: string) =>
    (
      await t.call(
        'kim',
        'GET',
        `/meetings/acme-hosting-cab/agenda${at ? `?at=${encodeURIComponent(at)}` : ''}`,
      )
    ).body as {
      items: { id: string; held: boolean; deferredFrom: string | null }[];
      discussed: { id: string; outcome: { outcome: string } }[];
    };

  it('holds a matching change: pre-approved, yet pending until the meeting records its outcome', async () => {
    const change = await edgeStandard('Raise the CDN cache TTL');
    expect(change.state).toBe('pending');
    expect(change.heldBy).toEqual([
      {
        meeting: 'Acme Hosting CAB',
        id: 'acme-hosting-cab',
        next: THU,
        timezone: 'Europe/London',
      },
    ]);
    expect((await get(change.id)).needsDiscussion).toEqual(['Acme Hosting CAB']);
    const gate = await t.call('priya', 'GET', `/gate?change=${change.id}`);
    expect(gate.body.reason).toContain('waiting for Acme Hosting CAB on Thu 5 Nov 2026 14:00');

    const released = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'approve',
      minutes: 'Fits our change window',
      url: 'https://wiki.acme-hosting.example/cab/2026-11-05',
    });
    expect(released.status).toBe(201);
    expect(released.body).toMatchObject({ state: 'approved', needsDiscussion: [], heldBy: [] });
    const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({
        type: 'discussed',
        actor: 'kim',
        data: {
          meeting: 'Acme Hosting CAB',
          occurrence: THU,
          outcome: 'approve',
          minutes: 'Fits our change window',
          url: 'https://wiki.acme-hosting.example/cab/2026-11-05',
        },
      }),
      expect.objectContaining({ type: 'approved', actor: 'kim' }),
    ]);
  });

  it('keeps a held change pending with every approval in, until the outcome; noted releases it too', async () => {
    const change = await submit({
      title: 'Move the origin to the new DC',
      services: ['edge'],
      answers: completeAnswers(),
    });
    const olu = t.ctx.policy.people.get('olu')!;
    const decided = await decideChange(t.ctx, olu, change.number, 'approve', {
      via: 'external-link',
    });
    expect(decided.change.state).toBe('pending');
    expect(decided.evaluation.allMet).toBe(true);
    const noted = await discuss('kim', change.id, {
      meeting: 'Acme Hosting CAB',
      outcome: 'noted',
    });
    expect(noted.status).toBe(201);
    expect(noted.body.state).toBe('approved');
  });

  it('rejects with the minutes as the reason, and refuses a rejection without them', async () => {
    const change = await edgeStandard('Switch the load balancer vendor');
    const bare = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'reject',
    });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details).toEqual([expect.objectContaining({ path: 'minutes' })]);
    const rejected = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'reject',
      minutes: 'Not during the DC move',
    });
    expect(rejected.status).toBe(201);
    expect(rejected.body.state).toBe('rejected');
    const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.at(-1)).toMatchObject({
      type: 'rejected',
      data: { comment: 'Not during the DC move', meeting: 'Acme Hosting CAB' },
    });
  });

  it('defers to the next sitting: off this agenda, on the next, still held', async () => {
    const change = await edgeStandard('Enable HTTP/3 at the edge');
    // Wednesday afternoon: Thursday's agenda is out, so the outcome is Thursday's.
    t.clock.set('2026-11-04T15:00:00Z');
    try {
      const deferred = await discuss('kim', change.id, {
        meeting: 'acme-hosting-cab',
        outcome: 'defer',
        minutes: 'Needs the load test first',
      });
      expect(deferred.status).toBe(201);
      expect(deferred.body).toMatchObject({
        state: 'pending',
        needsDiscussion: ['Acme Hosting CAB'],
      });
      const thursday = await agenda(THU);
      expect(thursday.items.map((i) => i.id)).not.toContain(change.id);
      expect(thursday.discussed).toContainEqual(
        expect.objectContaining({
          id: change.id,
          outcome: expect.objectContaining({ outcome: 'defer' }),
        }),
      );
      const next = await agenda(NEXT_THU);
      expect(next.items).toContainEqual(
        expect.objectContaining({ id: change.id, held: true, deferredFrom: THU }),
      );
    } finally {
      t.clock.set('2026-11-02T10:00:00Z');
    }
  });

  it('a meeting that informs never blocks, and clears its flag once it has spoken', async () => {
    const change = await submit({
      title: 'Rotate the payments HSM keys',
      answers: completeAnswers({ risk: 'high' }),
    });
    expect(change.state).toBe('pending');
    expect(change.heldBy).toEqual([]);
    const listed = await t.call('priya', 'GET', '/changes?needsDiscussion=true&limit=200');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(change.id);
    const byMeeting = await t.call('priya', 'GET', '/changes?meeting=weekly-risk-review');
    expect(byMeeting.body.items.map((c: { id: string }) => c.id)).toEqual([change.id]);

    const noted = await discuss('tom', change.id, {
      meeting: 'Weekly risk review',
      outcome: 'noted',
    });
    expect(noted.status).toBe(201);
    expect(noted.body).toMatchObject({ state: 'pending', needsDiscussion: [] });
    const after = await t.call('priya', 'GET', '/changes?needsDiscussion=true&limit=200');
    expect(after.body.items.map((c: { id: string }) => c.id)).not.toContain(change.id);
    // Once said, said: a second outcome finds nothing to discuss.
    const again = await discuss('tom', change.id, {
      meeting: 'Weekly risk review',
      outcome: 'noted',
    });
    expect(again.status).toBe(403);
  });

  it('refuses outcomes from outside the meeting, and says what is wrong', async () => {
    const change = await edgeStandard('Purge the CDN');
    expect(
      (await discuss(null, change.id, { meeting: 'acme-hosting-cab', outcome: 'noted' })).status,
    ).toBe(401);
    const lee = await discuss('lee', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'approve',
    });
    expect(lee.status).toBe(403);
    expect(lee.body.error.message).toContain('only an attendee of Acme Hosting CAB');
    const unknownMeeting = await discuss('kim', change.id, { meeting: 'Tea', outcome: 'noted' });
    expect(unknownMeeting.status).toBe(400);
    expect(unknownMeeting.body.error.details).toEqual([
      expect.objectContaining({ path: 'meeting' }),
    ]);
    const badOutcome = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'maybe',
    });
    expect(badOutcome.status).toBe(400);
    expect(JSON.stringify(badOutcome.body.error.details)).toContain('outcome');
    const badUrl = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'noted',
      url: 'javascript:alert(1)',
    });
    expect(badUrl.status).toBe(400);
    const notOnIt = await discuss('kim', change.id, {
      meeting: 'Weekly risk review',
      outcome: 'noted',
    });
    expect(notOnIt.status).toBe(409);
    const stale = await discuss('kim', change.id, {
      meeting: 'acme-hosting-cab',
      outcome: 'noted',
      version: change.version - 1,
    });
    expect(stale.status).toBe(409);
    expect((await t.call('priya', 'GET', '/changes?meeting=nope')).status).toBe(400);
    expect((await get(change.id)).state).toBe('pending');
  });

  it('lists each meeting with its next three sittings, agendas oldest first', async () => {
    const first = await edgeStandard('First in the queue');
    const second = await edgeStandard('Second in the queue');
    const meetings = await t.call('dev', 'GET', '/meetings');
    expect(meetings.status).toBe(200);
    const cab = meetings.body.items.find((m: { id: string }) => m.id === 'acme-hosting-cab');
    expect(cab).toMatchObject({
      name: 'Acme Hosting CAB',
      hold: true,
      schedule: {
        rrule: 'FREQ=WEEKLY;BYDAY=TH',
        at: '14:00',
        timezone: 'Europe/London',
        durationMinutes: 60,
      },
      agendaLeadTimeMinutes: 24 * 60,
    });
    expect(cab.attendees).toEqual(
      expect.arrayContaining([
        { id: 'olu', name: 'Olu Adeyemi', external: true },
        { id: 'kim', name: 'Kim Park', external: false },
      ]),
    );
    expect(cab.upcoming.map((a: { sitting: { start: string } }) => a.sitting.start)).toEqual([
      THU,
      NEXT_THU,
      '2026-11-19T14:00:00.000Z',
    ]);
    const ids = cab.upcoming[0].items.map((i: { id: string }) => i.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(cab.upcoming[0].items.find((i: { id: string }) => i.id === first.id)).toMatchObject({
      title: 'First in the queue',
      held: true,
      services: [{ id: 'edge', name: 'CDN and load balancers (run by Acme Hosting)' }],
      questions: expect.arrayContaining([{ field: 'risk', label: 'Risk', answer: 'low' }]),
    });
    const review = meetings.body.items.find((m: { id: string }) => m.id === 'weekly-risk-review');
    expect(review.upcoming[0].sitting.start).toBe('2026-11-03T10:00:00.000Z');
    expect((await t.call(null, 'GET', '/meetings')).status).toBe(401);
  });

  it('answers the agenda as JSON, Markdown and iCalendar, and refuses a time it does not sit at', async () => {
    const change = await edgeStandard('Tune [the](https://evil.example) WAF *rules*');
    const json = await agenda();
    expect(json.items.map((i) => i.id)).toContain(change.id);

    const markdown = await t.app.inject({
      method: 'GET',
      url: '/api/v1/meetings/acme-hosting-cab/agenda',
      headers: { authorization: `Bearer ${t.tokens.kim}`, accept: 'text/markdown' },
    });
    expect(markdown.statusCode).toBe(200);
    expect(markdown.headers['content-type']).toContain('text/markdown');
    const text = markdown.body;
    expect(text).toContain('# Agenda: Acme Hosting CAB, Thu 5 Nov 2026 14:00 (Europe/London)');
    expect(text).toContain(`${change.id}: Tune \\[the\\](https://evil.example) WAF \\*rules\\*`);
    expect(text).toContain(`/changes/${change.id}`);

    const ics = await t.app.inject({
      method: 'GET',
      url: `/api/v1/meetings/acme-hosting-cab/agenda?format=ics&at=${encodeURIComponent(NEXT_THU)}`,
      headers: { authorization: `Bearer ${t.tokens.kim}` },
    });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toContain('text/calendar');
    const calendar = new ICAL.Component(ICAL.parse(ics.body) as unknown[]);
    const [component] = calendar.getAllSubcomponents('vevent');
    const event = new ICAL.Event(component);
    expect(event.startDate.toJSDate().toISOString()).toBe(NEXT_THU);
    expect(event.endDate.toJSDate().toISOString()).toBe('2026-11-12T15:00:00.000Z');
    expect(event.description).toContain(change.id);
    expect(event.attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual(
      expect.arrayContaining(['mailto:olu@acme-hosting.example', 'mailto:kim@example.com']),
    );

    const wrong = await t.call(
      'kim',
      'GET',
      '/meetings/acme-hosting-cab/agenda?at=2026-11-05T15:00:00Z',
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([
      expect.objectContaining({ path: 'query.at', message: expect.stringContaining(THU) }),
    ]);
    expect((await t.call('kim', 'GET', '/meetings/tea/agenda')).status).toBe(404);
  });

  describe('the agenda by e-mail', () => {
    const mailsTo = async (address: string) => {
      for (let round = 0; round < 5; round++)
        if ((await t.ctx.dispatcher.runOnce()).claimed === 0) break;
      return smtp.messages.filter((m) =>
        (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.text.includes(address)),
      );
    };
    const agendaMails = async (address: string) =>
      (await mailsTo(address)).filter((m) => m.subject?.startsWith('Agenda: Acme Hosting CAB'));
    const linkFor = (mail: ParsedMail, id: string) => {
      const line = (mail.text ?? '').split(`${id}:`)[1] ?? '';
      const match = /http:\/\/changeboard\.test(\/external\/cbx_[\w-]+)/.exec(line);
      if (!match) throw new Error(`no outcome link for ${id} in: ${mail.text}`);
      return match[1]!;
    };
    const post = (path: string, form: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      });

    it('goes to every attendee a day ahead, once; the supplier’s copy records their outcome by link', async () => {
      const change = await edgeStandard('Raise the origin timeout');
      expect(await agendaMails('olu@acme-hosting.example')).toEqual([]);
      // Wednesday 14:30 London: a day before Thursday's sitting, in Olu's working hours (Lagos).
      t.clock.set('2026-11-04T14:30:00Z');
      try {
        const [mail, ...more] = await agendaMails('olu@acme-hosting.example');
        expect(more).toEqual([]);
        expect(mail!.subject).toMatch(
          /^Agenda: Acme Hosting CAB, Thu 5 Nov 2026 14:00 \(Europe\/London\): \d+ changes?$/,
        );
        // Olu cannot open the board: no link leads into it.
        expect(mail!.text).not.toContain('/changes/');
        expect(mail!.html).not.toContain('/changes/');
        const link = linkFor(mail!, change.id);
        const page = await t.app.inject({ method: 'GET', url: link });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('Acme Hosting CAB’s outcome');
        expect(page.body).toContain('Raise the origin timeout');
        expect((await get(change.id)).state).toBe('pending');

        const recorded = await post(link, { outcome: 'approve', minutes: 'Agreed at our CAB' });
        expect(recorded.statusCode).toBe(200);
        expect(recorded.body).toContain('It is approved now.');
        const after = await get(change.id);
        expect(after.state).toBe('approved');
        const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
        expect(events.find((e: { type: string }) => e.type === 'discussed')).toMatchObject({
          actor: 'olu',
          data: { outcome: 'approve', via: 'external-link', occurrence: THU },
        });
        // Single use.
        expect((await post(link, { outcome: 'noted' })).statusCode).toBe(409);
        // Kim's copy waits for Kim's working hours in Seoul (Thursday 09:00 there), still
        // before the sitting; it links to the agenda page, where outcomes are recorded.
        expect(await agendaMails('kim@example.com')).toEqual([]);
        t.clock.set('2026-11-05T00:30:00Z');
        const [kimMail] = await agendaMails('kim@example.com');
        expect(kimMail!.text).toContain('http://changeboard.test/meetings/acme-hosting-cab');
        // Later rounds of scheduled work send nothing twice.
        expect(await agendaMails('olu@acme-hosting.example')).toHaveLength(1);
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });

    it('can be sent now by an attendee or an admin, for the next sitting, once', async () => {
      t.clock.set('2026-11-06T10:00:00Z');
      try {
        const send = (as: string) => t.call(as, 'POST', '/meetings/acme-hosting-cab/agenda/send');
        expect((await send('lee')).status).toBe(403);
        const sent = await send('kim');
        expect(sent.status).toBe(202);
        expect(sent.body).toEqual({
          meeting: 'acme-hosting-cab',
          sitting: NEXT_THU,
          recipients: expect.arrayContaining(['olu', 'kim']),
        });
        const mails = await agendaMails('olu@acme-hosting.example');
        expect(mails.at(-1)!.subject).toContain('Thu 12 Nov 2026 14:00');
        // The scheduled mailing for that sitting finds it sent already.
        t.clock.set('2026-11-11T14:30:00Z');
        expect(await agendaMails('olu@acme-hosting.example')).toHaveLength(mails.length);
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });

    it('counts, after the sitting, what went through it and what was decided without it', async () => {
      t.clock.set('2026-11-05T16:00:00Z');
      try {
        const meetings = await t.call('kim', 'GET', '/meetings');
        const cab = meetings.body.items.find((m: { id: string }) => m.id === 'acme-hosting-cab');
        expect(cab.last.sitting.start).toBe(THU);
        expect(cab.last.discussed).toBeGreaterThanOrEqual(2);
        expect(cab.last.outcomes.defer).toBe(1);
        expect(cab.last.decidedAsync).toBeGreaterThanOrEqual(0);
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });
  });
});
