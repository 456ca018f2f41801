import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../src/shared/ajv.js';
import { startTestApp, type TestApp } from './_util/app.js';
import { sqlite } from './_util/databases.js';
import { browserCall, SAME_ORIGIN, signIn } from './_util/web.js';

describe('the web routes in the OpenAPI document', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let spec: any;
  beforeAll(async () => {
    t = await startTestApp(sqlite);
    spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes sign-in, the session, live updates and the calendar', () => {
    const routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/auth/methods',
        'POST /api/v1/auth/email',
        'POST /api/v1/auth/email/verify',
        'GET /api/v1/auth/oidc/start',
        'GET /api/v1/session',
        'POST /api/v1/session/sign-out',
        'GET /api/v1/events/stream',
        'GET /api/v1/calendar.ics',
      ]),
    );
    expect(spec.components.securitySchemes.session).toEqual({
      type: 'apiKey',
      in: 'cookie',
      name: 'cb_session',
    });
    const list = spec.paths['/api/v1/changes'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(
      expect.arrayContaining(['awaiting', 'answer', 'plannedFrom', 'plannedTo']),
    );
  });

  it('describes what they really answer', async () => {
    const ajv = createAjv({ strict: false });
    const check = (path: string, method: string, status: number, body: unknown) => {
      const schema =
        spec.paths[path][method].responses[String(status)].content['application/json'].schema;
      const validate = ajv.compile(schema);
      expect(validate(body), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    check(
      '/api/v1/auth/methods',
      'get',
      200,
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' })).json(),
    );
    const requested = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      headers: SAME_ORIGIN,
      payload: { email: 'priya@example.com' },
    });
    check('/api/v1/auth/email', 'post', 202, requested.json());
    const session = await signIn(t, 'priya');
    check('/api/v1/session', 'get', 200, (await browserCall(t, session, 'GET', '/session')).body);
    check('/api/v1/session', 'get', 200, (await t.call('lee', 'GET', '/session')).body);
    const refused = await browserCall(t, session, 'POST', '/session/sign-out', {}, { csrf: null });
    check('/api/v1/session/sign-out', 'post', 403, refused.body);
  });
});
