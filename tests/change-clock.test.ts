import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeClockView } from '../src/http/contract/index.js';
import { createAjv } from '../src/shared/ajv.js';
import { buildChange, startTestApp, type TestApp } from './_util/app.js';
import { runCli } from './_util/cli.js';
import { databaseKinds } from './_util/databases.js';

const MINUTE = 60_000;

describe.each(databaseKinds)("the seed's clock on $name", { timeout: 60_000 }, (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('times an emergency from created to verified, and the request to each approval', async () => {
    const start = t.clock.now().getTime();
    const at = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
    const created = await t.call('priya', 'POST', '/changes', buildChange({ type: 'emergency' }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const step = async (minutes: number, person: string, action: string) => {
      t.clock.set(at(minutes));
      const res = await t.call(person, 'POST', `/changes/${id}/${action}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };

    await step(1, 'priya', 'submit');
    const pending = await t.call('priya', 'GET', `/changes/${id}/clock`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      createdAt: at(0),
      submittedAt: at(1),
      requestedAt: at(1),
      approvedAt: null,
      endedAt: null,
      totalMs: null,
      approvals: [],
    });

    await step(5, 'ana', 'approve');
    await step(10, 'tom', 'approve');
    expect((await step(13, 'sam', 'approve')).state).toBe('approved');
    await step(14, 'priya', 'start');
    await step(20, 'priya', 'complete');
    // Every emergency is reviewed before it is verified.
    t.clock.set(at(25));
    const reviewed = await t.call('priya', 'POST', `/changes/${id}/review`, {
      answers: { whatHappened: 'Checkout timed out; the on-call alert paged Ana' },
    });
    expect(reviewed.status).toBe(201);
    await step(27, 'priya', 'verify');

    const res = await t.call('lee', 'GET', `/changes/${id}/clock`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      createdAt: at(0),
      submittedAt: at(1),
      requestedAt: at(1),
      approvedAt: at(13),
      startedAt: at(14),
      completedAt: at(20),
      verifiedAt: at(27),
      endedAt: at(27),
      endState: 'verified',
      totalMs: 27 * MINUTE,
      submittedToEndMs: 26 * MINUTE,
      approvals: [
        { group: 'on-call-leads', person: 'ana', at: at(5), afterRequestMs: 4 * MINUTE },
        { group: 'security', person: 'tom', at: at(10), afterRequestMs: 9 * MINUTE },
        { group: 'cto', person: 'sam', at: at(13), afterRequestMs: 12 * MINUTE },
      ],
      approvedAfterMs: 12 * MINUTE,
      startedAfterRequestMs: 13 * MINUTE,
    });
    const shown = await runCli(['change', 'show', id], {
      CHANGEBOARD_URL: await t.listen(),
      CHANGEBOARD_TOKEN: t.tokens.priya!,
    });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(
      '  clock:     created → verified in 27m (26m from submission); on-call-leads approved after 4m, security after 9m, cto after 12m; approved 12m after the request; started 13m after the request\n',
    );

    const validate = createAjv({ strict: false }).compile(ChangeClockView);
    expect(validate(res.body)).toBe(true);
    expect(validate(pending.body)).toBe(true);
    t.clock.set(at(0));
  });

  it('is published in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(Object.keys(res.json().paths['/api/v1/changes/{id}/clock'])).toEqual(['get']);
  });

  it('answers 404 for a change that does not exist', async () => {
    const res = await t.call('priya', 'GET', '/changes/CHG-99999/clock');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
