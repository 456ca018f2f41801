import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    website = await submittedChange(t, 'sam', {
      title: 'Pricing page copy',
      type: 'standard',
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
    expect(events.find((e) => e.summary.startsWith('Freeze'))).toMatchObject({
      start: '2026-12-19T00:00:00.000Z',
      end: '2027-01-04T00:00:00.000Z',
    });
  });

  it('filters by service', async () => {
    const events = parseCalendar((await ics('kim', '?service=website')).body);
    expect(events.map((e) => e.summary).sort()).toEqual(
      ['Freeze: Year-end freeze', `${website.id} Pricing page copy`].sort(),
    );
  });

  it('works with the web session too', async () => {
    const session = await signIn(t, 'tom');
    const res = await browserCall(t, session, 'GET', '/calendar.ics');
    expect(res.response.statusCode).toBe(200);
  });
});
