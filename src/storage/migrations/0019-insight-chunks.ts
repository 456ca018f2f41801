import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Frozen. The insights' weekly chunks: each row sums the rollup rows
 * (`change_timings`, migration 0015) of one week of creation (Monday 00:00 UTC),
 * one type and one set of services (`services_key`, the sorted services as a
 * JSON array, now also on each rollup row), worked out in Node
 * (domain/insights/chunks.ts) and kept as JSON in `data`. A write to a rollup
 * row bumps `generation` and clears `data` of its chunk; a reader works a
 * cleared chunk out again and keeps it only if the generation it read is still
 * current, so a chunk never holds sums of rows older than its generation.
 * The rollup rows are emptied: they lack `services_key`, and the next request
 * (or the dispatcher's round) works them out again from the events.
 */
export function insightChunks(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`delete from change_sittings`.execute(db);
      await sql`delete from change_group_timings`.execute(db);
      await sql`delete from change_timings`.execute(db);
      await db.schema
        .alterTable('change_timings')
        .addColumn('services_key', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('insight_chunks')
        .addColumn('week_ms', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('services_key', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('data', 'text')
        .addPrimaryKeyConstraint('insight_chunks_pk', ['week_ms', 'type', 'services_key'])
        .execute();
    },
  };
}
