import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

/**
 * PRODUCT.md, "Post-implementation review": every emergency of the example is
 * reviewed within 2d (examples/changeboard.yaml `review`), a failed change of
 * any type is reviewed too, and `verify` waits for the review.
 */
describe.each(databaseKinds)('post-implementation reviews on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);
  const idsOf = (body: { items: { id: string }[] }) => body.items.map((c) => c.id);

  /** An emergency fixed early and completed: lee approved, the others did too. */
  async function completedEmergency(): Promise<string> {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    await act('tom', change.id, 'approve');
    await act('sam', change.id, 'approve');
    return change.id;
  }

  it('owes a review once an emergency is completed, and verify waits for it', async () => {
    const id = await completedEmergency();
    const before = await t.call('priya', 'GET', `/changes/${id}`);
    expect(before.body.review).toBeNull();

    const completed = await act('priya', id, 'complete');
    expect(completed.body.review).toMatchObject({
      due: new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString(),
      done: false,
      doneAt: null,
      overdue: false,
      answers: null,
    });
    expect(completed.body.review.fields.map((f: { id: string }) => f.id)).toEqual([
      'whatHappened',
      'followUps',
    ]);
    expect(completed.body.actions).toEqual(expect.arrayContaining(['review']));
    expect(completed.body.actions).toContain('verify');

    const verify = await act('priya', id, 'verify');
    expect(verify.status).toBe(422);
    expect(verify.body.error).toMatchObject({
      code: 'review_required',
      details: [{ path: 'review', message: 'not filed yet' }],
    });

    const listed = await t.call('priya', 'GET', '/changes?reviewDue=true&limit=200');
    expect(idsOf(listed.body)).toContain(id);
    expect(
      idsOf((await t.call('priya', 'GET', '/changes?reviewDue=false&limit=200')).body),
    ).not.toContain(id);
  });

  it('checks the answers like a change’s: unknown, mistyped, missing; and who may file it', async () => {
    const id = await completedEmergency();
    await act('priya', id, 'complete');

    const unknown = await act('priya', id, 'review', {
      answers: { whatHappened: 'x', rootCause: 'y' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_input');
    expect(unknown.body.error.details[0].path).toBe('answers.rootCause');

    const mistyped = await act('priya', id, 'review', { answers: { whatHappened: 42 } });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error.details).toEqual([
      { path: 'answers.whatHappened', message: 'must be text' },
    ]);

    const missing = await act('priya', id, 'review', { answers: { followUps: 'JIRA-1' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({
      code: 'answers_incomplete',
      details: [{ path: 'answers.whatHappened', message: 'needs an answer' }],
    });

    const blank = await act('priya', id, 'review', { answers: { whatHappened: '   ' } });
    expect(blank.status).toBe(422);

    const bystander = await act('dev', id, 'review', { answers: { whatHappened: 'x' } });
    expect(bystander.status).toBe(403);
    expect(bystander.body.error.code).toBe('forbidden');

    // tom approved it, so he may verify it, and so file its review.
    const filed = await act('tom', id, 'review', {
      answers: { whatHappened: 'A bad deploy; alerts paged the on-call lead', followUps: '' },
    });
    expect(filed.status).toBe(201);
    expect(filed.body.review).toMatchObject({
      done: true,
      by: 'tom',
      doneAt: t.clock.now().toISOString(),
      answers: { whatHappened: 'A bad deploy; alerts paged the on-call lead' },
    });
    expect(filed.body.actions).not.toContain('review');

    const again = await act('priya', id, 'review', { answers: { whatHappened: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_reviewed');

    const events = await t.call('priya', 'GET', `/changes/${id}/events`);
    expect(events.body.items.at(-1)).toMatchObject({
      type: 'reviewed',
      actor: 'tom',
      data: {
        answers: { whatHappened: 'A bad deploy; alerts paged the on-call lead' },
        late: false,
      },
    });
    expect(
      idsOf((await t.call('priya', 'GET', '/changes?reviewDue=true&limit=200')).body),
    ).not.toContain(id);
    expect((await act('priya', id, 'verify')).body.state).toBe('verified');
  });

  it('owes a review for a failed normal change, with the default questions, and says when it is overdue', async () => {
    const change = await submittedChange(t, 'priya');
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    const failed = await act('priya', change.id, 'fail', { comment: 'rolled back' });
    expect(failed.body.state).toBe('failed');
    expect(failed.body.review.fields.map((f: { id: string }) => f.id)).toEqual([
      'whatHappened',
      'followUps',
    ]);
    const cardOf = async () =>
      (await t.call('priya', 'GET', '/changes?reviewDue=true&view=card&limit=200')).body.items.find(
        (c: { id: string }) => c.id === change.id,
      );
    expect((await cardOf()).review).toMatchObject({ done: false, overdue: false });
    t.clock.advance(3 * 86_400_000);
    const late = await t.call('priya', 'GET', `/changes/${change.id}`);
    expect(late.body.review).toMatchObject({ done: false, overdue: true });
    // The board's card of the same version says so too: it is not kept from before.
    expect((await cardOf()).review).toMatchObject({ done: false, overdue: true });
    expect(
      idsOf((await t.call('priya', 'GET', '/changes?reviewDue=true&limit=200')).body),
    ).toContain(change.id);
    const filed = await act('priya', change.id, 'review', {
      answers: { whatHappened: 'The retry limit starved the pool' },
    });
    expect(filed.status).toBe(201);
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.at(-1).data.late).toBe(true);
  });

  it('owes no review for a completed normal change', async () => {
    const change = await submittedChange(t, 'priya');
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    const completed = await act('priya', change.id, 'complete');
    expect(completed.body.review).toBeNull();
    expect(completed.body.actions).not.toContain('review');
    const review = await act('priya', change.id, 'review', { answers: { whatHappened: 'x' } });
    expect(review.status).toBe(409);
    expect(review.body.error.code).toBe('invalid_state');
    expect(review.body.error.message).toMatch(/owes no review/);
    expect((await act('priya', change.id, 'verify')).body.state).toBe('verified');
  });
});

/** A type with an early start but no review of its own: only a rejection after the start makes one owed. */
const WITHOUT_EMERGENCY_REVIEW = EXAMPLE_POLICY.replace(
  /\n {4}review: {23}# every emergency is reviewed afterwards\n(?: {6}.*\n)+/,
  '\n',
);

describe.each(databaseKinds)('a rejection after an early start on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    expect(WITHOUT_EMERGENCY_REVIEW).not.toContain('whatHappened');
    t = await startTestApp(kind, { policy: WITHOUT_EMERGENCY_REVIEW });
  });
  afterAll(async () => {
    await t.close();
  });

  const act = (who: string, id: string, action: string, body?: Record<string, unknown>) =>
    t.call(who, 'POST', `/changes/${id}/${action}`, body);

  it('needs no review when nobody rejected it', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    await act('tom', change.id, 'approve');
    await act('sam', change.id, 'approve');
    expect((await act('priya', change.id, 'complete')).body.review).toBeNull();
    expect((await act('priya', change.id, 'verify')).body.state).toBe('verified');
  });

  it('makes a review owed when the change is completed after a rejection during the fix', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    const rejected = await act('tom', change.id, 'reject', { comment: 'opens port 22' });
    expect(rejected.body.review).toBeNull(); // owed once the change is over
    const completed = await act('priya', change.id, 'complete');
    expect(completed.body.review).toMatchObject({ done: false });
    const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
    expect(events.body.items.at(-1)).toMatchObject({
      type: 'completed',
      data: { reviewDue: completed.body.review.due },
    });
  });

  it('makes a review owed at once when the rejection comes after the change was completed', async () => {
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await act('lee', change.id, 'approve');
    await act('priya', change.id, 'start');
    expect((await act('priya', change.id, 'complete')).body.review).toBeNull();
    const rejected = await act('sam', change.id, 'reject', {
      comment: 'no change record for this',
    });
    expect(rejected.body).toMatchObject({ state: 'completed', rejectedAfterStart: true });
    expect(rejected.body.review).toMatchObject({
      due: new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString(),
      done: false,
    });
    const verify = await act('priya', change.id, 'verify');
    // Approvals are still open (tom never decided), which it says first.
    expect(verify.status).toBe(409);
  });
});
