import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY } from './_util/app.js';
import { runCli, startServer, type RunningServer } from './_util/cli.js';

interface ChangeJson {
  id: string;
  state: string;
}

/** `changeboard evidence`: the report from a real server process, written to a file or printed. */
describe('changeboard evidence against a real server', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-evidence-cli-'));
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
    writeFileSync(policyFile, EXAMPLE_POLICY);
    server = await startServer(local);
    for (const person of ['priya', 'lee', 'kim']) {
      const result = await runCli(['token', 'create', person], local);
      expect(result.code).toBe(0);
      tokens[person] = result.stdout.trim();
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes the HTML report to a file, and prints it without -o', async () => {
    const created = await runCli(
      [
        'change',
        'create',
        '--json',
        '--submit',
        '--title',
        'Rotate the <payments> signing key',
        '--type',
        'normal',
        '--service',
        'payments',
        '--answer',
        'tested=yes',
        '--answer',
        'testResults=https://ci.example.com/run/1',
        '--answer',
        'consequenceOfNotReleasing=The key expires',
        '--answer',
        'rollbackPlan=Re-deploy the old key',
        '--answer',
        'risk=low',
      ],
      as('priya'),
    );
    expect(created.code, created.stderr).toBe(0);
    const change = JSON.parse(created.stdout) as ChangeJson;
    const approved = await runCli(
      ['change', 'approve', change.id, '--comment', 'Checked the runbook'],
      as('lee'),
    );
    expect(approved.code, approved.stderr).toBe(0);

    const file = join(dir, 'evidence.html');
    const written = await runCli(['evidence', change.id, '-o', file], as('kim'));
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain(`wrote the evidence report for ${change.id} to ${file}`);
    const html = readFileSync(file, 'utf8');
    // As a reader sees it: tags dropped, spaces collapsed.
    const seen = (page: string) => page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Rotate the &lt;payments&gt; signing key');
    expect(seen(html)).toContain('Approved by Lee Wong (lee)');
    expect(html).toContain('Checked the runbook');
    expect(html).toContain('The history is intact');
    expect(html).not.toMatch(/<script/i);

    const printed = await runCli(['evidence', change.id], as('kim'));
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^<!doctype html>/);
    expect(printed.stdout.trimEnd()).toMatch(/<\/html>$/);
    expect(seen(printed.stdout)).toContain('Approved by Lee Wong (lee)');
  });

  it('says what is wrong: an unknown change, no token', async () => {
    const missing = await runCli(['evidence', 'CHG-9999'], as('kim'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no change CHG-9999 (not_found, HTTP 404)');
    const anonymous = await runCli(['evidence', 'CHG-1'], {
      ...local,
      CHANGEBOARD_URL: server.url,
    });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('no API token');
  });
});
