import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. The Teams bot's memory: the conversations it was installed in (their
 * Bot Connector address), the card it posted for each change in each channel
 * (so later events update that card in place), and the Action.Execute invokes
 * it answered (Teams may deliver one twice: the second gets the first answer).
 */
export function teams(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('teams_conversations')
        .addColumn('conversation_id', 'text', (c) => c.primaryKey())
        .addColumn('service_url', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('teams_cards')
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('service_url', 'text', (c) => c.notNull())
        .addColumn('activity_id', 'text', (c) => c.notNull())
        .addColumn('posted_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('teams_cards_pk', ['change_id', 'channel'])
        .execute();
      await db.schema
        .createTable('teams_invokes')
        .addColumn('activity_id', 'text', (c) => c.primaryKey())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
