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
  /**
   * SQL aggregate: the 50th and 90th percentiles of `value` by nearest rank (the
   * ⌈p·n⌉-th smallest, as domain/insights/stats.ts), as JSON text `[p50, p90]`,
   * or null over no values. PostgreSQL's percentile_disc is exactly that;
   * SQLite runs `nearest_ranks`, registered on its connection (sqlite.ts).
   */
  percentiles(value: RawBuilder<unknown>): RawBuilder<string | null>;
  /**
   * SQL: one row per duration figure, `k` (its name), `n` (how many values),
   * `p` (`[p50, p90]` as `percentiles`) and `m` (the mean), from rows of the
   * branches: each row gives its `pairs` of (minutes, figure), a null value
   * counting for nothing. SQLite hands each row to `nearest_ranks_by` once
   * (it has no ordered-set aggregate, and sorting rows into groups costs more);
   * PostgreSQL runs a grouped percentile_disc per pair.
   */
  durationsByKey(branches: readonly DurationBranch[]): RawBuilder<unknown>;
}

/** Rows `from … where …`, each giving (minutes, figure name) pairs. Figure names are distinct across branches. */
export interface DurationBranch {
  readonly from: RawBuilder<unknown>;
  readonly where: RawBuilder<unknown>;
  readonly pairs: readonly (readonly [value: RawBuilder<unknown>, key: RawBuilder<unknown>])[];
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
  percentiles: (value) => sql<string | null>`nearest_ranks(${value})`,
  durationsByKey: (branches) =>
    sql.join(
      branches.map(
        (b) => sql`
          select j.key as k, json_extract(j.value, '$[0]') as n, json_extract(j.value, '$[1]') as p,
            json_extract(j.value, '$[2]') as m
          from json_each((select nearest_ranks_by(${sql.join(b.pairs.flatMap(([value, key]) => [value, key]))})
            from ${b.from} where ${b.where})) j`,
      ),
      sql` union all `,
    ),
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
  percentiles: (value) =>
    sql<
      string | null
    >`array_to_json(percentile_disc(array[0.5, 0.9]) within group (order by ${value}))::text`,
  // A query per figure family, grouped by its own key: far less to sort than every pair by name.
  durationsByKey: (branches) =>
    sql.join(
      branches.flatMap((b) =>
        b.pairs.map(
          ([value, key]) => sql`
            select cast(${key} as text) as k, count(*) as n,
              array_to_json(percentile_disc(array[0.5, 0.9]) within group (order by ${value}))::text as p,
              avg(${value}) as m
            from ${b.from} where ${b.where} and ${value} is not null group by 1`,
        ),
      ),
      sql` union all `,
    ),
};

export const DIALECT_FEATURES: Record<DialectName, DialectFeatures> = {
  sqlite: SQLITE,
  postgres: POSTGRES,
};
