import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { runCli } from './_util/cli.js';
import { sqlite } from './_util/databases.js';

/** `changeboard insights`: the API's summary in a terminal, against a test app on a socket (its clock makes timings exact). */
describe('changeboard insights', { timeout: 120_000 }, () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(sqlite);
    const url = await t.listen();
    env = { CHANGEBOARD_URL: url, CHANGEBOARD_TOKEN: t.tokens.kim! };
    t.clock.set('2026-11-02T09:00:00Z');
    const change = await submittedChange(t, 'priya');
    t.clock.set('2026-11-02T10:30:00Z');
    expect((await t.call('lee', 'POST', `/changes/${change.id}/approve`)).status).toBe(200);
    t.clock.set('2026-11-04T12:00:00Z');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints the summary of a period', async () => {
    const result = await runCli(
      [
        'insights',
        '--from',
        '2026-11-02',
        '--to',
        '2026-11-08',
        '--cab',
        'FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London',
        '--min-changes',
        '1',
      ],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Changes created 2026-11-02T00:00:00.000Z – 2026-11-09T00:00:00.000Z: 1',
    );
    expect(result.stdout).toMatch(/overall +p50 1h 30m · p90 1h 30m \(1\)/);
    expect(result.stdout).toContain('Approval rate        100% (1/1)');
    expect(result.stdout).toContain(
      'The CAB it replaced: FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London (query',
    );
    // Decided Monday 10:30, the CAB would have sat Tuesday 10:00: 23 h 30 m sooner.
    expect(result.stdout).toContain('waiting saved 23h 30m in all, median 23h 30m');
    expect(result.stdout).toContain('normal-payments-low: 1 changes of normal on payments');
    expect(result.stdout).toContain('    - id: normal-payments-low');
  });

  it('prints JSON with --json, and names a bad cadence', async () => {
    const json = await runCli(
      ['insights', '--from', '2026-11-02', '--to', '2026-11-08', '--json'],
      env,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: { count: 1 } });
    const bad = await runCli(['insights', '--cab', 'fortnightly'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('query.cab');
  });
});
