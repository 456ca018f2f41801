import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiToken } from '../src/app/tokens.js';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { browserCall, signIn } from './_util/web.js';

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  status: string | null;
  url: string | null;
}

function parseCalendar(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    const status = component.getFirstPropertyValue('status');
    const url = component.getFirstPropertyValue('url');
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      status: typeof status === 'string' ? status : null,
      url: typeof url === 'string' ? url : null,
    };
  });
}

describe.each(databaseKinds)('GET /calendar.ics on $name', (kind) => {
  let t: TestApp;
  let payments: { id: string };
  let website: { id: string };
  beforeAll(async () => {
    t = await startTestApp(kind);
    payments = await submittedChange(t, 'priya', { title: 'Raise payment retry limit' });
    website = await submittedChange(t, 'ana', {
      title: 'Pricing page copy',
      type: 'standard',
      template: 'rotate-tls-cert',
      services: ['website'],
      plannedStart: '2026-12-02T09:00:00Z',
      plannedEnd: null,
    });
    await t.call('priya', 'POST', '/changes', buildChange({ title: 'Only a draft' }));
  });
  afterAll(async () => {
    await t.close();
  });

  const ics = (person: string | null, query = '') =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/calendar.ics${query}`,
      headers: person ? { authorization: `Bearer ${t.tokens[person]}` } : {},
    });

  it('needs a caller', async () => {
    const res = await ics(null);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });

  it('refuses an unknown service', async () => {
    const res = await ics('kim', '?service=payments,nope');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'query.service', message: expect.stringContaining('unknown service "nope"') },
    ]);
  });

  it('is an iCalendar of the planned changes (not drafts) and the freezes', async () => {
    const res = await ics('kim');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = parseCalendar(res.body);
    expect(events.map((e) => e.summary).sort()).toEqual(
      [
        'Freeze: Year-end freeze',
        'Freeze: Friday afternoons',
        `${payments.id} Raise payment retry limit`,
        `${website.id} Pricing page copy`,
      ].sort(),
    );
    const change = events.find((e) => e.summary.startsWith(payments.id))!;
    expect(change).toMatchObject({
      start: '2026-12-01T10:00:00.000Z',
      end: '2026-12-01T10:30:00.000Z',
      status: 'TENTATIVE',
      url: `http://changeboard.test/changes/${payments.id}`,
      uid: `${payments.id.toLowerCase()}@changeboard`,
    });
    // Approved on submit (standard), planned without an end: half an hour.
    expect(events.find((e) => e.summary.startsWith(website.id))).toMatchObject({
      status: 'CONFIRMED',
      start: '2026-12-02T09:00:00.000Z',
      end: '2026-12-02T09:30:00.000Z',
    });
    expect(events.find((e) => e.summary === 'Freeze: Year-end freeze')).toMatchObject({
      start: '2026-12-19T00:00:00.000Z',
      end: '2027-01-04T00:00:00.000Z',
    });
  });

  it('shows a recurring freeze as one event that repeats in its time zone', async () => {
    const calendar = new ICAL.Component(ICAL.parse((await ics('kim')).body) as unknown[]);
    // The feed carries the zone's rules, as RFC 5545 asks: what a calendar app places times by.
    const zones = calendar.getAllSubcomponents('vtimezone');
    expect(zones.map((zone) => zone.getFirstPropertyValue('tzid'))).toEqual(['Europe/London']);
    ICAL.TimezoneService.register(zones[0]!);
    try {
      const component = calendar
        .getAllSubcomponents('vevent')
        .find((c) => c.getFirstPropertyValue('summary') === 'Freeze: Friday afternoons')!;
      expect(String(component.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;BYDAY=FR');
      expect(component.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/London');
      expect(component.getFirstPropertyValue('description')).toBe(
        'Only emergency, standard changes may start.',
      );
      const event = new ICAL.Event(component);
      expect(event.isRecurring()).toBe(true);
      expect(event.duration.toSeconds()).toBe(9 * 3_600);
      // Every Friday at 15:00 London: 14:00Z before the clocks go back on 25 October, 15:00Z after.
      const starts: string[] = [];
      const occurrences = event.iterator();
      for (let next = occurrences.next(); next; next = occurrences.next()) {
        const start = next.toJSDate();
        if (start >= new Date('2026-11-07T00:00:00Z')) break;
        if (start >= new Date('2026-10-20T00:00:00Z')) starts.push(start.toISOString());
      }
      expect(starts).toEqual([
        '2026-10-23T14:00:00.000Z',
        '2026-10-30T15:00:00.000Z',
        '2026-11-06T15:00:00.000Z',
      ]);
      // The same occurrences the gate and the start refusal find.
      const schedule = t.ctx.policy.recurringFreezes[0]!.schedule;
      expect(
        schedule
          .between(new Date('2026-10-20T00:00:00Z'), new Date('2026-11-07T00:00:00Z'))
          .map((o) => o.start.toISOString()),
      ).toEqual(starts);
    } finally {
      ICAL.TimezoneService.remove('Europe/London');
    }
  });

  it('lists the next occurrences of each recurring freeze in the policy view, as of now', async () => {
    // Monday 2 November 2026, 10:00 UTC: the next Friday afternoons (15:00–24:00 London, GMT now).
    const policy = (await t.call('kim', 'GET', '/policy')).body;
    const [friday] = policy.recurringFreezes;
    expect(friday).toMatchObject({
      name: 'Friday afternoons',
      rrule: 'FREQ=WEEKLY;BYDAY=FR',
      at: '15:00',
      timezone: 'Europe/London',
      durationMinutes: 540,
      allow: ['emergency', 'standard'],
    });
    // Every one that begins in the next 13 weeks.
    expect(friday.next).toHaveLength(13);
    expect(friday.next.slice(0, 2)).toEqual([
      { start: '2026-11-06T15:00:00.000Z', end: '2026-11-07T00:00:00.000Z' },
      { start: '2026-11-13T15:00:00.000Z', end: '2026-11-14T00:00:00.000Z' },
    ]);
    // One under way is listed until it ends; the time is read per request.
    t.clock.set('2026-11-06T16:00:00Z');
    try {
      const later = (await t.call('kim', 'GET', '/policy')).body.recurringFreezes[0];
      expect(later.next[0]).toEqual({
        start: '2026-11-06T15:00:00.000Z',
        end: '2026-11-07T00:00:00.000Z',
      });
    } finally {
      t.clock.set('2026-11-02T10:00:00Z');
    }
  });

  it('filters by service', async () => {
    const events = parseCalendar((await ics('kim', '?service=website')).body);
    expect(events.map((e) => e.summary).sort()).toEqual(
      [
        'Freeze: Year-end freeze',
        'Freeze: Friday afternoons',
        `${website.id} Pricing page copy`,
      ].sort(),
    );
  });

  it('works with the web session too', async () => {
    const session = await signIn(t, 'tom');
    const res = await browserCall(t, session, 'GET', '/calendar.ics');
    expect(res.response.statusCode).toBe(200);
  });
});

describe.each(databaseKinds)('calendar feed links on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await submittedChange(t, 'priya', { title: 'Raise payment retry limit' });
  });
  afterAll(async () => {
    await t.close();
  });

  /** What a calendar app does: GET the link, no header, no cookie. */
  const subscribe = (url: string) => {
    const { pathname, search } = new URL(url);
    return t.app.inject({ method: 'GET', url: `${pathname}${search}` });
  };
  const newLink = async (person: string) => {
    const res = await t.call(person, 'POST', '/calendar/feed');
    expect(res.status).toBe(201);
    return res.body as { url: string; createdAt: string };
  };

  it('gives a link that opens the calendar without a header or cookie', async () => {
    const { url } = await newLink('lee');
    expect(url).toMatch(/^http:\/\/changeboard\.test\/api\/v1\/calendar\.ics\?feed=cbcal_/);
    const res = await subscribe(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(parseCalendar(res.body).map((e) => e.summary)).toContainEqual(
      expect.stringContaining('Raise payment retry limit'),
    );
    // The service filter still applies.
    const filtered = await subscribe(`${url}&service=website`);
    expect(parseCalendar(filtered.body).some((e) => e.summary.includes('Raise payment'))).toBe(
      false,
    );
  });

  it('opens only the calendar: the link is no API token, and an API token is no link', async () => {
    const feed = new URL((await newLink('ana')).url).searchParams.get('feed')!;
    const asBearer = await t.app.inject({
      method: 'GET',
      url: '/api/v1/changes',
      headers: { authorization: `Bearer ${feed}` },
    });
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.json().error.message).toContain('opens only a calendar feed');

    const apiTokenAsLink = await subscribe(
      `http://changeboard.test/api/v1/calendar.ics?feed=${t.tokens.ana}`,
    );
    expect(apiTokenAsLink.statusCode).toBe(401);
    expect(apiTokenAsLink.json().error.message).toContain('not in a link');

    // Elsewhere, `feed` is nothing special: it neither signs in nor passes validation.
    const elsewhere = await t.app.inject({ method: 'GET', url: `/api/v1/changes?feed=${feed}` });
    expect(elsewhere.statusCode).toBe(401);
  });

  it('turns the previous link off when a new one is made, and stops at revocation', async () => {
    const first = await newLink('sam');
    const second = await newLink('sam');
    expect(second.url).not.toBe(first.url);
    const old = await subscribe(first.url);
    expect(old.statusCode).toBe(401);
    expect(old.json().error.message).toContain('was replaced');
    expect((await subscribe(second.url)).statusCode).toBe(200);
    // Another person's new link leaves this one alone.
    await newLink('kim');
    expect((await subscribe(second.url)).statusCode).toBe(200);

    const listed = await t.ctx.store.read.tokens.list('sam');
    const active = listed.filter((token) => token.scope === 'calendar' && !token.revokedAt);
    expect(active).toHaveLength(1);
    await revokeApiToken(t.ctx, active[0]!.id);
    expect((await subscribe(second.url)).statusCode).toBe(401);
  });

  it('is made from the web app with the session, CSRF rules and all', async () => {
    const session = await signIn(t, 'tom');
    const refused = await browserCall(t, session, 'POST', '/calendar/feed', {}, { csrf: null });
    expect(refused.response.statusCode).toBe(403);
    const made = await browserCall(t, session, 'POST', '/calendar/feed', {});
    expect(made.response.statusCode).toBe(201);
    const { url } = made.response.json<{ url: string }>();
    expect((await subscribe(url)).statusCode).toBe(200);
  });

  it('refuses an unknown link with a reason', async () => {
    const res = await subscribe('http://changeboard.test/api/v1/calendar.ics?feed=cbcal_nope');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('unknown or was replaced');
  });
});
