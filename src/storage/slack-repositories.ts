import type { Kysely, Selectable } from 'kysely';
import type { SlackMessage, SlackMessageRepository } from '../app/ports/slack.js';
import type { DatabaseSchema, SlackMessagesTable } from './schema.js';

export function slackMessageRepository(db: Kysely<DatabaseSchema>): SlackMessageRepository {
  return {
    async insert(m) {
      const result = await db
        .insertInto('slack_messages')
        .values({
          change_id: m.changeId,
          target: m.target,
          person: m.person,
          channel: m.channel,
          ts: m.ts,
          posted_at: m.postedAt,
          updated_at: m.updatedAt,
        })
        .onConflict((oc) => oc.columns(['change_id', 'target']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async listForChange(changeId) {
      const rows = await db
        .selectFrom('slack_messages')
        .selectAll()
        .where('change_id', '=', changeId)
        .orderBy('posted_at')
        .execute();
      return rows.map(toMessage);
    },
    async find(changeId, target) {
      const row = await db
        .selectFrom('slack_messages')
        .selectAll()
        .where('change_id', '=', changeId)
        .where('target', '=', target)
        .executeTakeFirst();
      return row && toMessage(row);
    },
    async touch(changeId, target, at) {
      await db
        .updateTable('slack_messages')
        .set({ updated_at: at })
        .where('change_id', '=', changeId)
        .where('target', '=', target)
        .execute();
    },
    async forget(changeId, target) {
      await db
        .deleteFrom('slack_messages')
        .where('change_id', '=', changeId)
        .where('target', '=', target)
        .execute();
    },
  };
}

function toMessage(row: Selectable<SlackMessagesTable>): SlackMessage {
  return {
    changeId: row.change_id,
    target: row.target,
    person: row.person,
    channel: row.channel,
    ts: row.ts,
    postedAt: row.posted_at,
    updatedAt: row.updated_at,
  };
}
