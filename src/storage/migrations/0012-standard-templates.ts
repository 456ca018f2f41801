import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. The standard change template a change was raised from, and the
 * version of it the change was sent under: the catalog in the policy may move
 * on, the change keeps what it was pre-approved as.
 */
export function standardTemplates(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('changes').addColumn('template_id', 'text').execute();
      await db.schema.alterTable('changes').addColumn('template_version', 'text').execute();
    },
  };
}
