import { afterEach, describe, expect, it } from 'vitest';
import { buildChange, EXAMPLE_POLICY, startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

/** The example, with normal changes needing a planned window. */
const POLICY = EXAMPLE_POLICY.replace(
  '  normal:\n    label: Normal\n',
  '  normal:\n    label: Normal\n    requirePlannedWindow: true\n',
);

describe.each(databaseKinds)('planned windows on $name', (kind) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('refuses to submit a type that requires a window without one, naming both ends', async () => {
    expect(POLICY).not.toBe(EXAMPLE_POLICY);
    t = await startTestApp(kind, { policy: POLICY });
    const policy = await t.call('priya', 'GET', '/policy');
    expect(
      policy.body.changeTypes.find((c: { id: string }) => c.id === 'normal').requirePlannedWindow,
    ).toBe(true);

    const created = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ plannedStart: null, plannedEnd: null }),
    );
    expect(created.status).toBe(201);
    const refused = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('answers_incomplete');
    expect(refused.body.error.details).toEqual([
      { path: 'plannedStart', message: 'a Normal change needs a planned window' },
      { path: 'plannedEnd', message: 'a Normal change needs a planned window' },
    ]);
    expect((await t.call('priya', 'GET', `/changes/${created.body.id}`)).body.state).toBe('draft');

    // An emergency does not need one.
    const emergency = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ type: 'emergency', plannedStart: null, plannedEnd: null }),
    );
    expect((await t.call('priya', 'POST', `/changes/${emergency.body.id}/submit`)).status).toBe(
      200,
    );
  });

  it('says when the planned window is over or has begun, in the answer, until the change starts', async () => {
    t = await startTestApp(kind);
    // The test clock says 2026-11-02T10:00Z.
    const past = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ plannedStart: '2026-11-01T10:00:00Z', plannedEnd: '2026-11-01T10:30:00Z' }),
    );
    expect(past.body.windowWarning).toBe(
      'The planned window is over: plan it again before it starts.',
    );
    const submitted = await t.call('priya', 'POST', `/changes/${past.body.id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.windowWarning).toContain('is over');

    const begun = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ plannedStart: '2026-11-02T09:00:00Z', plannedEnd: '2026-11-02T12:00:00Z' }),
    );
    expect(begun.body.windowWarning).toBe(
      'The planned window has begun, and the change has not started.',
    );
    const future = await t.call('priya', 'POST', '/changes', buildChange());
    expect(future.body.windowWarning).toBeNull();

    // The list says it too, and the warning moves with the clock.
    t.clock.set('2026-12-02T10:00:00Z');
    const listed = await t.call('priya', 'GET', '/changes?state=draft');
    const byId = new Map(
      listed.body.items.map((c: { id: string; windowWarning: string | null }) => [
        c.id,
        c.windowWarning,
      ]),
    );
    expect(byId.get(future.body.id)).toContain('is over');
  });
});
