import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

/**
 * PRODUCT.md, "Emergencies, reviews and standard changes": an emergency may
 * start once an on-call lead approved (examples/changeboard.yaml `earlyStart`);
 * security (tom) and the CTO (sam) still decide. The test app verifies the
 * audit trail when it closes.
 */
describe.each(databaseKinds)('early start on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);

  it('starts after the on-call lead, takes the other approvals after, and is verified once all are in', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    expect(change.actions).not.toContain('start');
    const refused = await act('priya', change.id, 'start');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('invalid_state');

    const approved = await act('lee', change.id, 'approve');
    expect(approved.body.state).toBe('pending');
    expect(approved.body.actions).not.toContain('start'); // lee's: he is not the requester
    expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.actions).toContain('start');

    const started = await act('priya', change.id, 'start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'in_progress', startedEarly: true });
    expect(started.body.requirements.map((r: { met: boolean }) => r.met)).toEqual([
      true,
      false,
      false,
    ]);
    expect(started.body.waitingFor.sort()).toEqual(['sam', 'tom']);

    const asTom = await t.call('tom', 'GET', `/changes/${change.id}`);
    expect(asTom.body.actions).toEqual(expect.arrayContaining(['approve', 'reject']));

    expect((await act('tom', change.id, 'approve')).body).toMatchObject({
      state: 'in_progress',
      startedEarly: true,
    });
    expect((await act('priya', change.id, 'complete')).body.state).toBe('completed');

    // sam (the CTO) has not approved: it cannot be verified yet.
    const early = await act('priya', change.id, 'verify');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('invalid_state');
    expect(early.body.error.message).toMatch(/started early and still waits for cto/);

    const last = await act('sam', change.id, 'approve');
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({
      state: 'completed',
      startedEarly: false,
      rejectedAfterStart: false,
      waitingFor: [],
    });
    expect(last.body.requirements.every((r: { met: boolean }) => r.met)).toBe(true);

    expect((await act('priya', change.id, 'verify')).body.state).toBe('verified');
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'submitted',
      'approval-granted',
      'started',
      'approval-granted',
      'completed',
      'approval-granted',
      'verified',
    ]);
  });

  it('records a rejection after the start and keeps the change in its implementation', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('ana', change.id, 'approve');
    await act('priya', change.id, 'start');
    const rejected = await act('tom', change.id, 'reject', {
      comment: 'opens port 22 to the world',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      state: 'in_progress',
      startedEarly: true,
      rejectedAfterStart: true,
    });
    expect(rejected.body.decisions).toContainEqual(
      expect.objectContaining({ person: 'tom', verdict: 'reject' }),
    );
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.at(-1)).toMatchObject({
      type: 'approval-rejected',
      actor: 'tom',
      data: expect.objectContaining({ afterStart: true }),
    });
    // The fix can still be rolled back.
    expect((await act('priya', change.id, 'fail')).body.state).toBe('failed');
  });

  it('does not let a normal change start before its approvals', async () => {
    const change = await submittedChange(t, 'priya');
    const res = await act('priya', change.id, 'start');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
  });
});
