import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, startTestApp, type TestApp } from './_util/app.js';
import { runCli, type CliResult } from './_util/cli.js';
import { sqlite } from './_util/databases.js';

/** What the API acknowledged about one change, and when (performance.now()). */
interface Ack {
  readonly id: number;
  readonly version: number;
  readonly state: string;
  readonly at: number;
}

// Every CLI call is a real process (tsx start-up included): room for a busy machine.
describe('backup and restore of the SQLite database', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-backup-'));
  const backupFile = join(dir, 'burst.db');
  let t: TestApp;
  /** The live database the in-process server writes to. */
  let live: Record<string, string>;
  /** The database a restore writes into: a fresh one per test. */
  const elsewhere = (name: string) => ({
    DATABASE_URL: `sqlite:${join(dir, name, 'changeboard.db')}`,
    CHANGEBOARD_CONFIG: t.policyFile,
  });
  let backupRun: CliResult;
  let ackedBeforeBackup: Ack[] = [];
  let ackedDuringBackup = 0;

  beforeAll(async () => {
    t = await startTestApp(sqlite);
    live = { DATABASE_URL: t.databaseUrl, CHANGEBOARD_CONFIG: t.policyFile };

    // A burst of writes from eight clients (create, submit, approve) that keeps going
    // for as long as the backup runs, in another process, on the same file.
    const acks: Ack[] = [];
    let stop = false;
    let next = 0;
    const ack = (body: { id: string; version: number; state: string }) =>
      acks.push({
        id: Number(body.id.replace(/\D/g, '')),
        version: body.version,
        state: body.state,
        at: performance.now(),
      });
    const client = async () => {
      const deadline = performance.now() + 60_000;
      while (!stop && performance.now() < deadline) {
        const title = `Burst #${String(next++).padStart(3, '0')}`;
        const created = await t.call('priya', 'POST', '/changes', buildChange({ title }));
        expect(created.status).toBe(201);
        ack(created.body);
        const submitted = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
        expect(submitted.status).toBe(200);
        ack(submitted.body);
        const approved = await t.call('lee', 'POST', `/changes/${created.body.id}/approve`, {});
        expect(approved.status).toBe(200);
        ack(approved.body);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (acks.length < 60) await new Promise((resolve) => setTimeout(resolve, 10));
    const backupStarted = performance.now();
    ackedBeforeBackup = acks.filter((a) => a.at < backupStarted);
    backupRun = await runCli(['backup', backupFile], live);
    const backupEnded = performance.now();
    stop = true;
    await Promise.all(clients);
    ackedDuringBackup = acks.filter((a) => a.at >= backupStarted && a.at < backupEnded).length;
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a verified copy while writes continue', () => {
    expect(backupRun.stderr).toBe('');
    expect(backupRun.code).toBe(0);
    expect(backupRun.stdout).toContain(`backed up ${t.databaseUrl.slice('sqlite:'.length)}`);
    expect(backupRun.stdout).toMatch(
      /verified: integrity ok; \d+ events, the chain is intact \(head [0-9a-f]{16}…\); \d+ changes and 1 policies agree with it/,
    );
    // The writes really overlapped the backup.
    expect(ackedDuringBackup).toBeGreaterThan(0);
    // One self-contained file, nothing left beside it.
    expect(readdirSync(dir).filter((f) => f.startsWith('burst.db'))).toEqual(['burst.db']);
  });

  it('restores into a fresh location every change acknowledged before the backup, with an intact chain', async () => {
    const target = elsewhere('fresh');
    const restored = await runCli(['restore', backupFile], target);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`restored ${backupFile} to ${join(dir, 'fresh')}`);
    expect(restored.stdout).toMatch(/verified: integrity ok; \d+ events, the chain is intact/);

    const verified = await runCli(['audit', 'verify'], target);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const backedUpEvents = /(\d+) events/.exec(backupRun.stdout)![1];
    expect(verified.stdout).toContain(`OK: ${backedUpEvents} events, the chain is intact`);

    const db = new Database(join(dir, 'fresh', 'changeboard.db'), { readonly: true });
    const rows = new Map(
      (db.prepare('select id, version, state from changes').all() as Ack[]).map((row) => [
        row.id,
        row,
      ]),
    );
    db.close();
    expect(ackedBeforeBackup.length).toBeGreaterThanOrEqual(60);
    for (const ack of ackedBeforeBackup) {
      const row = rows.get(ack.id);
      expect(row, `CHG-${ack.id} (${ack.state}, acknowledged before the backup)`).toBeDefined();
      expect(row!.version, `CHG-${ack.id}`).toBeGreaterThanOrEqual(ack.version);
    }
  });

  it('refuses to overwrite a file without --force', async () => {
    const before = readFileSync(backupFile);
    const refused = await runCli(['backup', backupFile], live);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${backupFile} already exists; pass --force to replace it`);
    expect(readFileSync(backupFile).equals(before)).toBe(true);

    const forced = await runCli(['backup', '--force', '--json', join(dir, 'forced.db')], live);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ integrity: 'ok', policies: 1 });
    const again = await runCli(['backup', '--force', join(dir, 'forced.db')], live);
    expect(again.code, again.stderr).toBe(0);
  });

  it('refuses to restore onto a database in use, even with --force, and onto an existing one without', async () => {
    for (const args of [
      ['restore', backupFile],
      ['restore', '--force', backupFile],
    ]) {
      const refused = await runCli(args, live);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is in use (a running Changeboard server');
    }

    const target = elsewhere('existing');
    expect((await runCli(['restore', backupFile], target)).code).toBe(0);
    const refused = await runCli(['restore', backupFile], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a database already exists at');
    expect(refused.stderr).toContain('pass --force to replace it');

    const forced = await runCli(['restore', '--force', backupFile], target);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('The database that was there is kept as');
    expect(readdirSync(join(dir, 'existing')).sort()).toEqual([
      'changeboard.db',
      expect.stringMatching(/^changeboard\.db\.before-restore-\d{4}-\d{2}-\d{2}T/),
    ]);
  });

  it('refuses a corrupted backup with a clear message and writes nothing', async () => {
    const corrupt = (name: string, damage: (bytes: Buffer) => void) => {
      const file = join(dir, name);
      const bytes = readFileSync(backupFile);
      damage(bytes);
      writeFileSync(file, bytes);
      return file;
    };
    const pageSize = readFileSync(backupFile).readUInt16BE(16);
    const cases = [
      {
        // The file header: no longer a database at all.
        file: corrupt('bad-header.db', (bytes) => bytes.fill(0x5a, 0, 16)),
        message: 'is not a usable SQLite database (file is not a database)',
      },
      {
        // A b-tree page's type byte: SQLite's integrity check finds it.
        file: corrupt('bad-page.db', (bytes) => bytes.fill(0xff, pageSize, pageSize + 8)),
        message: 'failed verification',
      },
      {
        // One character of a recorded event, the file otherwise sound: the hash chain finds it.
        file: corrupt('bad-event.db', (bytes) => {
          // Every copy of it, wherever else the title is stored.
          const text = '"title":"Burst #001"';
          let at = bytes.indexOf(text);
          expect(at).toBeGreaterThan(0);
          for (; at >= 0; at = bytes.indexOf(text, at + 1))
            bytes.write('X', at + '"title":"Burst #'.length);
        }),
        message: 'TAMPERED: event',
      },
    ];
    for (const [i, { file, message }] of cases.entries()) {
      const target = elsewhere(`corrupt-${i}`);
      const refused = await runCli(['restore', file], target);
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stderr).toContain(message);
      expect(refused.stderr).toContain('nothing was restored');
      expect(readdirSync(join(dir, `corrupt-${i}`))).toEqual([]);
    }
  });

  it('keeps a copy that fails verification under a name that says so', async () => {
    // A database someone edited behind Changeboard's back.
    const tampered = join(dir, 'tampered', 'changeboard.db');
    const copy = await runCli(['restore', backupFile], elsewhere('tampered'));
    expect(copy.code).toBe(0);
    const db = new Database(tampered);
    db.prepare("update events set actor = 'kim' where id = 2").run();
    db.close();

    const out = join(dir, 'of-tampered.db');
    const refused = await runCli(['backup', out], {
      DATABASE_URL: `sqlite:${tampered}`,
      CHANGEBOARD_CONFIG: t.policyFile,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed verification');
    expect(refused.stderr).toContain('TAMPERED: event 2');
    expect(refused.stderr).toContain(`kept as ${out}.failed`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.failed`)).toBe(true);
  });

  it('sends PostgreSQL to pg_dump and pg_restore', async () => {
    // Refused before any connection is made.
    const env = {
      DATABASE_URL: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      CHANGEBOARD_CONFIG: t.policyFile,
    };
    const [backedUp, restored] = await Promise.all([
      runCli(['backup', join(dir, 'pg.db')], env),
      runCli(['restore', backupFile], env),
    ]);
    expect(backedUp.code).toBe(1);
    expect(backedUp.stderr).toContain('PostgreSQL database: back it up with pg_dump -Fc');
    expect(restored.code).toBe(1);
    expect(restored.stderr).toContain('PostgreSQL database: restore it with pg_restore');
    expect(existsSync(join(dir, 'pg.db'))).toBe(false);
  });
});
