import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. The Slack app's messages: for each change, the one message in each
 * Slack channel of its services and the direct message to each approver
 * (`target`: `channel:<policy channel id>` or `person:<person id>`), with the
 * Slack channel and `ts` that chat.update needs to keep it current.
 */
export function slack(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('slack_messages')
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('person', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('posted_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('slack_messages_pk', ['change_id', 'target'])
        .execute();
    },
  };
}
