import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChange,
  completeAnswers,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/database-url.js';
import { openDatabase } from '../src/storage/database.js';

describe.each(databaseKinds)('changes API on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /changes', () => {
    it('creates a draft with what the requester wrote', async () => {
      const res = await t.call('priya', 'POST', '/changes', buildChange());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^CHG-\d+$/),
        state: 'draft',
        version: 1,
        requester: 'priya',
        type: 'normal',
        services: ['payments'],
        answers: completeAnswers(),
        plannedStart: '2026-12-01T10:00:00.000Z',
        links: [{ title: 'PR #812', url: 'https://github.com/example-corp/payments-api/pull/812' }],
        decisions: [],
      });
      // A draft shows what it would need if submitted now.
      expect(res.body.requirements).toEqual([
        {
          from: 'payments-owners',
          service: 'payments',
          count: 1,
          reason: 'touches Payments API',
          met: false,
          approvedBy: [],
          canApprove: [],
          available: true,
        },
      ]);
    });

    it('refuses an unauthenticated request', async () => {
      const res = await t.call(null, 'POST', '/changes', buildChange());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    });

    it('refuses an unknown token', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/changes',
        headers: { authorization: 'Bearer cb_nope' },
      });
      expect(res.statusCode).toBe(401);
    });

    it('lists every invalid field at once and stores nothing', async () => {
      const before = await t.call('priya', 'GET', '/changes?limit=200');
      const res = await t.call('priya', 'POST', '/changes', {
        title: 42,
        type: 'normal',
        services: 'payments',
        colour: 'red',
        answers: { tested: 'yes' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['title', 'services', 'colour']));
      const after = await t.call('priya', 'GET', '/changes?limit=200');
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    it('checks answers, type and services against the policy', async () => {
      const res = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({
          type: 'urgent',
          services: ['payments', 'billing'],
          answers: { tested: 'yes', risk: 'extreme', testResults: 'not a url', mood: 'good' },
          plannedStart: '2026-12-01T10:00:00Z',
          plannedEnd: '2026-12-01T09:00:00Z',
        }),
      );
      expect(res.status).toBe(400);
      const byPath = Object.fromEntries(
        res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
      );
      expect(byPath).toMatchObject({
        type: expect.stringContaining('unknown change type "urgent"'),
        'services[1]': expect.stringContaining('unknown service "billing"'),
        'answers.tested': 'must be true or false',
        'answers.risk': 'must be one of: low, medium, high',
        'answers.testResults': 'must be an http(s) URL',
        'answers.mood': expect.stringContaining('unknown field'),
        plannedEnd: expect.stringContaining('must be after plannedStart'),
      });
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await t.call('priya', 'POST', '/changes', '{"title": "x",');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('malformed_json');
    });

    it('refuses an oversized body with 413', async () => {
      const res = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({ description: 'x'.repeat(300_000) }),
      );
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    });

    it('refuses a body that is not JSON with 415', async () => {
      const res = await t.call('priya', 'POST', '/changes', 'title=x', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    });
  });

  describe('GET /changes/{id}', () => {
    it('returns one change', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange({ title: 'Read me' }));
      const res = await t.call('lee', 'GET', `/changes/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Read me');
      expect(res.body.url).toBe(`http://changeboard.test/changes/${created.body.id}`);
    });

    it('404s an unknown or malformed id', async () => {
      expect((await t.call('priya', 'GET', '/changes/CHG-999999')).status).toBe(404);
      const res = await t.call('priya', 'GET', '/changes/banana');
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('params.id');
    });

    it('needs authentication', async () => {
      expect((await t.call(null, 'GET', '/changes/CHG-1')).status).toBe(401);
    });
  });

  describe('submit', () => {
    it('computes requirements from type, services and answers', async () => {
      const change = await submittedChange(t, 'priya', {
        services: ['payments', 'website'],
        answers: completeAnswers({ risk: 'high' }),
      });
      expect(change.state).toBe('pending');
      expect(change.submittedAt).toBe('2026-11-02T10:00:00.000Z');
      expect(change.requirements.map((r: { from: string }) => r.from)).toEqual([
        'payments-owners',
        'web-owners',
        'change-managers',
      ]);
      expect(change.requirements[0].canApprove).toEqual(['lee']);
      expect(change.requirements[1].canApprove).toEqual(['ana', 'dev']);
      expect(change.waitingFor.sort()).toEqual(['ana', 'dev', 'kim', 'lee']);
      expect(change.needsDiscussion).toEqual(['Weekly risk review']);
    });

    it('says why each approval is needed, naming the rule that added it', async () => {
      const normal = await submittedChange(t, 'priya', {
        services: ['payments', 'website'],
        answers: completeAnswers({ risk: 'high' }),
      });
      expect(normal.requirements.map((r: { reason: string }) => r.reason)).toEqual([
        'touches Payments API',
        'touches Marketing website',
        'risk is high',
      ]);
      const emergency = await submittedChange(t, 'priya', { type: 'emergency' });
      expect(emergency.requirements.map((r: { reason: string }) => r.reason)).toEqual([
        'Emergency (ECAB) changes need it, from different people',
        'Emergency (ECAB) changes need it, from different people',
        'Emergency (ECAB) changes need it, from different people',
      ]);
      // The board's cards say it too.
      const board = await t.call('priya', 'GET', '/changes?limit=200');
      const card = board.body.items.find((c: { id: string }) => c.id === normal.id);
      expect(card.requirements.map((r: { reason: string }) => r.reason)).toEqual([
        'touches Payments API',
        'touches Marketing website',
        'risk is high',
      ]);
    });

    it('gives a change stored before reasons were recorded the reasons of the policy now', async () => {
      const change = await submittedChange(t, 'priya', {
        answers: completeAnswers({ risk: 'high' }),
      });
      const raw = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
      const row = raw.db.selectFrom('changes').where('id', '=', change.number);
      const { requirements } = await row.select('requirements').executeTakeFirstOrThrow();
      const withoutReasons = (JSON.parse(requirements) as { reason?: string }[]).map(
        ({ reason: _, ...spec }) => spec,
      );
      try {
        await raw.db
          .updateTable('changes')
          .set({ requirements: JSON.stringify(withoutReasons) })
          .where('id', '=', change.number)
          .execute();
        const shown = await t.call('priya', 'GET', `/changes/${change.id}`);
        expect(shown.body.requirements.map((r: { reason: string }) => r.reason)).toEqual([
          'touches Payments API',
          'risk is high',
        ]);
      } finally {
        // As it was: the audit at the end holds the stored requirements to the events'.
        await raw.db
          .updateTable('changes')
          .set({ requirements })
          .where('id', '=', change.number)
          .execute();
        await raw.db.destroy();
      }
    });

    it('approves a standard change on submit', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      expect(change.state).toBe('approved');
      expect(change.requirements).toEqual([]);
      const events = await t.call('priya', 'GET', `/changes/${change.id}/events`);
      expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
        'created',
        'submitted',
        'approved',
      ]);
    });

    it('refuses missing answers with 422, listing each, and leaves the draft alone', async () => {
      const created = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({ answers: { tested: true } }),
      );
      const res = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('answers_incomplete');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
        'answers.testResults',
        'answers.consequenceOfNotReleasing',
        'answers.rollbackPlan',
        'answers.risk',
      ]);
      const after = await t.call('priya', 'GET', `/changes/${created.body.id}`);
      expect(after.body).toMatchObject({ state: 'draft', version: 1 });
    });

    it('refuses a submit nobody but the requester could approve, naming the group', async () => {
      // tom is the only member of security: his emergency change can never get a security approval.
      const created = await t.call('tom', 'POST', '/changes', buildChange({ type: 'emergency' }));
      const res = await t.call('tom', 'POST', `/changes/${created.body.id}/submit`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('unsatisfiable_requirement');
      expect(res.body.error.message).toContain('"security"');
    });

    it('is for the requester only, and only once', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange());
      expect((await t.call('lee', 'POST', `/changes/${created.body.id}/submit`)).status).toBe(403);
      expect((await t.call('priya', 'POST', `/changes/${created.body.id}/submit`)).status).toBe(
        200,
      );
      const again = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('invalid_state');
    });
  });

  describe('approve and reject', () => {
    it('approves exactly when every requirement is met', async () => {
      const change = await submittedChange(t, 'priya', {
        answers: completeAnswers({ risk: 'high' }),
      });
      const first = await t.call('lee', 'POST', `/changes/${change.id}/approve`, {
        comment: 'Looks right',
      });
      expect(first.status).toBe(200);
      expect(first.body.state).toBe('pending');
      expect(first.body.requirements[0]).toMatchObject({
        met: true,
        approvedBy: ['lee'],
        canApprove: [],
      });
      expect(first.body.waitingFor).toEqual(['kim']);
      const second = await t.call('kim', 'POST', `/changes/${change.id}/approve`);
      expect(second.body.state).toBe('approved');
      expect(second.body.decisions.map((d: { person: string }) => d.person)).toEqual([
        'lee',
        'kim',
      ]);
    });

    it('never lets the requester approve their own change', async () => {
      const change = await submittedChange(t, 'lee');
      const res = await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('self_approval');
      // priya, the other payments owner, can.
      expect((await t.call('priya', 'POST', `/changes/${change.id}/approve`)).body.state).toBe(
        'approved',
      );
    });

    it('gives 403 with a reason to someone outside every open requirement', async () => {
      const change = await submittedChange(t, 'priya');
      const res = await t.call('tom', 'POST', `/changes/${change.id}/approve`);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('payments-owners');
      const admin = await t.call('dev', 'POST', `/changes/${change.id}/approve`);
      expect(admin.status).toBe(403);
    });

    it('does not let one person decide twice', async () => {
      const change = await submittedChange(t, 'priya', {
        answers: completeAnswers({ risk: 'high' }),
      });
      await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      const again = await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('already_decided');
    });

    it('needs a comment to reject, and one rejection rejects', async () => {
      const change = await submittedChange(t, 'priya');
      const bare = await t.call('lee', 'POST', `/changes/${change.id}/reject`);
      expect(bare.status).toBe(400);
      expect(bare.body.error.details).toEqual([
        { path: 'comment', message: 'is required to reject' },
      ]);
      const res = await t.call('lee', 'POST', `/changes/${change.id}/reject`, {
        comment: 'No rollback tested',
      });
      expect(res.body.state).toBe('rejected');
      expect((await t.call('kim', 'POST', `/changes/${change.id}/approve`)).status).toBe(409);
    });

    it('counts each emergency approver once (distinctApprovers)', async () => {
      const change = await submittedChange(t, 'priya', { type: 'emergency' });
      expect(change.requirements.map((r: { from: string }) => r.from)).toEqual([
        'on-call-leads',
        'security',
        'cto',
      ]);
      await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      await t.call('tom', 'POST', `/changes/${change.id}/approve`);
      const last = await t.call('sam', 'POST', `/changes/${change.id}/approve`);
      expect(last.body.state).toBe('approved');
      expect(last.body.requirements.map((r: { approvedBy: string[] }) => r.approvedBy)).toEqual([
        ['lee'],
        ['tom'],
        ['sam'],
      ]);
    });

    it('refuses a decision based on a stale version', async () => {
      const change = await submittedChange(t, 'priya');
      const res = await t.call('lee', 'POST', `/changes/${change.id}/approve`, {
        version: change.version - 1,
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('stale_version');
    });
  });

  describe('PATCH /changes/{id}', () => {
    it('edits a draft, merging answers and removing those set to null', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange());
      const res = await t.call('priya', 'PATCH', `/changes/${created.body.id}`, {
        version: 1,
        title: 'Raise payment retry limit to 5',
        answers: { risk: 'medium', testResults: null },
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(2);
      expect(res.body.title).toBe('Raise payment retry limit to 5');
      expect(res.body.answers.risk).toBe('medium');
      expect(res.body.answers).not.toHaveProperty('testResults');
      const events = await t.call('priya', 'GET', `/changes/${created.body.id}/events`);
      expect(events.body.items.at(-1)).toMatchObject({
        type: 'edited',
        data: {
          changes: {
            title: { from: 'Raise payment retry limit', to: 'Raise payment retry limit to 5' },
            'answers.risk': { from: 'low', to: 'medium' },
          },
        },
      });
    });

    it('refuses a stale edit with 409 and keeps the newer one', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange());
      await t.call('priya', 'PATCH', `/changes/${created.body.id}`, {
        version: 1,
        title: 'First edit',
      });
      const stale = await t.call('priya', 'PATCH', `/changes/${created.body.id}`, {
        version: 1,
        title: 'Stale edit',
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe('stale_version');
      expect((await t.call('priya', 'GET', `/changes/${created.body.id}`)).body.title).toBe(
        'First edit',
      );
    });

    it('re-computes requirements of a pending change and withdraws its approvals', async () => {
      const change = await submittedChange(t, 'priya', {
        answers: completeAnswers({ risk: 'high' }),
      });
      const approved = await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      const res = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
        version: approved.body.version,
        services: ['payments', 'website'],
      });
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('pending');
      expect(res.body.decisions).toEqual([]);
      expect(
        res.body.requirements.map((r: { from: string; met: boolean }) => [r.from, r.met]),
      ).toEqual([
        ['payments-owners', false],
        ['web-owners', false],
        ['change-managers', false],
      ]);
      const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
      expect(events.at(-1)).toMatchObject({
        type: 'approvals-withdrawn',
        data: { withdrawn: ['lee'], reason: 'edited: services' },
      });
      // lee may approve the new version.
      expect((await t.call('lee', 'POST', `/changes/${change.id}/approve`)).status).toBe(200);
    });

    it("checks a pending change's answers stay complete", async () => {
      const change = await submittedChange(t, 'priya');
      const res = await t.call('priya', 'PATCH', `/changes/${change.id}`, {
        version: change.version,
        answers: { rollbackPlan: null },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([
        { path: 'answers.rollbackPlan', message: 'needs an answer' },
      ]);
    });

    it('is for the requester, on drafts and pending changes only', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange());
      expect(
        (await t.call('lee', 'PATCH', `/changes/${created.body.id}`, { version: 1, title: 'x' }))
          .status,
      ).toBe(403);
      const standard = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      const res = await t.call('priya', 'PATCH', `/changes/${standard.id}`, {
        version: standard.version,
        title: 'x',
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('invalid_state');
    });

    it('needs the version it is based on', async () => {
      const created = await t.call('priya', 'POST', '/changes', buildChange());
      const res = await t.call('priya', 'PATCH', `/changes/${created.body.id}`, { title: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'version', message: 'is required' }]);
    });
  });

  describe('lifecycle', () => {
    it('runs approved → in_progress → completed → verified', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      expect((await t.call('priya', 'POST', `/changes/${change.id}/start`)).body.state).toBe(
        'in_progress',
      );
      expect(
        (await t.call('priya', 'POST', `/changes/${change.id}/complete`, { comment: 'Deployed' }))
          .body.state,
      ).toBe('completed');
      expect((await t.call('lee', 'POST', `/changes/${change.id}/verify`)).status).toBe(403);
      expect((await t.call('priya', 'POST', `/changes/${change.id}/verify`)).body.state).toBe(
        'verified',
      );
      const types = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items.map(
        (e: { type: string }) => e.type,
      );
      expect(types).toEqual([
        'created',
        'submitted',
        'approved',
        'started',
        'completed',
        'verified',
      ]);
    });

    it('lets an approver verify, and records a failure', async () => {
      const change = await submittedChange(t, 'priya');
      await t.call('lee', 'POST', `/changes/${change.id}/approve`);
      await t.call('priya', 'POST', `/changes/${change.id}/start`);
      expect(
        (await t.call('priya', 'POST', `/changes/${change.id}/fail`, { comment: 'Rolled back' }))
          .body.state,
      ).toBe('failed');
      const other = await submittedChange(t, 'priya');
      await t.call('lee', 'POST', `/changes/${other.id}/approve`);
      await t.call('priya', 'POST', `/changes/${other.id}/start`);
      await t.call('priya', 'POST', `/changes/${other.id}/complete`);
      expect((await t.call('lee', 'POST', `/changes/${other.id}/verify`)).body.state).toBe(
        'verified',
      );
    });

    it('refuses to start before approval', async () => {
      const change = await submittedChange(t, 'priya');
      const res = await t.call('priya', 'POST', `/changes/${change.id}/start`);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('approved');
    });

    it('refuses to start inside a freeze that does not allow the type', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      t.clock.set('2026-12-24T12:00:00Z');
      try {
        const res = await t.call('priya', 'POST', `/changes/${change.id}/start`);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('change_frozen');
        expect(res.body.error.message).toContain('Year-end freeze');
        expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('approved');
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });

    it('refuses to start inside an occurrence of a recurring freeze, and says when it ends', async () => {
      const change = await submittedChange(t, 'priya');
      expect((await t.call('lee', 'POST', `/changes/${change.id}/approve`)).body.state).toBe(
        'approved',
      );
      const standard = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      t.clock.set('2026-11-06T16:00:00Z'); // the example's Friday afternoons: from 15:00 London
      try {
        const res = await t.call('priya', 'POST', `/changes/${change.id}/start`);
        expect(res.status).toBe(422);
        expect(res.body.error).toMatchObject({
          code: 'change_frozen',
          message:
            '"Friday afternoons" is in force until 2026-11-07T00:00:00.000Z; only emergency, standard changes may start',
        });
        expect((await t.call('priya', 'GET', `/changes/${change.id}`)).body.state).toBe('approved');
        // It allows standard changes.
        expect((await t.call('priya', 'POST', `/changes/${standard.id}/start`)).status).toBe(200);
        // From midnight London the normal change may start.
        t.clock.set('2026-11-07T00:00:00Z');
        expect((await t.call('priya', 'POST', `/changes/${change.id}/start`)).body.state).toBe(
          'in_progress',
        );
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });

    it('lets an emergency change start inside the freeze', async () => {
      const change = await submittedChange(t, 'priya', { type: 'emergency' });
      for (const approver of ['lee', 'tom', 'sam'])
        await t.call(approver, 'POST', `/changes/${change.id}/approve`);
      t.clock.set('2026-12-24T12:00:00Z');
      try {
        expect((await t.call('priya', 'POST', `/changes/${change.id}/start`)).body.state).toBe(
          'in_progress',
        );
      } finally {
        t.clock.set('2026-11-02T10:00:00Z');
      }
    });

    it('warns when the planned window overlaps a freeze', async () => {
      const res = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({ plannedStart: '2026-12-20T10:00:00Z', plannedEnd: '2026-12-20T11:00:00Z' }),
      );
      expect(res.body.freezeWarnings).toEqual([
        {
          name: 'Year-end freeze',
          from: '2026-12-19T00:00:00.000Z',
          to: '2027-01-04T00:00:00.000Z',
        },
      ]);
    });

    it('lets the requester or an admin withdraw, nobody else', async () => {
      const change = await submittedChange(t, 'priya');
      expect((await t.call('lee', 'POST', `/changes/${change.id}/withdraw`)).status).toBe(403);
      expect(
        (
          await t.call('dev', 'POST', `/changes/${change.id}/withdraw`, {
            comment: 'Duplicate of another',
          })
        ).body.state,
      ).toBe('withdrawn');
      const res = await t.call('priya', 'POST', `/changes/${change.id}/withdraw`);
      expect(res.status).toBe(409);
    });

    it('gives only the requester start, complete and fail', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      expect((await t.call('lee', 'POST', `/changes/${change.id}/start`)).status).toBe(403);
    });

    it('rejects unknown fields in an action body', async () => {
      const change = await submittedChange(t, 'priya', {
        type: 'standard',
        template: 'rotate-tls-cert',
      });
      const res = await t.call('priya', 'POST', `/changes/${change.id}/start`, { force: true });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { path: 'force', message: 'is not a known setting here' },
      ]);
    });
  });

  describe('comments and the timeline', () => {
    it('lets anyone comment and shows it on the timeline', async () => {
      const change = await submittedChange(t, 'priya');
      const res = await t.call('tom', 'POST', `/changes/${change.id}/comments`, {
        body: 'Is the new limit documented?',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        type: 'commented',
        actor: 'tom',
        data: { body: 'Is the new limit documented?' },
      });
      const events = (await t.call('priya', 'GET', `/changes/${change.id}/events`)).body.items;
      expect(events.at(-1).hash).toBe(res.body.hash);
      expect(events.every((e: { policyHash: string }) => e.policyHash === t.ctx.policy.hash)).toBe(
        true,
      );
    });

    it('refuses an empty comment and a comment on an unknown change', async () => {
      const change = await submittedChange(t, 'priya');
      expect(
        (await t.call('tom', 'POST', `/changes/${change.id}/comments`, { body: '   ' })).status,
      ).toBe(400);
      expect(
        (await t.call('tom', 'POST', '/changes/CHG-999999/comments', { body: 'hi' })).status,
      ).toBe(404);
      expect((await t.call('tom', 'GET', '/changes/CHG-999999/events')).status).toBe(404);
    });
  });

  describe('GET /policy', () => {
    it('describes the policy for the UI', async () => {
      const res = await t.call('priya', 'GET', '/policy');
      expect(res.status).toBe(200);
      expect(res.body.organization).toBe('Example Corp');
      expect(res.body.fields.find((f: { id: string }) => f.id === 'testResults')).toEqual({
        id: 'testResults',
        label: 'Where are the test results?',
        type: 'url',
        required: false,
        requiredWhen: { tested: true },
      });
      expect(res.body.changeTypes.map((c: { id: string }) => c.id)).toEqual([
        'standard',
        'normal',
        'emergency',
      ]);
      expect((await t.call(null, 'GET', '/policy')).status).toBe(401);
    });
  });

  describe('unknown routes', () => {
    it('404s with the error shape', async () => {
      const res = await t.call('priya', 'GET', '/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });
});
