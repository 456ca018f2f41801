import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen. Changes drafted from GitHub pull requests, unassigned drafts, and the webhook deliveries received. */
export function github(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // A draft from a pull request whose author is not in the policy has no requester until someone claims it.
      // SQLite cannot drop NOT NULL in place, so the column is replaced (copy, drop, rename); this runs the
      // same on both databases. The index on it has to go first: SQLite refuses to drop an indexed column.
      await db.schema.dropIndex('changes_requester_id').execute();
      await db.schema.alterTable('changes').addColumn('requester_new', 'text').execute();
      await sql`update changes set requester_new = requester`.execute(db);
      await db.schema.alterTable('changes').dropColumn('requester').execute();
      await db.schema.alterTable('changes').renameColumn('requester_new', 'requester').execute();
      await db.schema
        .createIndex('changes_requester_id')
        .on('changes')
        .columns(['requester', 'id'])
        .execute();

      for (const [name, type] of [
        ['github_repository', 'text'],
        ['github_pull_number', 'integer'],
        ['github_pull_url', 'text'],
        ['github_head_sha', 'text'],
        ['github_merge_sha', 'text'],
        ['github_author', 'text'],
      ] as const) {
        await db.schema.alterTable('changes').addColumn(name, type).execute();
      }
      // The gate and deployment statuses ask "which change covers this commit?"; webhooks ask "which change is this PR's?".
      await db.schema
        .createIndex('changes_github_head')
        .on('changes')
        .columns(['github_repository', 'github_head_sha'])
        .execute();
      await db.schema
        .createIndex('changes_github_merge')
        .on('changes')
        .columns(['github_repository', 'github_merge_sha'])
        .execute();
      await db.schema
        .createIndex('changes_github_pull')
        .on('changes')
        .columns(['github_repository', 'github_pull_number'])
        .execute();

      // X-GitHub-Delivery ids seen in the last 30 days: a redelivery finds its id here and changes nothing.
      await db.schema
        .createTable('github_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('repository', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('change_id', 'integer')
        .execute();
      await db.schema
        .createIndex('github_deliveries_received')
        .on('github_deliveries')
        .columns(['received_at', 'id'])
        .execute();
    },
  };
}
