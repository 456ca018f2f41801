import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChange,
  EXAMPLE_PEOPLE,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { SAME_ORIGIN } from './_util/web.js';

/**
 * Hostile input against every route of the OpenAPI document: whatever arrives,
 * the answer is never a 5xx, and the history stays whole (TestApp.close runs
 * `audit verify`). Bounded: a fixed number of requests per database, seeded, so
 * a failure can be replayed (`FUZZ_SEED`).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const NASTY_STRINGS = [
  '',
  ' ',
  '\ud800',
  'half \udfff a',
  '😀'.slice(0, 1),
  'nul\u0000byte',
  '\u0000',
  'pay \u202Egnp.exe',
  '\u2066isolate\u2069',
  '\u001b[31mred',
  '2026-12-31T23:59:60Z',
  '2026-02-30T10:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999+14:00',
  'CHG-2147483648',
  'CHG-0',
  'chg-99999999999999999999',
  '-1',
  '1e309',
  'NaN',
  "'; drop table changes; --",
  '" or 1=1 --',
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '[Approve](https://evil.example)',
  '<!channel>',
  'risk:high,risk:',
  ':',
  ',,,',
  'me',
  'x'.repeat(5000),
  'a'.repeat(70_000),
  'payments',
  'normal',
  'priya',
  'standard',
];

/** What broke Changeboard before: each must keep answering 4xx wherever it lands. */
const KNOWN_BREAKERS: unknown[] = [
  '\ud800',
  'half \udfff a',
  'nul\u0000byte',
  'pay \u202Egnp.exe',
  '2026-12-31T23:59:60Z',
  'CHG-2147483648',
  2 ** 31,
  2 ** 53,
];

/** Raw path and query bytes that are not UTF-8 at all. */
const RAW_ESCAPES = ['%ED%A0%80', '%FF%FE', '%C0%AF', '%00', '%E2%80%AE', '%', '%zz'];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })
      .map((codes) => String.fromCharCode(...codes)),
  },
);

const nastyNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -(2 ** 53), 1e308, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const { value: nastyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Nesting deeper than any schema goes (or JSON.stringify could write): arrays in arrays, as text. */
const deepJson = fc
  .integer({ min: 50, max: 20_000 })
  .map((depth) => `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`);

/** The live event stream never ends by itself: it has its own tests. */
const ENDLESS = new Set(['GET /api/v1/events/stream']);

/** Every byte percent-encoded, as a client sends it (a lone surrogate as UTF-8's replacement). */
function percentEncode(text: string): string {
  return [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** Bodies a route accepts, so that one hostile value gets past the rest of the checks. */
const TEMPLATES: Record<string, () => Record<string, unknown>> = {
  'POST /api/v1/changes': () => buildChange(),
  'PATCH /api/v1/changes/{id}': () => ({ version: 1, title: 'Edited', answers: { risk: 'high' } }),
  'POST /api/v1/changes/{id}/comments': () => ({ body: 'A comment' }),
  'POST /api/v1/changes/{id}/approve': () => ({ comment: 'Fine' }),
  'POST /api/v1/changes/{id}/reject': () => ({ comment: 'Not now' }),
  'POST /api/v1/auth/email': () => ({ email: 'priya@example.com' }),
};

/** Where a value can be put in `template`: the path to each of its leaves. */
function leavesOf(template: Record<string, unknown>): (string | number)[][] {
  const leaves: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node))
        walk(child, [...path, Array.isArray(node) ? Number(key) : key]);
      if (Object.keys(node).length === 0) leaves.push(path);
    } else leaves.push(path);
  };
  walk(template, []);
  return leaves;
}

/** `template` with the value at one of its leaves (chosen by `pick`) replaced by `value`. */
function mutate(template: Record<string, unknown>, pick: number, value: unknown): unknown {
  const leaves = leavesOf(template);
  const path = leaves[pick % leaves.length]!;
  const copy = structuredClone(template) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly body: readonly string[];
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: {
          content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
        };
      }
    >
  >;
}

function routesOf(spec: OpenApi): Route[] {
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      body: Object.keys(
        operation.requestBody?.content?.['application/json']?.schema?.properties ?? {},
      ),
    })),
  );
}

