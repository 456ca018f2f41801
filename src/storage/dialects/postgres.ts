import pg from 'pg';
import { PostgresDialect } from 'kysely';

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
  return new PostgresDialect({ pool });
}
