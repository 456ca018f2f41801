import type { Kysely, Migration } from 'kysely';

/** Frozen. Rate-limit windows in the database, so every process counts against one limit. */
export function rateLimits(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('window_start_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
