import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../database.js';

/** Frozen: a released migration is never edited; add a new one instead. */
export function initial(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('changes')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('services', 'text', (c) => c.notNull())
        .addColumn('answers', 'text', (c) => c.notNull())
        .addColumn('planned_start', 'text')
        .addColumn('planned_end', 'text')
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('requester', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('requirements', 'text', (c) => c.notNull())
        .addColumn('meetings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text')
        .execute();
      // The board lists newest first, filtered by state, type or requester.
      await db.schema
        .createIndex('changes_state_id')
        .on('changes')
        .columns(['state', 'id'])
        .execute();
      await db.schema
        .createIndex('changes_type_id')
        .on('changes')
        .columns(['type', 'id'])
        .execute();
      await db.schema
        .createIndex('changes_requester_id')
        .on('changes')
        .columns(['requester', 'id'])
        .execute();
      await db.schema
        .createIndex('changes_planned_start')
        .on('changes')
        .column('planned_start')
        .execute();

      await db.schema
        .createTable('change_services')
        .addColumn('change_id', 'integer', (c) => c.notNull().references('changes.id'))
        .addColumn('service', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('change_services_pk', ['change_id', 'service'])
        .execute();
      await db.schema
        .createIndex('change_services_service')
        .on('change_services')
        .columns(['service', 'change_id'])
        .execute();

      await db.schema
        .createTable('decisions')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('change_id', 'integer', (c) => c.notNull().references('changes.id'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        // One decision per person per round, whatever races above this.
        .addUniqueConstraint('decisions_one_per_person', ['change_id', 'round', 'person'])
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('policy_hash', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('events_change_id')
        .on('events')
        .columns(['change_id', 'id'])
        .execute();

      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_id', 'integer', (c) => c.notNull())
        .addColumn('last_hash', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into audit_head (id, last_id, last_hash) values (1, 0, ${'0'.repeat(64)})`.execute(
        db,
      );

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('digest', 'text', (c) => c.notNull().unique())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('policies')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
