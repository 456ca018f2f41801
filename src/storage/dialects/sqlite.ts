import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { RecentlyUsed } from '../../shared/recently-used.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
} from 'kysely';

/**
 * Kysely's driver opens transactions with a plain `BEGIN`, which takes the write
 * lock lazily: two processes on one file (the server and a CLI admin verb) then
 * fail with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE` takes it at once,
 * so busy_timeout applies (kysely issue 1152).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #afterClose: () => Promise<void>;

  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    afterClose: () => Promise<void>,
  ) {
    super(config);
    this.#afterClose = afterClose;
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.#afterClose();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely prepares every query afresh; preparing costs as much as running a
 * simple statement. Our queries repeat, so keep the prepared statements (a
 * bounded, least-recently-used set). One connection runs one statement at a
 * time, so sharing them is safe.
 */
function withStatementCache(database: BetterSqlite3.Database, size = 500): SqliteDatabase {
  const cache = new RecentlyUsed<string, BetterSqlite3.Statement>(size);
  return {
    prepare: (sql: string) => cache.getOrMake(sql, () => database.prepare(sql)),
    close: () => database.close(),
  };
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  readonly #afterClose: () => Promise<void>;

  constructor(database: BetterSqlite3.Database, afterClose: () => Promise<void>) {
    const cached = withStatementCache(database);
    super({ database: cached });
    this.#database = cached;
    this.#afterClose = afterClose;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database }, this.#afterClose);
  }
}

/** `sqlite:./data/changeboard.db` → a WAL-mode database, creating the folder if needed. */
export function createSqliteDialect(file: string): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('temp_store = MEMORY');
  if (file === ':memory:') return new ImmediateSqliteDialect(database, () => Promise.resolve());
  // Checkpoints run on their own thread (see sqlite-checkpointer.ts); inline only past ~40 MB of WAL.
  database.pragma('wal_autocheckpoint = 10000');
  const checkpointer = startCheckpointer(file);
  return new ImmediateSqliteDialect(database, () => checkpointer.stop());
}
