import { Kysely, Migrator, sql, type Dialect, type MigrationProvider } from 'kysely';
import type { DirectWrites, Metrics, Readers, Repositories, Store } from '../app/ports.js';
import type { DatabaseTarget, DialectName } from './database-url.js';
import { DIALECT_FEATURES, type DialectFeatures } from './dialects/features.js';
import { createPostgresDialect } from './dialects/postgres.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { migrations } from './migrations/index.js';
import { GroupCommitter } from './group-commit.js';
import { createRepositories } from './repositories.js';
import { insightsRepository } from './insights-repository.js';
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
  let { error, results } = await migrator.migrateToLatest();
  // Before it migrates anything, Kysely lists the tables of every schema it may use; a schema
  // dropped meanwhile by someone else (another Changeboard's, a test's) fails that listing with
  // "schema does not exist". Nothing was done yet, so it is asked again.
  for (let attempt = 1; attempt < 3 && isSchemaGone(error); attempt++)
    ({ error, results } = await migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
}

/** PostgreSQL's invalid_schema_name: a schema vanished while the catalog was read. */
function isSchemaGone(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '3F000';
}

export function createStore(
  database: Database,
  options: { metrics?: Pick<Metrics, 'groupCommitBatch'> } = {},
): Store {
  const committer = new GroupCommitter(
    database.db,
    database.features,
    (db, batch) => createRepositories(db, database.features, batch),
    { metrics: options.metrics },
  );
  const outsideTransactions = createRepositories(database.db, database.features);
  return {
    read: readersOf(outsideTransactions),
    direct: directWritesOf(outsideTransactions),
    insights: insightsRepository(database.db, database.features),
    transaction: (work) => committer.transaction(work),
    close: () => database.db.destroy(),
  };
}

/** The lookups only: the read view has no write method to call, even past the types. */
function readersOf(repos: Repositories): Readers {
  return {
    changes: pick(repos.changes, [
      'find',
      'findMany',
      'lastId',
      'list',
      'listKeys',
      'listDecisions',
      'findWithDecisions',
      'listDecisionsForMany',
      'listDiscussions',
      'listDueForNudge',
      'listReviewsDue',
      'findLatestForPullRequest',
      'findLatestForCommit',
    ]),
    absences: pick(repos.absences, ['list', 'find']),
    events: pick(repos.events, [
      'listForChange',
      'listForChanges',
      'listAll',
      'listDecidedBetween',
      'head',
    ]),
    tokens: pick(repos.tokens, ['findByDigest', 'list']),
    policies: pick(repos.policies, ['find', 'listAll', 'active']),
    outbox: pick(repos.outbox, ['list', 'find', 'nextDueAt', 'countByStatus', 'backlog']),
    actionLinks: pick(repos.actionLinks, ['find']),
    externalLinks: pick(repos.externalLinks, ['find']),
    sessions: pick(repos.sessions, ['findByDigest']),
    github: pick(repos.github, ['findDelivery', 'listDeliveries']),
    slackMessages: pick(repos.slackMessages, ['listForChange', 'find']),
  };
}

/** The writes that may skip a transaction, and no others (app/ports/store.ts says why). */
function directWritesOf(repos: Repositories): DirectWrites {
  return {
    sessions: pick(repos.sessions, ['insert', 'touch', 'revoke', 'revokeAllFor']),
    signInLinks: pick(repos.signInLinks, ['insert', 'use']),
    oidcLogins: pick(repos.oidcLogins, ['insert', 'take']),
    tokens: pick(repos.tokens, ['insert', 'touch', 'revoke']),
    actionLinks: pick(repos.actionLinks, ['insert', 'use']),
    externalLinks: pick(repos.externalLinks, ['insert']),
    outbox: pick(repos.outbox, ['claim', 'complete', 'completeMany', 'fail', 'retry', 'sendNow']),
    policies: pick(repos.policies, ['remember']),
    slackMessages: pick(repos.slackMessages, ['insert', 'touch', 'forget']),
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>;
}
