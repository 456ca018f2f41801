import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

interface ExportedEvent {
  readonly id: number;
  /** CHG-0 for events about no change. */
  readonly changeId: string;
  readonly type: string;
  readonly at: string;
}

describe.each(databaseKinds)('audit export with a date range and a service on $name', (kind) => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-export-'));
  let all: ExportedEvent[];
  /** Change ids as the export writes them. */
  const ids: Record<'payments' | 'website' | 'moved', string> = {
    payments: '',
    website: '',
    moved: '',
  };

  /** `changeboard audit export …` in this process, on the test app's database. */
  async function exportEvents(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['node', 'changeboard', 'audit', 'export', ...args],
      { DATABASE_URL: t.databaseUrl, CHANGEBOARD_CONFIG: t.policyFile },
      { out: (text) => out.push(text), err: (text) => err.push(text) },
    );
    return {
      code,
      events: out.map((line) => JSON.parse(line) as ExportedEvent),
      stderr: err.join('\n'),
    };
  }

  beforeAll(async () => {
    t = await startTestApp(kind);
    // 2 November: a change to payments.
    ids.payments = (await submittedChange(t, 'priya')).id;
    // 3 November: one to the website, and an absence (an event about no change).
    t.clock.set('2026-11-03T10:00:00Z');
    ids.website = (await submittedChange(t, 'ana', { services: ['website'] })).id;
    const away = await t.call('tom', 'PUT', '/people/tom/absence', {
      until: '2026-11-20T09:00:00Z',
    });
    expect(away.status).toBe(200);
    // 4 November: one raised for payments, then moved to the website.
    t.clock.set('2026-11-04T10:00:00Z');
    const created = await t.call('priya', 'POST', '/changes', buildChange());
    ids.moved = created.body.id;
    const edited = await t.call('priya', 'PATCH', `/changes/${ids.moved}`, {
      version: created.body.version,
      services: ['website'],
    });
    expect(edited.status).toBe(200);

    const everything = await exportEvents();
    expect(everything.code).toBe(0);
    all = everything.events;
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const of = (...changes: (keyof typeof ids)[]) =>
    all.filter((e) => changes.some((c) => e.changeId === ids[c])).map((e) => e.id);
  const on = (day: string) => all.filter((e) => e.at.startsWith(day)).map((e) => e.id);

  it('still writes every event in chain order without a filter', () => {
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((e) => e.changeId === 'CHG-0').map((e) => e.type)).toEqual(['absence-set']);
    expect(new Set(all.map((e) => e.at.slice(0, 10)))).toEqual(
      new Set(['2026-11-02', '2026-11-03', '2026-11-04']),
    );
  });

  it('takes the events of changes that touched a service, before an edit too, and leaves out events about no change', async () => {
    const payments = await exportEvents('--service', 'payments');
    expect(payments.code, payments.stderr).toBe(0);
    expect(payments.events.map((e) => e.id)).toEqual(of('payments', 'moved'));

    const website = await exportEvents('--service', 'website');
    expect(website.events.map((e) => e.id)).toEqual(of('website', 'moved'));
    expect(website.events.some((e) => e.type === 'absence-set')).toBe(false);

    // A service of the policy no change touched: nothing, and no error.
    const edge = await exportEvents('--service', 'edge');
    expect(edge).toMatchObject({ code: 0, events: [] });
  });

  it('takes a range of whole days (UTC), both ends included', async () => {
    const oneDay = await exportEvents('--from', '2026-11-03', '--to', '2026-11-03');
    expect(oneDay.code, oneDay.stderr).toBe(0);
    expect(oneDay.events.map((e) => e.id)).toEqual(on('2026-11-03'));
    expect(oneDay.events.map((e) => e.type)).toContain('absence-set');

    const from = await exportEvents('--from', '2026-11-03');
    expect(from.events.map((e) => e.id)).toEqual([...on('2026-11-03'), ...on('2026-11-04')]);
    const to = await exportEvents('--to', '2026-11-03');
    expect(to.events.map((e) => e.id)).toEqual([...on('2026-11-02'), ...on('2026-11-03')]);
  });

  it('takes instants with their offset, and combines range and service', async () => {
    // 11:00 in Paris is 10:00 UTC, when the day's events were recorded.
    const instant = await exportEvents(
      '--from',
      '2026-11-03T11:00:00+01:00',
      '--to',
      '2026-11-03T10:00:00Z',
    );
    expect(instant.events.map((e) => e.id)).toEqual(on('2026-11-03'));
    const after = await exportEvents('--from', '2026-11-03T10:00:00.001Z');
    expect(after.events.map((e) => e.id)).toEqual(on('2026-11-04'));

    const file = join(dir, `${kind.name}.jsonl`);
    const both = await exportEvents('--service', 'website', '--to', '2026-11-03', '-o', file);
    expect(both.code, both.stderr).toBe(0);
    const written = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(written.map((e) => e.id)).toEqual(of('website'));
    expect(both.stderr).toBe(`wrote ${of('website').length} events to ${file}`);
  });

  it.each([
    [
      ['--from', 'yesterday'],
      `option '--from <date>' argument 'yesterday' is invalid. "yesterday" is not a date`,
    ],
    [['--to', '2026-02-30'], '2026-02-30 is not a date in the calendar'],
    [['--from', '2026-11-03T10:00:00'], 'an instant with its offset such as 2026-11-01T09:30:00Z'],
    [['--from', '2026-11-04', '--to', '2026-11-03'], '--from is after --to'],
    [['--service', ' '], '--service needs a service id'],
    [
      ['--service', 'billing'],
      'unknown service "billing": the policy does not have it and no change ever touched it (the policy\'s services: payments,',
    ],
  ])('refuses %j with a clear message', async (args, message) => {
    const refused = await exportEvents(...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(message);
    expect(refused.events).toEqual([]);
  });
});
