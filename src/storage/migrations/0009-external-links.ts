import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. The signed links external approvers (suppliers) decide from: one per
 * e-mail, for one person, one change and its approval round, stored as a
 * digest of the secret; one decision each, until it expires.
 */
export function externalLinks(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('external_links')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
