import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { verifyAuditTrail } from '../../src/app/audit.js';
import { createApiToken } from '../../src/app/tokens.js';
import { parsePolicy } from '../../src/policy/load.js';
import { BUNDLED_POLICY, readConfig } from '../../src/config/config.js';
import { createContext, type AppContext, type ContextOverrides } from '../../src/context.js';
import { buildServer, type ServerOptions } from '../../src/http/server.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { DatabaseKind, TestDatabase } from './databases.js';

export const EXAMPLE_POLICY = readFileSync(BUNDLED_POLICY, 'utf8');
export const EXAMPLE_PEOPLE = ['sam', 'priya', 'lee', 'ana', 'tom', 'kim', 'dev'] as const;
export type ExamplePerson = (typeof EXAMPLE_PEOPLE)[number];

export interface TestApp {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly database: TestDatabase;
  readonly databaseUrl: string;
  readonly policyFile: string;
  /** One API token per person in the policy. */
  readonly tokens: Readonly<Record<string, string>>;
  /** An in-process request as `person` (or unauthenticated with `null`). */
  call(
    person: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  /** Starts listening on 127.0.0.1 (on `port`, or any free one) for tests that need real sockets (races, the CLI, browsers). */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  // Test code reads whatever the API answered.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface TestAppOptions {
  readonly policy?: string;
  readonly clock?: ManualClock;
  readonly env?: Record<string, string>;
  readonly context?: Omit<ContextOverrides, 'clock'>;
  /** Server options; the web app is not served unless `webRoot` says where it is. */
  readonly server?: ServerOptions;
  /** false for tests that tamper with the database on purpose. */
  readonly auditOnClose?: boolean;
  /** Demo mode, as when no policy file is found: the example's shortcuts and, without SMTP_URL, the demo inbox. */
  readonly demo?: boolean;
}

function storedPolicy(source: string) {
  const result = parsePolicy(source);
  return result.ok ? result.policy : undefined;
}

export async function startTestApp(
  kind: DatabaseKind,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = await kind.create();
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-policy-'));
  const policyFile = join(dir, 'changeboard.yaml');
  writeFileSync(policyFile, options.policy ?? EXAMPLE_POLICY);
  const result = readConfig({
    DATABASE_URL: database.url,
    CHANGEBOARD_CONFIG: policyFile,
    PUBLIC_URL: 'http://changeboard.test',
    ...options.env,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const clock = options.clock ?? new ManualClock('2026-11-02T10:00:00Z');
  const config = options.demo ? { ...result.config, demo: true } : result.config;
  const ctx = await createContext(config, { clock, ...options.context });
  const app = await buildServer(ctx, { webRoot: false, ...options.server });
  const tokens: Record<string, string> = {};
  for (const person of [...ctx.policy.people.values()]
    .filter((p) => !p.external)
    .map((p) => p.id)) {
    tokens[person] = (
      await createApiToken({ policy: ctx.policy, clock, store: ctx.store }, person)
    ).token;
  }
  return {
    ctx,
    app,
    clock,
    database,
    databaseUrl: database.url,
    policyFile,
    tokens,
    async call(person, method, path, body, extraHeaders = {}) {
      const headers: Record<string, string> = {
        ...(person ? { authorization: `Bearer ${tokens[person]}` } : {}),
        ...extraHeaders,
      };
      if (typeof body === 'string') headers['content-type'] ??= 'application/json';
      const response = await app.inject({
        method: method as 'GET',
        url: `/api/v1${path}`,
        headers,
        ...(body === undefined ? {} : { payload: body as string | object }),
      });
      return {
        status: response.statusCode,
        body: response.body ? (JSON.parse(response.body) as unknown) : undefined,
      };
    },
    async listen(port = 0) {
      await app.listen({ host: '127.0.0.1', port });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('no address');
      return `http://127.0.0.1:${address.port}`;
    },
    async close() {
      await app.close();
      // Whatever a test did through the product, its stored data must agree with its history.
      const verdict =
        options.auditOnClose === false
          ? undefined
          : await verifyAuditTrail(ctx.store.read, { parsePolicy: storedPolicy });
      await ctx.close();
      await database.drop();
      if (verdict && !verdict.ok)
        throw new Error(`audit verify failed after the test: ${JSON.stringify(verdict, null, 2)}`);
    },
  };
}

/** A complete, valid set of answers for the example policy. */
export function completeAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tested: true,
    testResults: 'https://ci.example.com/run/9',
    consequenceOfNotReleasing: 'Retries keep failing for card payments',
    rollbackPlan: 'Revert the config change',
    risk: 'low',
    ...overrides,
  };
}

/** `buildChange(overrides)`: a create body for the example policy. */
export function buildChange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Raise payment retry limit',
    description: 'Raise the **retry limit** from 3 to 5.',
    type: 'normal',
    services: ['payments'],
    answers: completeAnswers(),
    plannedStart: '2026-12-01T10:00:00Z',
    plannedEnd: '2026-12-01T10:30:00Z',
    links: [{ title: 'PR #812', url: 'https://github.com/example-corp/payments-api/pull/812' }],
    ...overrides,
  };
}

/** Creates and submits a change as `requester`; returns its JSON. */
export async function submittedChange(
  t: TestApp,
  requester: string,
  overrides: Record<string, unknown> = {},
) {
  const created = await t.call(requester, 'POST', '/changes', buildChange(overrides));
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const submitted = await t.call(requester, 'POST', `/changes/${created.body.id}/submit`);
  if (submitted.status !== 200) throw new Error(`submit failed: ${JSON.stringify(submitted.body)}`);
  return submitted.body;
}
