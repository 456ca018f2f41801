import { sql, type RawBuilder, type SqlBool } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/**
 * What differs between the two databases, as the rest of storage asks for it:
 * one object per dialect instead of `dialect === …` branches around the code.
 * Each entry says what it is for, so a third dialect would know what to supply.
 */
export interface DialectFeatures {
  readonly name: DialectName;
  /**
   * How a write transaction begins. SQLite takes the write lock at once
   * (`begin immediate`), so busy_timeout applies rather than a deadlock at the
   * first write when a CLI and a server share the file (dialects/sqlite.ts).
   */
  readonly beginWrite: string;
  /**
   * Rows can be locked for the transaction (`SELECT … FOR UPDATE`). SQLite has no
   * row locks; its write lock already serialises every writer.
   */
  readonly rowLocks: boolean;
  /** Rows another process has locked can be skipped (`FOR UPDATE SKIP LOCKED`): outbox claims. */
  readonly skipLocked: boolean;
  /**
   * A transaction-scoped lock on any key (`pg_advisory_xact_lock`), for a row
   * that may not exist yet. Without it the write lock serialises writers.
   */
  readonly advisoryLocks: boolean;
  /** Statements without parameters travel together in one round trip (PostgreSQL's simple protocol). */
  readonly batchedStatements: boolean;
  /** INSERTs can ride in one statement as data-modifying `WITH` clauses. */
  readonly writableCte: boolean;
  /** Bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER; PostgreSQL's 16 bits), with room to spare. */
  readonly maxParameters: number;
  /**
   * How the board's text search is served: SQLite's FTS5 trigram table, joined
   * by the change query itself, or PostgreSQL's blocks of ids by trigram, walked
   * newest first, and its trigram index (change-text-search.ts listByTextOnPostgres).
   */
  readonly textSearch: 'fts5-trigram-table' | 'trigram-blocks';
  /** Migration tables live in the connection's current schema (PostgreSQL's search_path), not every schema it can see. */
  readonly schemas: boolean;
  /** SQL: the stored answer to `field` is one of these JSON texts, compared as JSON. */
  answerIn(field: string, json: readonly string[]): RawBuilder<SqlBool>;
}

export const SQLITE: DialectFeatures = {
  name: 'sqlite',
  beginWrite: 'begin immediate',
  rowLocks: false,
  skipLocked: false,
  advisoryLocks: false,
  batchedStatements: false,
  writableCte: false,
  maxParameters: 32_000,
  textSearch: 'fts5-trigram-table',
  schemas: false,
  answerIn: (field, json) =>
    sql<SqlBool>`answers -> ${`$."${field.replace(/"/g, '')}"`} in (${sql.join([...json])})`,
};

export const POSTGRES: DialectFeatures = {
  name: 'postgres',
  beginWrite: 'begin',
  rowLocks: true,
  skipLocked: true,
  advisoryLocks: true,
  batchedStatements: true,
  writableCte: true,
  maxParameters: 65_000,
  textSearch: 'trigram-blocks',
  schemas: true,
  answerIn: (field, json) =>
    sql<SqlBool>`(answers::jsonb -> ${field})::text in (${sql.join(json.map((j) => sql`(${j}::jsonb)::text`))})`,
};

export const DIALECT_FEATURES: Record<DialectName, DialectFeatures> = {
  sqlite: SQLITE,
  postgres: POSTGRES,
};
