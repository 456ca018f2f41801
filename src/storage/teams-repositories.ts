import type { Kysely } from 'kysely';
import type { TeamsCard, TeamsConversation, TeamsStore } from '../app/ports/teams.js';
import type { DatabaseSchema } from './schema.js';

type TeamsTables = {
  teams_conversations: {
    conversation_id: string;
    service_url: string;
    tenant_id: string | null;
    reference: string;
    updated_at: string;
  };
  teams_cards: {
    change_id: number;
    channel: string;
    conversation_id: string;
    service_url: string;
    activity_id: string;
    posted_at: string;
    updated_at: string;
  };
  teams_invokes: { activity_id: string; response: string; answered_at: string };
};

/** The Teams bot's tables (migration 0017), on either database. */
export function teamsRepository(database: Kysely<DatabaseSchema>): TeamsStore {
  const db = database.withTables<TeamsTables>();
  const toCard = (row: TeamsTables['teams_cards']): TeamsCard => ({
    changeId: Number(row.change_id),
    channel: row.channel,
    conversationId: row.conversation_id,
    serviceUrl: row.service_url,
    activityId: row.activity_id,
  });
  return {
    async rememberConversation(conversation, at) {
      const row = {
        service_url: conversation.serviceUrl,
        tenant_id: conversation.tenantId,
        reference: JSON.stringify(conversation.reference),
        updated_at: at,
      };
      await db
        .insertInto('teams_conversations')
        .values({ conversation_id: conversation.conversationId, ...row })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet(row))
        .execute();
    },
    async findConversation(conversationId) {
      const row = await db
        .selectFrom('teams_conversations')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        conversationId: row.conversation_id,
        serviceUrl: row.service_url,
        tenantId: row.tenant_id,
        reference: JSON.parse(row.reference) as Record<string, unknown>,
      } satisfies TeamsConversation;
    },
    async findCard(changeId, channel) {
      const row = await db
        .selectFrom('teams_cards')
        .selectAll()
        .where('change_id', '=', changeId)
        .where('channel', '=', channel)
        .executeTakeFirst();
      return row && toCard(row);
    },
    async listCards(changeId) {
      const rows = await db
        .selectFrom('teams_cards')
        .selectAll()
        .where('change_id', '=', changeId)
        .orderBy('channel')
        .execute();
      return rows.map(toCard);
    },
    async saveCard(card, at, replacing) {
      const row = {
        conversation_id: card.conversationId,
        service_url: card.serviceUrl,
        activity_id: card.activityId,
        updated_at: at,
      };
      if (replacing !== undefined) {
        const result = await db
          .updateTable('teams_cards')
          .set(row)
          .where('change_id', '=', card.changeId)
          .where('channel', '=', card.channel)
          .where('activity_id', '=', replacing)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      }
      const result = await db
        .insertInto('teams_cards')
        .values({ change_id: card.changeId, channel: card.channel, posted_at: at, ...row })
        .onConflict((oc) => oc.columns(['change_id', 'channel']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async findInvokeAnswer(activityId) {
      const row = await db
        .selectFrom('teams_invokes')
        .select('response')
        .where('activity_id', '=', activityId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.response) as unknown) : undefined;
    },
    async saveInvokeAnswer(activityId, answer, at) {
      // Teams redelivers an invoke within seconds; a day later nobody asks again.
      const dayBefore = new Date(Date.parse(at) - 24 * 60 * 60 * 1000).toISOString();
      await db.deleteFrom('teams_invokes').where('answered_at', '<', dayBefore).execute();
      const result = await db
        .insertInto('teams_invokes')
        .values({ activity_id: activityId, response: JSON.stringify(answer), answered_at: at })
        .onConflict((oc) => oc.column('activity_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}
