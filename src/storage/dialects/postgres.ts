import { createHash } from 'node:crypto';
import pg from 'pg';
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
 * Statements without parameters go as they are: several in one string (one
 * round trip for `release savepoint; savepoint`) need the simple protocol.
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
    if (!prepared) this.#prepared.set(client, (prepared = new Set()));
    return new PreparingClient(client, prepared);
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #prepared: Set<string>;

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
    if (values.length === 0) return this.#run(sqlOrCursor);
    const name = `cb_${createHash('sha1').update(sqlOrCursor).digest('base64url')}`;
    if (!this.#prepared.has(name)) {
      if (this.#prepared.size >= PREPARED_PER_CONNECTION) return this.#run(sqlOrCursor, values);
      this.#prepared.add(name);
    }
    return this.#run({ name, text: sqlOrCursor, values });
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }

  async #run<R>(
    query: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<PostgresQueryResult<R>> {
    const result =
      typeof query === 'string'
        ? await this.#client.query(query, values)
        : await this.#client.query(query);
    return result as unknown as PostgresQueryResult<R>;
  }
}
