import type { Kysely, Migration } from 'kysely';

/** Frozen. The transactional outbox: messages written with the event that caused them. */
export function outbox(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // When approvers were last asked (submit, or an edit that re-computed the requirements): reminders count from here.
      await db.schema.alterTable('changes').addColumn('requested_at', 'text').execute();
      // The reminder scheduler's question: which pending changes have waited longest?
      await db.schema
        .createIndex('changes_pending_requested')
        .on('changes')
        .columns(['state', 'type', 'requested_at'])
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('change_id', 'integer')
        .addColumn('event_id', 'integer')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_token', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      // The dispatcher's claim: due messages, oldest first.
      await db.schema
        .createIndex('outbox_due')
        .on('outbox')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema.createIndex('outbox_change').on('outbox').columns(['change_id']).execute();

      // One reminder and one escalation per change and approval round, however many processes look.
      await db.schema
        .createTable('nudges')
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('nudges_pk', ['change_id', 'round', 'kind'])
        .execute();

      // Links in e-mails that approve or reject: stored as digests, single-use, bound to person, change and round.
      await db.schema
        .createTable('action_links')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
