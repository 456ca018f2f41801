import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_TTL_MS } from '../src/app/credential-cache.js';
import { EXAMPLE_POLICY } from './_util/app.js';
import { EDGE_TEMPLATE, EDGE_TEMPLATE_POLICY } from './_util/standard-changes.js';
import { runCli, startServer, type RunningServer } from './_util/cli.js';

// Each CLI call is a real process: give the long journeys room on a busy machine.
describe('the changeboard CLI against a real server', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-cli-'));
  const policyFile = join(dir, 'changeboard.yaml');
  const local = {
    DATABASE_URL: `sqlite:${join(dir, 'data', 'changeboard.db')}`,
    CHANGEBOARD_CONFIG: policyFile,
  };
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const as = (person: string) => ({
    ...local,
    CHANGEBOARD_URL: server.url,
    CHANGEBOARD_TOKEN: tokens[person]!,
  });

  beforeAll(async () => {
    // This server runs on the real clock: the example's Friday-afternoon freeze would
    // refuse the start below on Friday afternoons.
    // With a standard change for edge, which only the supplier's CAB holds.
    const unfrozen = EDGE_TEMPLATE_POLICY.replace(
      /^ {2}- name: Friday afternoons.*\n(?: {4}.*\n)*/m,
      '',
    );
    expect(unfrozen).not.toBe(EDGE_TEMPLATE_POLICY);
    writeFileSync(policyFile, unfrozen);
    server = await startServer(local);
    for (const person of ['priya', 'lee', 'kim', 'tom', 'sam', 'dev']) {
      const result = await runCli(['token', 'create', person], local);
      expect(result.code).toBe(0);
      tokens[person] = result.stdout.trim();
      expect(tokens[person]).toMatch(/^cb_[A-Za-z0-9_-]{43}$/);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints the URL and how to get a token on start-up', () => {
    expect(server.output()).toContain('Changeboard is running at http://');
    expect(server.output()).toContain('changeboard token create');
  });

  it('takes a change from draft to verified', async () => {
    const created = await runCli(
      [
        'change',
        'create',
        '--json',
        '--submit',
        '--title',
        'Raise payment retry limit',
        '--type',
        'normal',
        '--service',
        'payments',
        '--answer',
        'tested=yes',
        '--answer',
        'testResults=https://ci.example.com/run/9',
        '--answer',
        'consequenceOfNotReleasing=Card retries keep failing',
        '--answer',
        'rollbackPlan=Revert the config',
        '--answer',
        'risk=high',
        '--link',
        'PR #812=https://github.com/example-corp/payments-api/pull/812',
      ],
      as('priya'),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const change = JSON.parse(created.stdout);
    expect(change).toMatchObject({
      state: 'pending',
      answers: { tested: true, risk: 'high' },
      needsDiscussion: ['Weekly risk review'],
    });

    const self = await runCli(['change', 'approve', change.id], as('priya'));
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('self_approval');

    const outsider = await runCli(['change', 'approve', change.id], as('tom'));
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toContain('HTTP 403');

    expect(
      (await runCli(['change', 'approve', change.id, '-m', 'Fine by payments'], as('lee'))).code,
    ).toBe(0);
    const approved = await runCli(['change', 'approve', change.id], as('kim'));
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('state:     approved');

    for (const verb of ['start', 'complete', 'verify']) {
      const result = await runCli(['change', verb, change.id], as('priya'));
      expect(result.code, result.stderr).toBe(0);
    }
    const shown = await runCli(['change', 'show', change.id], as('tom'));
    expect(shown.stdout).toContain('state:     verified');
    // Each requirement says why the policy asks for it.
    expect(shown.stdout).toContain(
      '[met] 1 from payments-owners (service payments): touches Payments API; approved by lee',
    );
    expect(shown.stdout).toContain('[met] 1 from change-managers: risk is high; approved by kim');
    expect(shown.stdout).toContain('approval-granted: Fine by payments');

    const listed = await runCli(['change', 'list', '--state', 'verified'], as('tom'));
    expect(listed.stdout).toMatch(
      new RegExp(`${change.id}\\s+verified\\s+normal\\s+payments\\s+priya`),
    );
  });

  it('shows every problem of a bad request and exits 1', async () => {
    const result = await runCli(
      ['change', 'create', '--title', 'x', '--type', 'urgent', '--service', 'billing'],
      as('priya'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('type: unknown change type "urgent"');
    expect(result.stderr).toContain('services[0]: unknown service "billing"');
  });

  it('rejects with a required comment', async () => {
    const created = JSON.parse(
      (
        await runCli(
          [
            'change',
            'create',
            '--json',
            '--title',
            'Risky',
            '--type',
            'normal',
            '--service',
            'payments',
          ],
          as('priya'),
        )
      ).stdout,
    );
    const submit = await runCli(['change', 'submit', created.id], as('priya'));
    expect(submit.code).toBe(1);
    expect(submit.stderr).toContain('answers_incomplete');
    expect(submit.stderr).toContain('answers.rollbackPlan: needs an answer');
  });

  it('asks the requester a question and shows it, and who was notified, in the timeline', async () => {
    const created = await runCli(
      [
        'change',
        'create',
        '--json',
        '--submit',
        ...['--title', 'Rotate the payments key', '--type', 'normal', '--service', 'payments'],
        ...['--answer', 'tested=yes', '--answer', 'testResults=https://ci.example.com/run/9'],
        ...['--answer', 'consequenceOfNotReleasing=None', '--answer', 'rollbackPlan=Revert'],
        ...['--answer', 'risk=low'],
      ],
      as('priya'),
    );
    expect(created.code, created.stderr).toBe(0);
    const change = JSON.parse(created.stdout);

    const asked = await runCli(
      ['change', 'comment', change.id, '--question', 'Is the old key revoked after? cc @kim'],
      as('lee'),
    );
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toBe(`asked the requester of ${change.id}\nnotified: kim\n`);
    const self = await runCli(['change', 'comment', change.id, '--question', 'Me?'], as('priya'));
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('forbidden');
    const answered = await runCli(['change', 'comment', change.id, 'Yes, at once.'], as('priya'));
    expect(answered.stdout).toBe(`commented on ${change.id}\nnotified: lee\n`);

    const shown = await runCli(['change', 'show', change.id], as('tom'));
    expect(shown.stdout).toMatch(
      /lee\s+asked the requester: Is the old key revoked after\? cc @kim \(notified: kim\)/,
    );
    expect(shown.stdout).toMatch(/priya\s+commented: Yes, at once\. \(notified: lee\)/);
    // Asking decided nothing.
    expect(shown.stdout).toContain('state:     pending');
  });

  it('shows the other changes whose planned window overlaps on a shared service', async () => {
    const create = async (title: string, start: string, end: string) => {
      const result = await runCli(
        [
          'change',
          'create',
          '--json',
          '--submit',
          ...['--title', title, '--type', 'normal', '--service', 'payments'],
          ...['--planned-start', start, '--planned-end', end],
          ...['--answer', 'tested=yes', '--answer', 'testResults=https://ci.example.com/run/9'],
          ...['--answer', 'consequenceOfNotReleasing=None', '--answer', 'rollbackPlan=Revert'],
          ...['--answer', 'risk=low'],
        ],
        as('priya'),
      );
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { id: string; conflicts: unknown[] };
    };
    const first = await create('Rotate card keys', '2030-03-05T14:00:00Z', '2030-03-05T15:00:00Z');
    const second = await create(
      'Resize payments DB',
      '2030-03-05T14:30:00Z',
      '2030-03-05T16:00:00Z',
    );
    // Submitting answers the overlap as a warning.
    expect(second.conflicts).toEqual([expect.objectContaining({ kind: 'change', id: first.id })]);
    const shown = await runCli(['change', 'show', first.id], as('priya'));
    expect(shown.stdout).toContain(
      `overlaps:  ${second.id} Resize payments DB (pending; payments; 2030-03-05T14:30:00.000Z → 2030-03-05T16:00:00.000Z)`,
    );
  });

  it('says who is away, lets the deputy decide for them, and says who is back', async () => {
    const away = await runCli(['away', '--until', '2099-01-12', '--note', 'Conference'], as('sam'));
    expect(away.code).toBe(0);
    expect(away.stdout.trim()).toBe(
      'Sam Rivera is away now until 2099-01-13T00:00:00.000Z; kim decides meanwhile',
    );
    const bad = await runCli(['away', '--until', 'next week'], as('sam'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--until: "next week" is not a time');

    const answers = ['tested=yes', 'testResults=https://ci.example.com/run/9']
      .concat(['consequenceOfNotReleasing=Outage', 'rollbackPlan=Revert', 'risk=high'])
      .flatMap((answer) => ['--answer', answer]);
    const created = await runCli(
      ['change', 'create', '--json', '--submit', '--title', 'Hotfix', '--type', 'emergency'].concat(
        ['--service', 'payments', ...answers],
      ),
      as('priya'),
    );
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    const approved = await runCli(['change', 'approve', id, '-m', 'For Sam'], as('kim'));
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(
      '1 from cto: Emergency (ECAB) changes need it, from different people; approved by kim for sam',
    );

    const back = await runCli(['back'], as('sam'));
    expect(back.stdout.trim()).toBe('Sam Rivera is back');
    const refused = await runCli(['change', 'approve', id, '--for', 'sam'], as('kim'));
    expect(refused.code).toBe(1);
  });

  it('lists the meetings and their agendas, and records a meeting outcome', async () => {
    const answers = ['tested=yes', 'testResults=https://ci.example.com/run/9']
      .concat(['consequenceOfNotReleasing=Slow pages', 'rollbackPlan=Revert', 'risk=low'])
      .flatMap((answer) => ['--answer', answer]);
    const created = await runCli(
      ['change', 'create', '--json', '--submit', '--title', 'Raise the CDN TTL'].concat([
        '--type',
        'standard',
        '--template',
        EDGE_TEMPLATE,
        '--service',
        'edge',
        ...answers,
      ]),
      as('priya'),
    );
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    const shown = await runCli(['change', 'show', id], as('priya'));
    expect(shown.stdout).toContain("held:      waits for Acme Hosting CAB's outcome (next sitting");
    expect(shown.stdout).toMatch(
      /template: {2}tune-cdn-cache \(version [0-9a-f]{12}\): Tune the CDN's cache settings/,
    );

    const meetings = await runCli(['meetings'], as('kim'));
    expect(meetings.code).toBe(0);
    expect(meetings.stdout).toContain(
      'acme-hosting-cab  Acme Hosting CAB (holds its changes): next',
    );
    expect(meetings.stdout).toContain(`${id}  pending   Raise the CDN TTL`);
    const agenda = await runCli(['agenda', 'acme-hosting-cab'], as('kim'));
    expect(agenda.stdout).toContain(`${id}  Raise the CDN TTL  [held]`);

    const refused = await runCli(
      ['change', 'discuss', id, '--meeting', 'acme-hosting-cab', '--outcome', 'reject'],
      as('kim'),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('minutes');
    const recorded = await runCli(
      ['change', 'discuss', id, '--meeting', 'Acme Hosting CAB', '--outcome', 'approve'].concat([
        '--minutes',
        'Agreed',
      ]),
      as('kim'),
    );
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain('approved');
    const history = await runCli(['change', 'show', id], as('priya'));
    expect(history.stdout).not.toContain('held:');
  });

  it('files the review an emergency owes once it is complete, and lists what is owed', async () => {
    const answers = ['tested=yes', 'testResults=https://ci.example.com/run/9']
      .concat(['consequenceOfNotReleasing=Checkout down', 'rollbackPlan=Revert', 'risk=high'])
      .flatMap((answer) => ['--answer', answer]);
    const created = await runCli(
      ['change', 'create', '--json', '--submit', '--title', 'Hotfix checkout timeout']
        .concat(['--type', 'emergency', '--service', 'payments'])
        .concat(answers),
      as('priya'),
    );
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    expect((await runCli(['change', 'approve', id], as('lee'))).code).toBe(0);
    for (const verb of ['start', 'complete'])
      expect((await runCli(['change', verb, id], as('priya'))).code).toBe(0);

    const asks = await runCli(['change', 'review', id], as('priya'));
    expect(asks.code).toBe(2);
    expect(asks.stdout).toMatch(/review: {4}owed, due \S+; it asks:/);
    expect(asks.stdout).toContain(
      'whatHappened (required): What happened, and how did we find out?',
    );
    expect(asks.stderr).toContain(`changeboard change review ${id} --answer whatHappened=…`);
    const owed = await runCli(['change', 'list', '--review-due'], as('priya'));
    expect(owed.stdout).toContain(id);

    const filed = await runCli(
      ['change', 'review', id, '--answer', 'whatHappened=Pool exhausted; paged by the alert'],
      as('priya'),
    );
    expect(filed.stderr).toBe('');
    expect(filed.code).toBe(0);
    expect(filed.stdout).toMatch(/review: {4}filed by priya at /);
    expect(filed.stdout).toContain('whatHappened: Pool exhausted; paged by the alert');
    const shown = await runCli(['change', 'show', id], as('priya'));
    expect(shown.stdout).toContain('filed the review: whatHappened: Pool exhausted');
    expect((await runCli(['change', 'list', '--review-due'], as('priya'))).stdout).not.toContain(
      id,
    );
  });

  it('lists deliveries with what their time means in their state', async () => {
    // No SMTP_URL here: the approval e-mails of the changes above are dead, with the reason.
    const listed = await runCli(['outbox', 'list', '--status', 'dead'], local);
    expect(listed.code).toBe(0);
    const header = listed.stdout.split('\n')[0]!;
    expect(header).toMatch(/STATUS +KIND +TARGET +CHANGE +TRIES +WHEN +LAST ERROR/);
    const dead = listed.stdout.split('\n').filter((line) => / dead +email /.test(line));
    expect(dead.length).toBeGreaterThan(0);
    for (const line of dead) {
      expect(line).toContain('never (dead)');
      expect(line).toContain('e-mail is not configured: set SMTP_URL');
    }
  });

  it('applies a new policy to the running server, refuses a broken one, and lists the history', async () => {
    const inForce = readFileSync(policyFile, 'utf8');
    const stricter = join(dir, 'stricter.yaml');
    writeFileSync(
      stricter,
      inForce.replace('  change-managers: [kim]\n', '  change-managers: [kim, ana]\n'),
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, inForce.replace('approvers: web-owners', 'approvers: web-ownerz'));

    const refused = await runCli(['policy', 'apply', broken], as('dev'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('1 problem(s); the policy in force stays');
    expect(refused.stderr).toContain('services.website.approvers');
    const notAdmin = await runCli(['policy', 'apply', stricter], as('kim'));
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toContain('only an admin may apply a policy');

    const applied = await runCli(['policy', 'apply', stricter], as('dev'));
    // Warnings only (this server has no chat URLs set): it is applied.
    expect(applied.stderr).toMatch(/^(warning: .*\n)*$/);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^Applied .*stricter\.yaml: [0-9a-f]{12}… → [0-9a-f]{12}…$/m);
    expect(applied.stdout).toContain('  group change-managers: added ana');
    const history = await runCli(['policy', 'history'], as('kim'));
    expect(history.stdout).toMatch(/^[0-9a-f]{12}… {2}\S+ {2}applied by dev {2}\(in force\)$/m);
    expect(history.stdout).toContain('    group change-managers: added ana');
    expect(history.stdout).toMatch(/^[0-9a-f]{12}… {2}\S+ {2}loaded from the file$/m);

    // Back to the file the server started with, for the tests after this one.
    const back = await runCli(['policy', 'apply', policyFile], as('dev'));
    expect(back.stdout).toContain('  group change-managers: removed ana');
  });

  it('says where the token goes when it is missing or refused', async () => {
    const missing = await runCli(['change', 'list'], { ...local, CHANGEBOARD_URL: server.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no API token: set CHANGEBOARD_TOKEN or pass --token');
    expect(missing.stderr).not.toContain('Authorization');
    const refused = await runCli(['change', 'list', '--token', 'cb_not-a-token'], {
      ...local,
      CHANGEBOARD_URL: server.url,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'the API token was refused (the API token is unknown or revoked)',
    );
  });

  it('explains a missing server', async () => {
    const result = await runCli(['change', 'list'], {
      CHANGEBOARD_URL: 'http://127.0.0.1:9',
      CHANGEBOARD_TOKEN: 'x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach Changeboard at http://127.0.0.1:9');
  });

  it('verifies and exports the audit trail, and names a tampered event', async () => {
    const verified = await runCli(['audit', 'verify'], local);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK: \d+ events, the chain is intact/);

    const exportFile = join(dir, 'audit.jsonl');
    expect((await runCli(['audit', 'export', '--output', exportFile], local)).code).toBe(0);
    const lines = readFileSync(exportFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({
      id: 1,
      type: 'created',
      actor: 'priya',
      prevHash: '0'.repeat(64),
    });
    expect(lines.map((e) => e.id)).toEqual(lines.map((_, i) => i + 1));

    const stdoutExport = await runCli(['audit', 'export'], local);
    expect(stdoutExport.stdout.trim().split('\n')).toHaveLength(lines.length);

    const { default: Database } = await import('better-sqlite3');
    const db = new Database(local.DATABASE_URL.slice('sqlite:'.length));
    db.prepare("update events set actor = 'kim' where id = 2").run();
    db.close();
    const tampered = await runCli(['audit', 'verify'], local);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('TAMPERED: event 2');
  });

  it('token revoke stops the running server accepting the token within seconds', async () => {
    const created = await runCli(['token', 'create', 'tom', '--label', 'laptop'], local);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const policy = () =>
      fetch(`${server.url}/api/v1/policy`, { headers: { authorization: `Bearer ${token}` } });
    expect((await policy()).status).toBe(200);
    const checkedAt = Date.now();
    const listed = await runCli(['token', 'list', 'tom'], local);
    const id = /^(\d+)\s+tom\s+laptop\b/m.exec(listed.stdout)?.[1];
    expect(id, listed.stdout).toBeDefined();
    const revoked = await runCli(['token', 'revoke', id!], local);
    expect(revoked.stdout).toContain(`revoked token ${id}`);
    const revokedAt = Date.now();
    // The server checked this token at `checkedAt` and may trust that for CREDENTIAL_TTL_MS.
    let status = (await policy()).status;
    while (status === 200 && Date.now() < checkedAt + 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await policy()).status;
    }
    expect(status).toBe(401);
    // Refused once the remembered check runs out, or at once if the revoke took longer.
    expect(Date.now()).toBeLessThan(Math.max(checkedAt + CREDENTIAL_TTL_MS, revokedAt) + 1_000);
    expect((await runCli(['token', 'revoke', id!], local)).stderr).toContain(
      `no active token ${id}`,
    );
  });
});

describe('local CLI verbs', { timeout: 60_000 }, () => {
  it('policy check lists every problem with its place and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-policy-'));
    const file = join(dir, 'changeboard.yaml');
    writeFileSync(
      file,
      EXAMPLE_POLICY.replace('from: change-managers', 'from: change-managerz').replace(
        'remindAfter: 4h',
        'remindAfter: soon',
      ),
    );
    const result = await runCli(['policy', 'check', file], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /changeboard\.yaml:\d+:\d+ error changeTypes\.normal\.approvals\[1\]\.from: unknown group "change-managerz" \(did you mean "change-managers"\?\)/,
    );
    expect(result.stderr).toMatch(/changeTypes\.normal\.remindAfter: "soon" is not a duration/);
    expect(result.stderr).toContain('2 error(s)');
  });

  it('policy check accepts the bundled example and shows when its meetings next sit and its freezes next begin', async () => {
    const result = await runCli(['policy', 'check'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OK: 8 people, 7 groups, 3 services, 3 change types, 5 fields');
    // After the OK line, each scheduled meeting's next three sittings on its own wall clock.
    const lines = result.stdout.trimEnd().split('\n');
    const ok = lines.findIndex((line) => line.includes(': OK: '));
    const sitting = (day: string, time: string) => `${day} \\d{1,2} [A-Z][a-z]{2} \\d{4} ${time}`;
    expect(lines.slice(ok + 1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Weekly risk review: ${Array(3).fill(sitting('Tue', '10:00')).join(', ')} \\(Europe/London\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^Acme Hosting CAB: ${Array(3).fill(sitting('Thu', '14:00')).join(', ')} \\(Europe/London\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^Friday afternoons \\(freeze, 9h each\\): ${Array(3).fill(sitting('Fri', '15:00')).join(', ')} \\(Europe/London\\)$`,
        ),
      ),
      // And the standard change catalog, each template with the version a change records.
      expect.stringMatching(
        /^standard change rotate-tls-cert \(version [0-9a-f]{12}\): Rotate a TLS certificate before it expires; services website, payments; raised by web-owners, payments-owners, on-call-leads$/,
      ),
    ]);
  });

  it('policy check --json gives each meeting its next sittings as instants', async () => {
    const started = Date.now();
    const result = await runCli(['policy', 'check', '--json'], {});
    expect(result.code).toBe(0);
    const { ok, meetings, recurringFreezes, standardChanges } = JSON.parse(result.stdout) as {
      ok: boolean;
      meetings: { id: string; name: string; next: string[] }[];
      recurringFreezes: { name: string; next: { from: string; to: string }[] }[];
      standardChanges: { id: string; title: string; version: string }[];
    };
    expect(standardChanges).toEqual([
      {
        id: 'rotate-tls-cert',
        title: 'Rotate a TLS certificate before it expires',
        version: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
    expect(recurringFreezes.map((f) => f.name)).toEqual(['Friday afternoons']);
    for (const { from, to } of recurringFreezes[0]!.next)
      expect(Date.parse(to) - Date.parse(from)).toBe(9 * 3_600_000);
    expect(ok).toBe(true);
    expect(meetings.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: 'weekly-risk-review', name: 'Weekly risk review' },
      { id: 'acme-hosting-cab', name: 'Acme Hosting CAB' },
    ]);
    for (const { next } of meetings) {
      expect(next).toHaveLength(3);
      const times = next.map((iso) => {
        expect(new Date(iso).toISOString()).toBe(iso);
        return Date.parse(iso);
      });
      // Still to come (or under way), a week apart give or take a change of the clocks.
      expect(times[0]).toBeGreaterThan(started - 3_600_000);
      for (const [i, time] of times.slice(1).entries())
        expect(Math.abs(time - times[i]! - 7 * 86_400_000)).toBeLessThanOrEqual(3_600_000);
    }
  });

  it('init writes a starter policy that passes the check, and will not overwrite it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-init-'));
    const init = await runCli(['init'], {}, dir);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('policy check');
    expect((await runCli(['policy', 'check', 'changeboard.yaml'], {}, dir)).code).toBe(0);
    const again = await runCli(['init'], {}, dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('token create refuses someone not in the policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-token-'));
    const result = await runCli(['token', 'create', 'mallory'], {
      DATABASE_URL: `sqlite:${join(dir, 'cb.db')}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no person "mallory"');
  });

  it('refuses to start with invalid settings, listing each', async () => {
    const result = await runCli(['serve'], {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT: "eighty" is not a port number');
    expect(result.stderr).toContain('DATABASE_URL: must start with sqlite: or postgres://');
    expect(result.stderr).toContain('LOG_LEVEL');
  });

  it('logs one short line per request for people (LOG_FORMAT=text), JSON records otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-log-'));
    const policyFile = join(dir, 'changeboard.yaml');
    writeFileSync(policyFile, EXAMPLE_POLICY);
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'changeboard.db')}`,
      CHANGEBOARD_CONFIG: policyFile,
      LOG_LEVEL: 'info',
    };
    for (const format of ['text', 'json'] as const) {
      const server = await startServer({ ...env, LOG_FORMAT: format });
      try {
        await fetch(`${server.url}/api/v1/policy`);
        await fetch(`${server.url}/api/v1/gate?feed=secret-feed`);
        const deadline = Date.now() + 5_000;
        while (!server.output().includes('/api/v1/gate') && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        const lines = server.output().split('\n');
        const requestLines = lines.filter((line) => line.includes('/api/v1/'));
        if (format === 'text') {
          // One line each: time, level, method, URL (secrets left out), status, duration.
          expect(requestLines.filter((l) => l.includes('/api/v1/policy'))).toEqual([
            expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: GET \/api\/v1\/policy 401 \d+ ms$/),
          ]);
          expect(requestLines.filter((l) => l.includes('/api/v1/gate'))).toEqual([
            expect.stringMatching(/GET \/api\/v1\/gate\?feed=\[redacted\] 401 \d+ ms$/),
          ]);
          expect(server.output()).not.toContain('"reqId"');
        } else {
          const records = requestLines
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { msg: string });
          expect(records.map((r) => r.msg)).toContain('incoming request');
          expect(server.output()).not.toContain('secret-feed');
        }
      } finally {
        await server.stop();
      }
    }
  });

  it('has --help everywhere', async () => {
    for (const args of [
      ['--help'],
      ['change', '--help'],
      ['change', 'create', '--help'],
      ['audit', 'verify', '--help'],
      ['policy', 'check', '--help'],
    ]) {
      const result = await runCli(args, {});
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: changeboard');
    }
  });
});
