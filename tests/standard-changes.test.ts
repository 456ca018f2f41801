import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { buildServer } from '../src/http/server.js';
import { parsePolicy } from '../src/policy/load.js';
import {
  buildChange,
  EXAMPLE_POLICY,
  startTestApp,
  type ApiResponse,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { TLS_TEMPLATE } from './_util/standard-changes.js';

/**
 * PRODUCT.md, "Standard change catalog": the example's one template,
 * rotate-tls-cert (website and payments, risk locked to low, for web-owners,
 * payments-owners and on-call-leads; accepted by Kim on 2026-10-02), is the
 * only way a `standard` change is pre-approved. Priya is in payments-owners;
 * Tom (security) may not use it.
 */

/** The example, with the template as it is after a later edit of the policy. */
const NARROWED = EXAMPLE_POLICY.replace(
  '    services: [website, payments]\n',
  '    services: [website]\n',
).replace('Re-deploy the previous certificate', 'Re-issue the previous certificate');
/** The example, without the template (the catalog is kept, and empty). */
const WITHDRAWN = EXAMPLE_POLICY.replace(/^standardChanges:\n(?: .*\n)*/m, 'standardChanges: []\n');

function versionIn(policy: string): string {
  const result = parsePolicy(policy);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy.standardChanges!.find((t) => t.id === TLS_TEMPLATE)?.version ?? '';
}

/** A second server on the same database, under another policy: the policy was edited and reloaded. */
async function restartWith(t: TestApp, policy: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'changeboard-policy-')), 'changeboard.yaml');
  writeFileSync(file, policy);
  const result = readConfig({
    DATABASE_URL: t.databaseUrl,
    CHANGEBOARD_CONFIG: file,
    PUBLIC_URL: 'http://changeboard.test',
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const ctx = await createContext(result.config, { clock: t.clock });
  const app = await buildServer(ctx, { webRoot: false });
  return {
    async call(person: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
      const response = await app.inject({
        method: method as 'GET',
        url: `/api/v1${path}`,
        headers: { authorization: `Bearer ${t.tokens[person]}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
    },
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

describe.each(databaseKinds)('the standard change catalog on $name', (kind) => {
  let t: TestApp;
  const version = versionIn(EXAMPLE_POLICY);
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (who: string, body: Record<string, unknown>) =>
    t.call(who, 'POST', '/changes', body);
  /** A rotation as the catalog has it: the requester adds only the title and the test results. */
  const rotation = (overrides: Record<string, unknown> = {}) => ({
    title: 'Rotate the payments certificate',
    type: 'standard',
    template: TLS_TEMPLATE,
    answers: { testResults: 'https://ci.example.com/run/12' },
    ...overrides,
  });
  const refusal = (res: ApiResponse) => ({
    status: res.status,
    code: res.body.error?.code as string,
    paths: (res.body.error?.details ?? []).map((d: { path: string }) => d.path) as string[],
  });

  it('GET /policy lists the catalog, each template with its version', async () => {
    const res = await t.call('priya', 'GET', '/policy');
    expect(res.status).toBe(200);
    expect(res.body.standardChanges).toEqual([
      {
        id: TLS_TEMPLATE,
        title: 'Rotate a TLS certificate before it expires',
        services: ['website', 'payments'],
        answers: {
          tested: true,
          consequenceOfNotReleasing: 'The certificate expires and the site goes down',
          rollbackPlan: 'Re-deploy the previous certificate',
          risk: 'low',
        },
        locked: ['risk'],
        requesters: ['web-owners', 'payments-owners', 'on-call-leads'],
        approvedBy: 'kim',
        approvedByName: 'Kim Park',
        approvedOn: '2026-10-02',
        version,
      },
    ]);
    expect(version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('creates from a template: its services and answers fill in what is not given', async () => {
    const created = await create('priya', rotation());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'draft',
      services: ['website', 'payments'],
      answers: {
        tested: true,
        testResults: 'https://ci.example.com/run/12',
        consequenceOfNotReleasing: 'The certificate expires and the site goes down',
        rollbackPlan: 'Re-deploy the previous certificate',
        risk: 'low',
      },
      template: {
        id: TLS_TEMPLATE,
        version,
        title: 'Rotate a TLS certificate before it expires',
        current: true,
      },
    });
    // What is given wins over the template, unless the template locks it.
    const own = await create(
      'priya',
      rotation({
        services: ['payments'],
        answers: { ...(buildChange().answers as object), rollbackPlan: 'Restore from the vault' },
      }),
    );
    expect(own.status).toBe(201);
    expect(own.body.services).toEqual(['payments']);
    expect(own.body.answers.rollbackPlan).toBe('Restore from the vault');
  });

  it('is approved on submit, the chain recording the template, its version and who accepted it', async () => {
    const created = await create('priya', rotation());
    const submitted = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({
      state: 'approved',
      requirements: [],
      template: { id: TLS_TEMPLATE, version, current: true },
    });
    const events = (await t.call('priya', 'GET', `/changes/${created.body.id}/events`)).body
      .items as { type: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual(['created', 'submitted', 'approved']);
    expect(events[0]!.data.template).toEqual({ id: TLS_TEMPLATE, version });
    expect(events[1]!.data.template).toEqual({
      id: TLS_TEMPLATE,
      version,
      title: 'Rotate a TLS certificate before it expires',
      approvedBy: 'kim',
      approvedOn: '2026-10-02',
    });
    expect(events[2]!.data.reason).toBe(
      `pre-approved as the standard change "Rotate a TLS certificate before it expires" (${TLS_TEMPLATE}, version ${version}), accepted by Kim Park on 2026-10-02`,
    );
  });

  it('422 standard_template_required: a standard change must name its template', async () => {
    const res = await create('priya', buildChange({ type: 'standard' }));
    expect(refusal(res)).toEqual({
      status: 422,
      code: 'standard_template_required',
      paths: ['template'],
    });
    expect(res.body.error.message).toContain('name its template (one of rotate-tls-cert)');
  });

  it('422 unknown_template, on create and on edit', async () => {
    const res = await create('priya', rotation({ template: 'rotate-tls' }));
    expect(refusal(res)).toEqual({ status: 422, code: 'unknown_template', paths: ['template'] });
    expect(res.body.error.details[0].message).toBe(
      'unknown standard change "rotate-tls"; the catalog has: rotate-tls-cert',
    );
    const draft = (await create('priya', rotation())).body;
    const edit = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
      version: draft.version,
      template: 'nope',
    });
    expect(refusal(edit)).toEqual({ status: 422, code: 'unknown_template', paths: ['template'] });
  });

  it('422 template_not_standard: a template on a type that needs approvals', async () => {
    const res = await create('priya', buildChange({ template: TLS_TEMPLATE }));
    expect(refusal(res)).toEqual({
      status: 422,
      code: 'template_not_standard',
      paths: ['template'],
    });
  });

  it('422 template_service_not_covered: each service outside the template, by its place', async () => {
    const res = await create('priya', rotation({ services: ['payments', 'edge'] }));
    expect(refusal(res)).toEqual({
      status: 422,
      code: 'template_service_not_covered',
      paths: ['services[1]'],
    });
    expect(res.body.error.details[0].message).toBe(
      '"edge" is not covered by the template "Rotate a TLS certificate before it expires", which covers: website, payments',
    );
  });

  it('422 template_answer_locked: a locked answer changed, on create and on edit', async () => {
    const res = await create('priya', rotation({ answers: { risk: 'high' } }));
    expect(refusal(res)).toEqual({
      status: 422,
      code: 'template_answer_locked',
      paths: ['answers.risk'],
    });
    const draft = (await create('priya', rotation())).body;
    for (const risk of ['medium', null]) {
      const edit = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
        version: draft.version,
        answers: { risk },
      });
      expect(refusal(edit)).toEqual({
        status: 422,
        code: 'template_answer_locked',
        paths: ['answers.risk'],
      });
    }
    // Answers the template does not lock are the requester's.
    const edited = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
      version: draft.version,
      answers: { rollbackPlan: 'Restore from the vault' },
    });
    expect(edited.status).toBe(200);
  });

  it('422 template_requester_not_allowed: checked when it is submitted, and the draft stays', async () => {
    // Tom (security) may draft it: who raises a change is settled when it is sent.
    const draft = await create('tom', rotation());
    expect(draft.status).toBe(201);
    const res = await t.call('tom', 'POST', `/changes/${draft.body.id}/submit`);
    expect(refusal(res)).toEqual({
      status: 422,
      code: 'template_requester_not_allowed',
      paths: ['template'],
    });
    expect(res.body.error.message).toBe(
      'only members of web-owners, payments-owners, on-call-leads may raise the standard change "Rotate a TLS certificate before it expires", and Tom Becker is in none of them',
    );
    expect((await t.call('tom', 'GET', `/changes/${draft.body.id}`)).body.state).toBe('draft');
  });

  it('an edit moves a change off its template only by saying so (template: null)', async () => {
    const draft = (await create('priya', rotation({ services: ['payments'] }))).body;
    const kept = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
      version: draft.version,
      type: 'normal',
    });
    expect(refusal(kept)).toEqual({
      status: 422,
      code: 'template_not_standard',
      paths: ['template'],
    });
    const moved = await t.call('priya', 'PATCH', `/changes/${draft.id}`, {
      version: draft.version,
      type: 'normal',
      template: null,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ type: 'normal', template: null });
    const events = (await t.call('priya', 'GET', `/changes/${draft.id}/events`)).body.items;
    expect(events.at(-1).data.changes.template).toEqual({
      from: { id: TLS_TEMPLATE, version },
      to: null,
    });
  });

  it('400 for a template that is not an id; 401 without a token', async () => {
    const res = await create('priya', rotation({ template: 42 }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('template');
    expect((await t.call(null, 'POST', '/changes', rotation())).status).toBe(401);
  });

  it('a change keeps the version it was approved under when the template changes later', async () => {
    const approved = (await create('priya', rotation({ services: ['payments'] }))).body;
    await t.call('priya', 'POST', `/changes/${approved.id}/submit`);
    const draft = (await create('priya', rotation({ services: ['payments'] }))).body;
    const websiteDraft = (await create('priya', rotation({ services: ['website'] }))).body;

    const narrowed = await restartWith(t, NARROWED);
    try {
      const newVersion = versionIn(NARROWED);
      expect(newVersion).not.toBe(version);
      const shown = await narrowed.call('priya', 'GET', `/changes/${approved.id}`);
      expect(shown.body).toMatchObject({
        state: 'approved',
        template: {
          id: TLS_TEMPLATE,
          version,
          title: 'Rotate a TLS certificate before it expires',
          current: false,
        },
      });
      // A draft is checked again when it is sent: the template no longer covers payments.
      const refused = await narrowed.call('priya', 'POST', `/changes/${draft.id}/submit`);
      expect(refusal(refused)).toEqual({
        status: 422,
        code: 'template_service_not_covered',
        paths: ['services[0]'],
      });
      // One still within it is sent under the new version.
      const sent = await narrowed.call('priya', 'POST', `/changes/${websiteDraft.id}/submit`);
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({
        state: 'approved',
        template: { id: TLS_TEMPLATE, version: newVersion, current: true },
      });
    } finally {
      await narrowed.close();
    }

    const withdrawn = await restartWith(t, WITHDRAWN);
    try {
      const shown = await withdrawn.call('priya', 'GET', `/changes/${approved.id}`);
      expect(shown.body.template).toEqual({
        id: TLS_TEMPLATE,
        version,
        title: null,
        current: false,
      });
      const refused = await withdrawn.call('priya', 'POST', `/changes/${draft.id}/submit`);
      expect(refusal(refused)).toEqual({
        status: 422,
        code: 'unknown_template',
        paths: ['template'],
      });
    } finally {
      await withdrawn.close();
    }
    // Under the first policy again, the approved change is as it was.
    expect((await t.call('priya', 'GET', `/changes/${approved.id}`)).body.template).toEqual({
      id: TLS_TEMPLATE,
      version,
      title: 'Rotate a TLS certificate before it expires',
      current: true,
    });
  });
});

describe.each(databaseKinds)('a policy without a catalog on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, {
      policy: EXAMPLE_POLICY.replace(/^standardChanges:\n(?: .*\n)*/m, ''),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('pre-approves any change of a pre-approved type, as before, and lists no catalog', async () => {
    const created = await t.call('tom', 'POST', '/changes', buildChange({ type: 'standard' }));
    expect(created.status).toBe(201);
    expect(created.body.template).toBeNull();
    const submitted = await t.call('tom', 'POST', `/changes/${created.body.id}/submit`);
    expect(submitted.body.state).toBe('approved');
    expect((await t.call('tom', 'GET', '/policy')).body.standardChanges).toBeNull();
    const named = await t.call(
      'tom',
      'POST',
      '/changes',
      buildChange({ type: 'standard', template: TLS_TEMPLATE }),
    );
    expect(named.status).toBe(422);
    expect(named.body.error.code).toBe('unknown_template');
  });
});