describe.each(databaseKinds)('fuzzing every route on $name', (kind) => {
  let t: TestApp;
  let routes: Route[];
  let existing: string[];

  beforeAll(async () => {
    t = await startTestApp(kind, {
      env: {
        GITHUB_WEBHOOK_SECRET: 'fuzz-secret',
        // Set up, so the fuzzed requests reach the signature check (unset: 503, "not set up here").
        SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
        // The Teams bot too, its keys and tokens at a closed local port: nothing leaves the machine.
        TEAMS_APP_ID: '00000000-0000-4000-8000-000000000001',
        TEAMS_APP_PASSWORD: 'fuzz-password',
        TEAMS_TENANT_ID: '00000000-0000-4000-8000-000000000002',
        TEAMS_AUTHORITY: 'http://127.0.0.1:9',
        TEAMS_TOKEN_URL: 'http://127.0.0.1:9/token',
      },
    });
    const spec = (
      await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    ).json<OpenApi>();
    routes = routesOf(spec).filter((route) => !ENDLESS.has(`${route.method} ${route.path}`));
    // Something to act on: a draft, a pending change and an approved one.
    const draft = await t.call('priya', 'POST', '/changes', buildChange());
    const pending = await submittedChange(t, 'priya');
    const approved = await submittedChange(t, 'ana', { services: ['website'] });
    await t.call('dev', 'POST', `/changes/${approved.id}/approve`, {});
    existing = [draft.body.id, pending.id, approved.id];
  }, 60_000);
  afterAll(() => t.close());

  /** One request as a client sends it; a 5xx or a hang is recorded in `failures`. */
  async function send(
    method: string,
    url: string,
    who: string | null,
    payload: string | undefined,
    failures: string[],
  ): Promise<boolean> {
    const headers: Record<string, string> = { ...SAME_ORIGIN };
    if (who === 'forged') headers.authorization = 'Bearer cbt_forged';
    else if (who) headers.authorization = `Bearer ${t.tokens[who]}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await Promise.race([
      t.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined || method === 'GET' ? {} : { payload }),
      }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${method} ${url} hung`)), 10_000).unref(),
      ),
    ]);
    if (response.statusCode < 500) return true;
    failures.push(
      `${method} ${url} ${payload?.slice(0, 200) ?? ''} → ${response.statusCode} ${response.body.slice(0, 300)}`,
    );
    return false;
  }

  it('answers what broke it before with a 4xx, in every place of every body that takes one', async () => {
    const failures: string[] = [];
    for (const [route, template] of Object.entries(TEMPLATES)) {
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace('{id}', existing[1]!);
      for (let leaf = 0; leaf < leavesOf(template()).length; leaf++)
        for (const breaker of KNOWN_BREAKERS)
          await send(
            method,
            url,
            'lee',
            JSON.stringify(mutate(template(), leaf, breaker)),
            failures,
          );
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('answers every request with something other than a 5xx', async () => {
    const templated = routes.flatMap((route, index) =>
      TEMPLATES[`${route.method} ${route.path}`] ? [index] : [],
    );
    const pathValue = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...existing) },
      { weight: 2, arbitrary: nastyString },
    );
    const request = fc.record({
      route: fc.oneof(
        { weight: 1, arbitrary: fc.integer({ min: 0, max: routes.length - 1 }) },
        { weight: 1, arbitrary: fc.constantFrom(...templated) },
      ),
      pathValues: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
      query: fc.dictionary(fc.constantFrom('q', 'state', 'x'), nastyString, { maxKeys: 2 }),
      queryValues: fc.array(nastyString, { maxLength: 6 }),
      rawEscape: fc.option(fc.constantFrom(...RAW_ESCAPES), { nil: undefined }),
      body: fc.array(nastyValue, { maxLength: 8 }),
      leaf: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
        { weight: 1, arbitrary: nastyValue },
      ),
      pick: fc.nat(),
      deep: deepJson,
      bodyShape: fc.constantFrom('mutated', 'mutated', 'object', 'value', 'text', 'deep', 'none'),
      who: fc.constantFrom(...EXAMPLE_PEOPLE, null, 'forged'),
    });

    const failures: string[] = [];
    await fc
      .assert(
        fc.asyncProperty(request, (r) => {
          const route = routes[r.route]!;
          let index = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () =>
            percentEncode(r.pathValues[index++ % r.pathValues.length]!),
          );
          const query = new URLSearchParams(r.query);
          route.query.forEach((name, i) => {
            const value = r.queryValues[i];
            if (value !== undefined) query.set(name, value);
          });
          const raw =
            r.rawEscape === undefined ? '' : `${query.size > 0 ? '&' : '?'}q=${r.rawEscape}`;
          const url = `${path}${query.size > 0 ? `?${query.toString()}` : ''}${raw}`;
          const template = TEMPLATES[`${route.method} ${route.path}`];
          const named = Object.fromEntries(route.body.map((name, i) => [name, r.body[i]]));
          const payload = {
            mutated: template
              ? JSON.stringify(mutate(template(), r.pick, r.leaf))
              : JSON.stringify(named),
            object: JSON.stringify(named),
            value: JSON.stringify(r.body[0] ?? null),
            text: `{"broken": ${String(r.body.length)}`,
            deep: `{"${route.body[0] ?? 'x'}": ${r.deep}}`,
            none: undefined,
          }[r.bodyShape];
          return send(route.method, url, r.who, payload, failures);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
      )
      .catch((error: unknown) => {
        throw new Error(`${failures.join('\n')}\n${String(error).slice(0, 3000)}`);
      });
    expect(failures).toEqual([]);
  }, 180_000);
});
