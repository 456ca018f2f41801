import { createHash } from 'node:crypto';
import pg from 'pg';
import { RecentlyUsed } from '../../shared/recently-used.js';
import {
  PostgresDialect,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';

const INT8_OID = 20;

export function createPostgresDialect(connectionString: string, poolSize = 10): PostgresDialect {
  // count(*) and bigint columns arrive as strings by default; our counts fit in a double.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : (pg.types.getTypeParser(oid, format) as (value: string) => unknown),
  };
  const pool = new pg.Pool({ connectionString, max: poolSize, types });
  // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool: new PreparingPool(pool) });
}

/** Statements each connection keeps prepared; past that, statements are planned every time. */
const PREPARED_PER_CONNECTION = 500;

/**
 * Kysely sends every statement unnamed, so PostgreSQL parses and plans it on
 * every execution — for the board's list query that is more than running it.
 * Our statements repeat (the same text with new parameters), so each
 * connection prepares them once, by name, and PostgreSQL reuses its plans.
 * Left unnamed: statements without parameters (several in one string — one
 * round trip for `release savepoint; savepoint` — need the simple protocol),
 * and pattern matches, whose best plan depends on the pattern (text search
 * uses the trigram index for a rare word and walks by id for a common one), and
 * the insights' sums (PLANNED_PER_VALUES).
 */
class PreparingPool implements PostgresPool {
  readonly #pool: pg.Pool;
  readonly #prepared = new WeakMap<pg.PoolClient, Set<string>>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.#pool.connect();
    let prepared = this.#prepared.get(client);
    if (!prepared) {
      this.#prepared.set(client, (prepared = new Set()));
      // pg-pool listens for 'error' on idle clients only. A connection lost while its client is
      // checked out (the database restarted, the network cut) fails the query and is also emitted
      // as 'error', which with no listener would end the process. The failed query reports it, and
      // the pool discards the broken client when it comes back.
      client.on('error', () => undefined);
    }
    return new PreparingClient(client, prepared);
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #prepared: Set<string>;
  /** Set when a prepared statement went stale: the connection is closed at release. */
  #stale = false;

  constructor(client: pg.PoolClient, prepared: Set<string>) {
    this.#client = client;
    this.#prepared = prepared;
  }

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: readonly unknown[] = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      return this.#client.query(
        sqlOrCursor as unknown as pg.Submittable,
      ) as unknown as PostgresCursor<R>;
    }
    const values = [...parameters];
    if (values.length === 0) return this.#unnamed(sqlOrCursor, values);
    if (PATTERN_MATCH.test(sqlOrCursor) || PLANNED_PER_VALUES.test(sqlOrCursor))
      return this.#unnamed(sqlOrCursor, values);
    const name = statementName(sqlOrCursor);
    if (!this.#prepared.has(name)) {
      if (this.#prepared.size >= PREPARED_PER_CONNECTION) return this.#unnamed(sqlOrCursor, values);
      this.#prepared.add(name);
    }
    return this.#named(name, sqlOrCursor, values);
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy === true || this.#stale);
  }

  async #named<R>(name: string, text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    try {
      const result = await this.#client.query({ name, text, values });
      return result as unknown as PostgresQueryResult<R>;
    } catch (error) {
      // Another process changed a table under a prepared `select *` (a migration in a
      // rolling upgrade): PostgreSQL refuses the old plan. Run it unnamed — outside a
      // transaction that succeeds — and close this connection, with its stale
      // statements, when it is given back.
      if ((error as { code?: unknown }).code !== CACHED_PLAN_CHANGED) throw error;
      this.#stale = true;
      return this.#unnamed(text, values);
    }
  }

  async #unnamed<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    const result = await this.#client.query(text, values);
    return result as unknown as PostgresQueryResult<R>;
  }
}

/** "cached plan must not change result type" */
const CACHED_PLAN_CHANGED = '0A000';

const PATTERN_MATCH = /\b(i?like|similar to)\b/i;
/**
 * The insights' sums over their rollup: a few per request, each reading a
 * period, and their best plan depends on the values (a class's rows are walked
 * by id, a whole year is scanned). Prepared, PostgreSQL switches to a generic
 * plan after five runs, which sorted every row of a class: ten times slower.
 */
const PLANNED_PER_VALUES = /\bchange_timings\b/;

/** Every execution names its statement; the same few texts come again and again, so their names are kept. */
const statementNames = new RecentlyUsed<string, string>(2_000);

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `cb_${createHash('sha1').update(text).digest('base64url')}`;
    statementNames.set(text, name);
  }
  return name;
}
