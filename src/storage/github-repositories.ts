import { sql, type Kysely, type Selectable } from 'kysely';
import type { GithubDelivery, GithubRepository, WebhookOutcome } from '../app/ports.js';
import type { DialectFeatures } from './dialects/features.js';
import type { DatabaseSchema, GithubDeliveriesTable } from './schema.js';

/** Namespaces our advisory locks on PostgreSQL (the first key of the two-key form). */
const PULL_REQUEST_LOCK = 0x6768;

export function githubRepository(
  db: Kysely<DatabaseSchema>,
  features: DialectFeatures,
): GithubRepository {
  return {
    async insertDelivery(delivery) {
      const result = await db
        .insertInto('github_deliveries')
        .values({
          id: delivery.id,
          event: delivery.event,
          action: delivery.action,
          repository: delivery.repository,
          received_at: delivery.receivedAt,
          outcome: delivery.outcome,
          message: delivery.message,
          change_id: delivery.changeId,
        })
        // On PostgreSQL a concurrent insert of the same id waits for the first to commit, then does nothing.
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async findDelivery(id) {
      const row = await db
        .selectFrom('github_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    async updateDelivery(id, { outcome, message, changeId }) {
      await db
        .updateTable('github_deliveries')
        .set({ outcome, message, change_id: changeId })
        .where('id', '=', id)
        .execute();
    },

    async listDeliveries({ limit, before }) {
      let query = db
        .selectFrom('github_deliveries')
        .selectAll()
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit);
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('received_at', '<', before.receivedAt),
            eb.and([eb('received_at', '=', before.receivedAt), eb('id', '<', before.id)]),
          ]),
        );
      }
      return (await query.execute()).map(fromRow);
    },

    async deleteDeliveriesBefore(receivedAt) {
      await db.deleteFrom('github_deliveries').where('received_at', '<', receivedAt).execute();
    },

    async lockPullRequest(repository, number) {
      // SQLite already serialises writers (BEGIN IMMEDIATE). On PostgreSQL there may be no row to lock yet
      // (the first approval drafts it), so a transaction-scoped advisory lock on the PR stands in for one.
      if (!features.advisoryLocks) return;
      const key = `${repository.toLowerCase()}#${number}`;
      await sql`select pg_advisory_xact_lock(${PULL_REQUEST_LOCK}, hashtext(${key}))`.execute(db);
    },
  };
}

function fromRow(row: Selectable<GithubDeliveriesTable>): GithubDelivery {
  return {
    id: row.id,
    event: row.event,
    action: row.action,
    repository: row.repository,
    receivedAt: row.received_at,
    outcome: row.outcome as WebhookOutcome,
    message: row.message,
    changeId: row.change_id,
  };
}
