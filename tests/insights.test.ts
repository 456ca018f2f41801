import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

/**
 * PRODUCT.md, "Insights: is async working?", through the API on each database.
 * The test clock makes every timing exact: priya's payments change is approved
 * by lee 90 minutes after she submits it; ana's website change is rejected by
 * dev 30 minutes after hers.
 */
describe.each(databaseKinds)('insights on $name', (kind) => {
  let t: TestApp;
  let approvedId: string;
  let rejectedId: string;
  const PERIOD = 'from=2026-11-02T00:00:00Z&to=2026-11-09T00:00:00Z';
  const CAB = encodeURIComponent('FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London');

  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set('2026-11-02T09:00:00Z'); // a Monday
    approvedId = (await submittedChange(t, 'priya')).id as string;
    t.clock.set('2026-11-02T10:30:00Z');
    expect((await t.call('lee', 'POST', `/changes/${approvedId}/approve`)).status).toBe(200);
    rejectedId = (
      await submittedChange(t, 'ana', {
        title: '=HYPERLINK("https://evil.example"), "quoted"',
        services: ['website'],
      })
    ).id as string;
    t.clock.set('2026-11-02T11:00:00Z');
    const rejected = await t.call('dev', 'POST', `/changes/${rejectedId}/reject`, {
      comment: 'Not this week',
    });
    expect(rejected.status).toBe(200);
    t.clock.set('2026-11-04T12:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a caller without a token', async () => {
    expect((await t.call(null, 'GET', `/insights?${PERIOD}`)).status).toBe(401);
  });

  it('computes the figures, each linking to the changes behind it', async () => {
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}&cab=${CAB}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.period).toEqual({
      from: '2026-11-02T00:00:00.000Z',
      to: '2026-11-09T00:00:00.000Z',
    });
    expect(body.total).toMatchObject({ count: 2, changeIds: [approvedId, rejectedId] });
    // 30 and 90 minutes: the nearest-rank p50 is the 1st, the p90 the 2nd.
    expect(body.timeToDecision.overall).toMatchObject({
      count: 2,
      p50Minutes: 30,
      p90Minutes: 90,
      meanMinutes: 60,
    });
    expect(
      body.timeToDecision.byGroup.map((g: { group: string; p50Minutes: number }) => [
        g.group,
        g.p50Minutes,
      ]),
    ).toEqual([
      ['payments-owners', 90],
      ['web-owners', 30],
    ]);
    expect(body.rates.approval).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(body.rates.rejection).toMatchObject({
      numerator: 1,
      rate: 0.5,
      changeIds: [rejectedId],
    });
    // The figure's link lists exactly the changes behind it.
    const rejectedList = await t.call(
      'priya',
      'GET',
      body.rates.rejection.changes.replace('/api/v1', ''),
    );
    expect(rejectedList.body.items.map((c: { id: string }) => c.id)).toEqual([rejectedId]);
    expect(body.meetings.decidedAsync.count).toBe(2);
    expect(body.weekly).toHaveLength(1);
    expect(body.weekly[0]).toMatchObject({
      weekStart: '2026-11-02T00:00:00.000Z',
      created: 2,
      approved: 1,
      rejected: 1,
    });

    // Every figure's link lists exactly its changes on the board.
    const listed = async (link: string) =>
      (await t.call('kim', 'GET', link.replace(/^\/api\/v1/, ''))).body.items.map(
        (c: { id: string }) => c.id,
      );
    expect((await listed(body.total.changes)).sort()).toEqual([approvedId, rejectedId].sort());
    const approvedState = body.counts.byState.find(
      (s: { state: string }) => s.state === 'approved',
    );
    expect(await listed(approvedState.changes)).toEqual([approvedId]);
    const website = body.timeToDecision.byService.find(
      (s: { service: string }) => s.service === 'website',
    );
    expect(await listed(website.changes)).toEqual([rejectedId]);
  });

  it('replays the CAB the team replaced', async () => {
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}&cab=${CAB}`);
    const cf = res.body.meetingCounterfactual;
    expect(cf.cadence).toMatchObject({
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
      at: '10:00',
      timezone: 'Europe/London',
      source: 'query',
      agendaLeadTimeMinutes: 1440,
    });
    // Submitted Monday 09:00: on Tuesday 10:00's agenda (a day ahead); approved Monday 10:30: 23 h 30 sooner.
    // Submitted Monday 10:30: too late for Tuesday's agenda, waits for the 10th; rejected Monday 11:00: 8 days − 1 h.
    expect(
      cf.items.map(
        (i: { id: string; cabAt: string; missedAgenda: boolean; savedMinutes: number }) => [
          i.id,
          i.cabAt,
          i.missedAgenda,
          i.savedMinutes,
        ],
      ),
    ).toEqual([
      [approvedId, '2026-11-03T10:00:00.000Z', false, 1410],
      [rejectedId, '2026-11-10T10:00:00.000Z', true, 11460],
    ]);
    expect(cf).toMatchObject({
      decided: 2,
      totalSavedMinutes: 12870,
      medianSavedMinutes: 1410,
      faster: 2,
    });
    expect(cf.ecab.count).toBe(0);
  });

  it("defaults the cadence to the team's own scheduled meeting", async () => {
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}`);
    expect(res.body.meetingCounterfactual.cadence).toMatchObject({
      source: 'policy',
      meeting: 'Weekly risk review',
      text: 'FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London',
    });
  });

  it('offers promotion candidates with a standardChanges entry to paste', async () => {
    const none = await t.call('kim', 'GET', `/insights?${PERIOD}`);
    expect(none.body.promotionCandidates).toEqual({
      minChanges: 10,
      candidates: [],
      nearMisses: [],
    });
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}&minChanges=1`);
    const { candidates, nearMisses } = res.body.promotionCandidates;
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      type: 'normal',
      services: ['payments'],
      answers: { risk: 'low' },
      count: 1,
      changeIds: [approvedId],
      entry: {
        id: 'normal-payments-low',
        services: ['payments'],
        locked: ['risk'],
        requesters: ['payments-owners'],
        approvedBy: null,
        approvedOn: '2026-11-04',
      },
    });
    expect(candidates[0].yaml).toMatch(/^- id: normal-payments-low\n/);
    expect(candidates[0].yaml).toMatch(/approvedBy: null # fill in/);
    expect(
      await t.call('kim', 'GET', candidates[0].changes.replace(/^\/api\/v1/, '')),
    ).toMatchObject({
      status: 200,
    });
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]).toMatchObject({
      services: ['website'],
      rejected: 1,
      changeIds: [rejectedId],
    });
  });

  it('narrows by service and type', async () => {
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}&service=website`);
    expect(res.body.total.changeIds).toEqual([rejectedId]);
    expect(res.body.total.changes).toContain('service=website');
    const none = await t.call('kim', 'GET', `/insights?${PERIOD}&type=emergency`);
    expect(none.body.total.count).toBe(0);
    expect(none.body.timeToDecision.overall).toMatchObject({ p50Minutes: null, p90Minutes: null });
  });

  it.each([
    ['from=yesterday', 'query.from'],
    ['from=2026-11-09T00:00:00Z&to=2026-11-02T00:00:00Z', 'query.to'],
    ['from=2025-01-01T00:00:00Z&to=2026-11-02T00:00:00Z', 'query.from'],
    ['service=nope', 'query.service'],
    ['type=nope', 'query.type'],
    [`cab=${encodeURIComponent('FREQ=HOURLY@10:00 Europe/London')}`, 'query.cab'],
    [`cab=${encodeURIComponent('FREQ=WEEKLY;BYDAY=TU@10:00 Mars/Olympus')}`, 'query.cab'],
    ['cab=fortnightly', 'query.cab'],
    // 30 February never comes: refused after one bounded walk, not searched for on every change.
    [`cab=${encodeURIComponent('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30@10:00 UTC')}`, 'query.cab'],
    ['minChanges=0', 'query.minChanges'],
  ])('answers 400 for %s', async (query, path) => {
    const res = await t.call('kim', 'GET', `/insights?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('says why a cadence that never sits is refused', async () => {
    const cab = encodeURIComponent('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30@10:00 UTC');
    const res = await t.call('kim', 'GET', `/insights?${PERIOD}&cab=${cab}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual(
      expect.objectContaining({
        path: 'query.cab',
        message: expect.stringMatching(/^never sits from 2026-11-02T00:00:00.000Z to /),
      }),
    );
  });

  it('exports one CSV row per change, safe for spreadsheets', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/insights/changes.csv?${PERIOD}&cab=${CAB}`,
      headers: { authorization: `Bearer ${t.tokens.kim}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="changeboard-changes-2026-11-02-2026-11-09.csv"',
    );
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 6)).toEqual(['id', 'title', 'type', 'services', 'requester', 'state']);
    const first = lines[1]!.split(',');
    const col = (name: string) => header.indexOf(name);
    expect(first[col('id')]).toBe(approvedId);
    expect(first[col('submitted')]).toBe('2026-11-02T09:00:00.000Z');
    expect(first[col('decided')]).toBe('2026-11-02T10:30:00.000Z');
    expect(first[col('time_to_decision_minutes')]).toBe('90');
    expect(first[col('cab_saved_minutes')]).toBe('1410');
    // The formula is defused with a quote, and the cell quoted for its comma and quotes.
    expect(lines[2]).toContain(
      `,"'=HYPERLINK(""https://evil.example""), ""quoted""",normal,website,ana,rejected,`,
    );

    const unauthenticated = await t.app.inject({
      method: 'GET',
      url: `/api/v1/insights/changes.csv`,
    });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
