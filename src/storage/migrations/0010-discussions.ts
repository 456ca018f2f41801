import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Frozen. Meetings' outcomes on changes (`discussed` events), kept apart so an
 * agenda can find what a sitting already discussed without reading the chain;
 * the meeting an external attendee's link records an outcome for; which
 * sittings' agendas were e-mailed; and the events by type and time, to count
 * what was decided between sittings.
 */
export function discussions(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('discussions')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('change_id', 'integer', (c) => c.notNull().references('changes.id'))
        .addColumn('meeting', 'text', (c) => c.notNull())
        .addColumn('occurrence', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('minutes', 'text')
        .addColumn('url', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('via', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('discussions_by_sitting')
        .on('discussions')
        .columns(['meeting', 'occurrence'])
        .execute();
      await db.schema
        .createIndex('discussions_by_change')
        .on('discussions')
        .column('change_id')
        .execute();
      // An agenda's link for an external attendee records their meeting's outcome.
      await db.schema.alterTable('external_links').addColumn('meeting', 'text').execute();
      // Each sitting's agenda is e-mailed once, whichever process gets there first.
      await db.schema
        .createTable('agenda_mailings')
        .addColumn('meeting', 'text', (c) => c.notNull())
        .addColumn('sitting', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agenda_mailings_pk', ['meeting', 'sitting'])
        .execute();
      // How many changes were decided between two sittings (GET /meetings).
      await db.schema.createIndex('events_type_at').on('events').columns(['type', 'at']).execute();
    },
  };
}
