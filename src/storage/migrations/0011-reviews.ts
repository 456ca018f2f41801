import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. Post-implementation reviews: when a change's review is due, and once
 * filed, when, by whom and what it answered (the `reviewed` event carries the
 * same answers in the chain). Indexed by due date: the board's `reviewDue`
 * filter and the overdue reminders look for reviews owed.
 */
export function reviews(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('changes').addColumn('review_due_at', 'text').execute();
      await db.schema.alterTable('changes').addColumn('reviewed_at', 'text').execute();
      await db.schema.alterTable('changes').addColumn('reviewed_by', 'text').execute();
      await db.schema.alterTable('changes').addColumn('review_answers', 'text').execute();
      await db.schema
        .createIndex('changes_review_due')
        .on('changes')
        .column('review_due_at')
        .execute();
    },
  };
}
