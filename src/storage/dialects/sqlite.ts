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

/**
 * `nearest_ranks(value)`: the aggregate PostgreSQL has as percentile_disc, for
 * the insights (features.ts percentiles): `[p50, p90]` by nearest rank, nulls
 * skipped, null over no values.
 */
function registerNearestRanks(database: BetterSqlite3.Database): void {
  database.aggregate('nearest_ranks', {
    start: () => [] as number[],
    step: (values: number[], value: unknown) => {
      if (typeof value === 'number' || typeof value === 'bigint') values.push(Number(value));
      return values;
    },
    result: (values: number[]) =>
      values.length === 0 ? null : JSON.stringify(nearestRanks(Float64Array.from(values).sort())),
  });
  // `nearest_ranks_by(value, key, value, key, …)`: every key's [count, [p50, p90], mean] in one pass, as a JSON object (features.ts durationsByKey).
  type ByKey = Map<string, number[]>;
  // (value, key) pairs; better-sqlite3 passes each argument, its types know of one.
  const stepByKey = (byKey: ByKey, ...pairs: unknown[]): ByKey => {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const value = pairs[i];
      if (typeof value !== 'number' && typeof value !== 'bigint') continue;
      const name = String(pairs[i + 1]);
      const values = byKey.get(name);
      if (values) values.push(Number(value));
      else byKey.set(name, [Number(value)]);
    }
    return byKey;
  };
  database.aggregate('nearest_ranks_by', {
    start: () => new Map() as ByKey,
    step: stepByKey,
    varargs: true,
    result: (byKey: ByKey) => {
      const out: Record<string, [number, string, number]> = {};
      for (const [key, values] of byKey) {
        let sum = 0;
        for (const v of values) sum += v;
        const sorted = Float64Array.from(values).sort();
        out[key] = [values.length, JSON.stringify(nearestRanks(sorted)), sum / values.length];
      }
      return JSON.stringify(out);
    },
  });
}

/** [p50, p90] of ascending values: the ⌈p·n⌉-th smallest. */
function nearestRanks(sorted: Float64Array): [number, number] {
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
  return [at(50), at(90)];
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
  registerNearestRanks(database);
  if (file === ':memory:') return new ImmediateSqliteDialect(database, () => Promise.resolve());
  // Checkpoints run on their own thread (see sqlite-checkpointer.ts); inline only past ~40 MB of WAL.
  database.pragma('wal_autocheckpoint = 10000');
  const checkpointer = startCheckpointer(file);
  return new ImmediateSqliteDialect(database, () => checkpointer.stop());
}
