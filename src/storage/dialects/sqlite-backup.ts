import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../database.js';
import type { DatabaseSchema } from '../schema.js';
import { DIALECT_FEATURES } from './features.js';

/** The files SQLite may keep beside a database, each named `<database><suffix>`. */
export const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/** better-sqlite3's largest step: every remaining page at once. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a live database with SQLite's online backup API. SQLite restarts a
 * backup whenever another connection writes between two of its steps; in the
 * default steps of 100 pages, a server that keeps writing could keep it
 * restarting for ever. One step copies every page inside one read transaction
 * instead: a consistent snapshot as of that moment, taken without blocking the
 * server (in WAL mode readers hold up neither the writer nor other readers;
 * only checkpoints wait until the copy is done). better-sqlite3 runs a first
 * step of no pages to learn the size, then asks the callback for the next one.
 *
 * The copy is then taken out of WAL mode, so it is one self-contained file.
 */
export async function copySqliteOnline(
  source: string,
  destination: string,
): Promise<{ pages: number }> {
  // Read-write like any other client (a read-only connection cannot always
  // open a WAL database); it only ever reads.
  const db = new BetterSqlite3(source, { fileMustExist: true, timeout: 5000 });
  try {
    const { totalPages } = await db.backup(destination, { progress: () => ALL_PAGES });
    makeSelfContained(destination);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}

/** Copies a backup file (opened read-only) to `destination`, a self-contained file. */
export async function copySqliteFile(source: string, destination: string): Promise<void> {
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(destination, { progress: () => ALL_PAGES });
    makeSelfContained(destination);
  } finally {
    db.close();
  }
}

/** Out of WAL mode: the log folded into the file and removed, as a rollback-journal database. */
function makeSelfContained(file: string): void {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check`: empty when the file is sound, else SQLite's findings (up to 100). Throws on a file that is not a database. */
export function findIntegrityProblems(file: string): string[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check(100)') as { integrity_check: string }[];
    const findings = rows.map((row) => row.integrity_check);
    return findings.length === 1 && findings[0] === 'ok' ? [] : findings;
  } finally {
    db.close();
  }
}

/** The migrations applied to the database in `file`; undefined when it has no migration table. */
export function listAppliedMigrations(file: string): string[] | undefined {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (!table) return undefined;
    const rows = db.prepare('select name from kysely_migration order by name').all() as {
      name: string;
    }[];
    return rows.map((row) => row.name);
  } finally {
    db.close();
  }
}

/** A database file opened read-only, for reading through the repositories (e.g. to verify a copy). */
export function openSqliteReadOnly(file: string): Database {
  const database = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  return {
    db: new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) }),
    dialect: 'sqlite',
    features: DIALECT_FEATURES.sqlite,
  };
}

/**
 * Whether another connection (a running server, its checkpointer, a CLI verb)
 * has the database open. In WAL mode every open connection holds a shared lock
 * for as long as it is open, idle or not, so an exclusive lock is refused with
 * SQLITE_BUSY exactly while anyone has it open. When nobody has, the log is
 * folded into the file on the way out (`foldLog`), so the file alone is the
 * whole database. Throws when the file is not a database at all.
 */
export function isSqliteInUse(file: string, options: { foldLog?: boolean } = {}): boolean {
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive');
    db.exec('commit');
    if (options.foldLog) db.pragma('journal_mode = DELETE');
    return false;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Puts `file` in place of `target` so that the name always holds a whole
 * database, the old or the new one: `file` is synced; the old database gets a
 * second name, `aside`, and its -wal and -journal follow it (a stale log left
 * beside the new file would be replayed into it); then `file` is renamed over
 * `target`, atomically, and the directory synced. `file` must be in the
 * target's directory: rename is atomic only within one file system.
 */
export function installSqliteFile(file: string, target: string, aside: string): void {
  syncFile(file);
  if (existsSync(target)) {
    try {
      linkSync(target, aside);
    } catch {
      // No hard links here (some network and FAT file systems): the name is briefly empty.
      renameSync(target, aside);
    }
  }
  for (const suffix of SQLITE_SIDE_FILES) {
    const side = `${target}${suffix}`;
    if (!existsSync(side)) continue;
    // The -shm only indexes the -wal; SQLite rebuilds it when it needs it.
    if (suffix === '-shm') rmSync(side, { force: true });
    else renameSync(side, `${aside}${suffix}`);
  }
  renameSync(file, target);
  syncDirectory(dirname(target));
}

export function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable. Some platforms (Windows) cannot open a directory; their renames are durable already. */
export function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR where directories cannot be synced.
  } finally {
    closeSync(fd);
  }
}
