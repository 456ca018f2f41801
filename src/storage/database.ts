import { Kysely, Migrator, sql, type Dialect, type MigrationProvider } from 'kysely';
import type { Store } from '../app/ports.js';
import type { DatabaseTarget, DialectName } from './database-url.js';
import { DIALECT_FEATURES, type DialectFeatures } from './dialects/features.js';
import { createPostgresDialect } from './dialects/postgres.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { migrations } from './migrations/index.js';
import { GroupCommitter } from './group-commit.js';
import { createRepositories } from './repositories.js';
import type { DatabaseSchema } from './schema.js';

export type { DialectName };

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DialectName;
  readonly features: DialectFeatures;
}

export function openDatabase(
  target: DatabaseTarget,
  options: { poolSize?: number } = {},
): Database {
  const dialect: Dialect =
    target.dialect === 'sqlite'
      ? createSqliteDialect(target.location)
      : createPostgresDialect(target.location, options.poolSize);
  return {
    db: new Kysely<DatabaseSchema>({ dialect }),
    dialect: target.dialect,
    features: DIALECT_FEATURES[target.dialect],
  };
}

export async function migrateToLatest(database: Database): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrations(database.dialect)),
  };
  // Kysely looks for its migration tables in every schema it can see unless told which one: on
  // PostgreSQL, a second Changeboard (or a test) in another schema of the same database would make
  // it skip creating its own and fail. Ours live in the connection's current schema.
  const migrationTableSchema = database.features.schemas
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db))
        .rows[0]?.schema
    : undefined;
  const migrator = new Migrator({ db: database.db, provider, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
}

export function createStore(database: Database): Store {
  const committer = new GroupCommitter(database.db, database.features, (db, chain) =>
    createRepositories(db, database.features, chain),
  );
  return {
    read: createRepositories(database.db, database.features),
    transaction: (work) => committer.transaction(work),
    close: () => database.db.destroy(),
  };
}
