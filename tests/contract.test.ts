import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/domain/errors.js';
import { ChangeCardList, ChangeList } from '../src/http/contract/index.js';
import { ERROR_STATUS } from '../src/http/error-status.js';
import { createAjv } from '../src/shared/ajv.js';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { sqlite } from './_util/databases.js';

describe('docs/errors.md', () => {
  it('describes every error code with the status the API uses, and nothing else', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(rows).toEqual(ERROR_CODES.map((code) => [code, ERROR_STATUS[code]]));
  });
});

describe('the OpenAPI document', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let spec: any;
  beforeAll(async () => {
    t = await startTestApp(sqlite);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    spec = res.json();
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes every route of the contract', () => {
    const routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/policy',
        'POST /api/v1/changes',
        'GET /api/v1/changes',
        'GET /api/v1/changes/{id}',
        'PATCH /api/v1/changes/{id}',
        ...['submit', 'approve', 'reject', 'withdraw', 'start', 'complete', 'fail', 'verify'].map(
          (a) => `POST /api/v1/changes/{id}/${a}`,
        ),
        'POST /api/v1/changes/{id}/comments',
        'GET /api/v1/changes/{id}/events',
        'POST /api/v1/changes/{id}/claim',
        'POST /api/v1/integrations/github/webhook',
        'GET /api/v1/integrations/github/deliveries',
        'GET /api/v1/gate',
      ]),
    );
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('holds the board’s fast path (pages spliced from kept JSON) to the declared schemas', async () => {
    const ajv = createAjv({ strict: false });
    const full = ajv.compile(ChangeList);
    const cards = ajv.compile(ChangeCardList);
    await t.call('priya', 'POST', '/changes', buildChange({ title: 'A draft' }));
    const pending = await submittedChange(t, 'priya');
    await t.call('lee', 'POST', `/changes/${pending.id}/approve`, {});
    await submittedChange(t, 'ana', { services: ['website'] });
    for (const person of ['kim', 'lee', 'priya']) {
      for (const [query, validate] of [
        ['/changes?limit=2', full],
        ['/changes?view=card&limit=2', cards],
        ['/changes?awaiting=me', full],
        ['/changes?view=card&state=pending,approved', cards],
      ] as const) {
        const page = await t.call(person, 'GET', query);
        expect(page.status).toBe(200);
        expect(validate(page.body), `${query}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        if (page.body.nextCursor) {
          const next = await t.call(person, 'GET', `${query}&cursor=${page.body.nextCursor}`);
          expect(validate(next.body), ajv.errorsText(validate.errors)).toBe(true);
        }
      }
    }
  });

  it('describes what the API really answers (responses validated against the published schemas)', async () => {
    const ajv = createAjv({ strict: false });
    const check = (path: string, method: string, status: number, body: unknown) => {
      const schema =
        spec.paths[path][method].responses[String(status)].content['application/json'].schema;
      const validate = ajv.compile(schema);
      expect(
        validate(body),
        `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true);
    };
    const created = await t.call('priya', 'POST', '/changes', buildChange());
    check('/api/v1/changes', 'post', 201, created.body);
    const invalid = await t.call('priya', 'POST', '/changes', { title: '' });
    check('/api/v1/changes', 'post', 400, invalid.body);
    const change = await submittedChange(t, 'priya');
    check('/api/v1/changes/{id}/submit', 'post', 200, change);
    const approved = await t.call('lee', 'POST', `/changes/${change.id}/approve`, {
      comment: 'ok',
    });
    check('/api/v1/changes/{id}/approve', 'post', 200, approved.body);
    check('/api/v1/changes', 'get', 200, (await t.call('kim', 'GET', '/changes')).body);
    check(
      '/api/v1/changes/{id}/events',
      'get',
      200,
      (await t.call('kim', 'GET', `/changes/${change.id}/events`)).body,
    );
    check('/api/v1/policy', 'get', 200, (await t.call('kim', 'GET', '/policy')).body);
    check(
      '/api/v1/gate',
      'get',
      200,
      (await t.call('kim', 'GET', `/gate?change=${change.id}`)).body,
    );
    check(
      '/api/v1/gate',
      'get',
      200,
      (await t.call('kim', 'GET', `/gate?repo=a/b&sha=${'0'.repeat(40)}`)).body,
    );
    check(
      '/api/v1/integrations/github/deliveries',
      'get',
      200,
      (await t.call('kim', 'GET', '/integrations/github/deliveries')).body,
    );
    check(
      '/api/v1/integrations/github/webhook',
      'post',
      503,
      (await t.call(null, 'POST', '/integrations/github/webhook', '{}')).body,
    );
    check(
      '/api/v1/changes/{id}',
      'get',
      404,
      (await t.call('kim', 'GET', '/changes/CHG-424242')).body,
    );
  });
});
