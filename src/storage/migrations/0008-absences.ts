import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. Absences (one per person at a time: recording another replaces it) and,
 * on each decision, who gave it for the person when they were away (`stand_in`)
 * and how, when not on the board (`via`: `external-link`). A decision stays one
 * per person per round: the person is whose decision it is.
 */
export function absences(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('absences')
        .addColumn('person', 'text', (c) => c.primaryKey())
        .addColumn('from', 'text', (c) => c.notNull())
        .addColumn('until', 'text', (c) => c.notNull())
        .addColumn('delegate', 'text')
        .addColumn('note', 'text')
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('decisions').addColumn('stand_in', 'text').execute();
      await db.schema.alterTable('decisions').addColumn('via', 'text').execute();
    },
  };
}
