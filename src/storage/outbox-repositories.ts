import type { Kysely, Selectable } from 'kysely';
import type {
  ActionLinkRepository,
  AgendaMailingRepository,
  ExternalLinkRepository,
  NewOutboxMessage,
  NudgeRepository,
  OutboxMessage,
  OutboxRepository,
  OutboxStatus,
} from '../app/ports.js';
import { OUTBOX_STATUSES } from '../app/ports.js';
import type { DialectFeatures } from './dialects/features.js';
import type { DatabaseSchema, OutboxTable } from './schema.js';

const CLAIMABLE = ['pending', 'failed'] as const;
/** Not delivered and not given up on. */
const UNDELIVERED = ['pending', 'sending', 'failed'] as const;

export function toOutboxRow(message: NewOutboxMessage, createdAt: string): OutboxTable {
  return {
    id: message.id,
    kind: message.kind,
    target: message.target,
    change_id: message.changeId,
    event_id: message.eventId,
    payload: JSON.stringify(message.payload),
    status: message.deadReason ? 'dead' : 'pending',
    attempts: 0,
    next_attempt_at: message.notBefore,
    lease_token: null,
    lease_expires_at: null,
    last_error: message.deadReason ?? null,
    created_at: createdAt,
    sent_at: null,
  };
}

export function outboxRepository(
  db: Kysely<DatabaseSchema>,
  features: DialectFeatures,
): OutboxRepository {
  return {
    async enqueue(messages, createdAt) {
      if (messages.length === 0) return;
      await db
        .insertInto('outbox')
        .values(messages.map((m) => toOutboxRow(m, createdAt)))
        .execute();
    },

    async claim({ now, limit, leaseToken, leaseUntil }) {
      let due = db
        .selectFrom('outbox')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', 'in', [...CLAIMABLE]), eb('next_attempt_at', '<=', now)]),
            // A lease that ran out belongs to a worker that died or hung: take it over.
            eb.and([eb('status', '=', 'sending'), eb('lease_expires_at', '<=', now)]),
          ]),
        )
        // As planned: a change's card before its update, whatever the limit cuts.
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .orderBy('event_id')
        .limit(limit);
      if (features.skipLocked) due = due.forUpdate().skipLocked();
      // One statement, so that it stands alone (a direct write): no transaction, no batch to wait for.
      const rows = await db
        .updateTable('outbox')
        .set((eb) => ({
          status: 'sending',
          lease_token: leaseToken,
          lease_expires_at: leaseUntil,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', 'in', due)
        .returningAll()
        .execute();
      // In the order they were planned: due first, then by the audit chain's order of their events.
      return rows
        .map(fromRow)
        .sort(
          (a, b) =>
            a.nextAttemptAt.localeCompare(b.nextAttemptAt) ||
            a.createdAt.localeCompare(b.createdAt) ||
            (a.eventId ?? Number.MAX_SAFE_INTEGER) - (b.eventId ?? Number.MAX_SAFE_INTEGER),
        );
    },

    async complete(id, leaseToken, sentAt, skipped) {
      const result = await db
        .updateTable('outbox')
        .set({
          status: skipped ? 'skipped' : 'sent',
          sent_at: sentAt,
          lease_token: null,
          lease_expires_at: null,
          last_error: skipped ?? null,
        })
        .where('id', '=', id)
        .where('lease_token', '=', leaseToken)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async completeMany(ids, leaseToken, sentAt) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('outbox')
        .set({
          status: 'sent',
          sent_at: sentAt,
          lease_token: null,
          lease_expires_at: null,
          last_error: null,
        })
        .where('id', 'in', [...ids])
        .where('lease_token', '=', leaseToken)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async fail(id, leaseToken, { error, retryAt }) {
      const result = await db
        .updateTable('outbox')
        .set({
          status: retryAt ? 'failed' : 'dead',
          last_error: error.slice(0, 2000),
          lease_token: null,
          lease_expires_at: null,
          ...(retryAt ? { next_attempt_at: retryAt } : {}),
        })
        .where('id', '=', id)
        .where('lease_token', '=', leaseToken)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async list({ statuses, changeId, limit }) {
      let query = db
        .selectFrom('outbox')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit);
      if (statuses?.length) query = query.where('status', 'in', [...statuses]);
      if (changeId !== undefined) query = query.where('change_id', '=', changeId);
      return (await query.execute()).map(fromRow);
    },

    async find(id) {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },

    async retry(id, now) {
      const result = await db
        .updateTable('outbox')
        .set({
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          lease_token: null,
          lease_expires_at: null,
        })
        .where('id', '=', id)
        .where('status', 'in', ['failed', 'dead'])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async sendNow(id, now) {
      const result = await db
        .updateTable('outbox')
        .set({ next_attempt_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async nextDueAt() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('next'))
        .where('status', 'in', [...CLAIMABLE])
        .executeTakeFirst();
      const lease = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('lease_expires_at').as('next'))
        .where('status', '=', 'sending')
        .executeTakeFirst();
      const candidates = [row?.next, lease?.next].filter((v): v is string => typeof v === 'string');
      return candidates.sort()[0];
    },

    async countByStatus() {
      const rows = await db
        .selectFrom('outbox')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<
        OutboxStatus,
        number
      >;
      for (const row of rows) counts[row.status as OutboxStatus] = Number(row.n);
      return counts;
    },

    async backlog() {
      // `status in (…)` keeps both databases on the outbox_due index (status, next_attempt_at):
      // a range per status, never the sent rows, which are nearly all of the table.
      const rows = await db
        .selectFrom('outbox')
        .select([
          'status',
          (eb) => eb.fn.countAll<number>().as('n'),
          (eb) => eb.fn.min('next_attempt_at').as('oldest'),
        ])
        .where('status', 'in', [...UNDELIVERED, 'dead'])
        .groupBy('status')
        .execute();
      const count = (status: OutboxStatus) =>
        Number(rows.find((row) => row.status === status)?.n ?? 0);
      const oldest = rows
        .filter((row) => (UNDELIVERED as readonly string[]).includes(row.status))
        .map((row) => row.oldest)
        .filter((at): at is string => typeof at === 'string')
        .sort()[0];
      return {
        pending: count('pending'),
        sending: count('sending'),
        failed: count('failed'),
        dead: count('dead'),
        oldestDueAt: oldest,
      };
    },
  };
}

function fromRow(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    changeId: row.change_id,
    eventId: row.event_id,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function nudgeRepository(db: Kysely<DatabaseSchema>): NudgeRepository {
  return {
    async claim({ changeId, round, kind, at }) {
      const result = await db
        .insertInto('nudges')
        .values({ change_id: changeId, round, kind, at })
        .onConflict((oc) => oc.columns(['change_id', 'round', 'kind']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
  };
}

export function actionLinkRepository(db: Kysely<DatabaseSchema>): ActionLinkRepository {
  return {
    async insert(links) {
      if (links.length === 0) return;
      await db
        .insertInto('action_links')
        .values(
          links.map((l) => ({
            digest: l.digest,
            person: l.person,
            change_id: l.changeId,
            round: l.round,
            verdict: l.verdict,
            expires_at: l.expiresAt,
            used_at: l.usedAt,
            created_at: l.createdAt,
          })),
        )
        .execute();
    },
    async find(digest) {
      const row = await db
        .selectFrom('action_links')
        .selectAll()
        .where('digest', '=', digest)
        .executeTakeFirst();
      return (
        row && {
          digest: row.digest,
          person: row.person,
          changeId: row.change_id,
          round: row.round,
          verdict: row.verdict as 'approve' | 'reject',
          expiresAt: row.expires_at,
          usedAt: row.used_at,
          createdAt: row.created_at,
        }
      );
    },
    async use(digest, at) {
      const result = await db
        .updateTable('action_links')
        .set({ used_at: at })
        .where('digest', '=', digest)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export function agendaMailingRepository(db: Kysely<DatabaseSchema>): AgendaMailingRepository {
  return {
    async claim(meeting, sitting, at) {
      const result = await db
        .insertInto('agenda_mailings')
        .values({ meeting, sitting, sent_at: at })
        .onConflict((oc) => oc.columns(['meeting', 'sitting']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
  };
}

export function externalLinkRepository(db: Kysely<DatabaseSchema>): ExternalLinkRepository {
  return {
    async insert(link) {
      await db
        .insertInto('external_links')
        .values({
          digest: link.digest,
          person: link.person,
          change_id: link.changeId,
          round: link.round,
          version: link.version,
          expires_at: link.expiresAt,
          used_at: link.usedAt,
          created_at: link.createdAt,
          meeting: link.meeting ?? null,
        })
        .execute();
    },
    async find(digest) {
      const row = await db
        .selectFrom('external_links')
        .selectAll()
        .where('digest', '=', digest)
        .executeTakeFirst();
      return (
        row && {
          digest: row.digest,
          person: row.person,
          changeId: row.change_id,
          round: row.round,
          version: row.version,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
          createdAt: row.created_at,
          ...(row.meeting !== null && { meeting: row.meeting }),
        }
      );
    },
    async use(digest, at) {
      const result = await db
        .updateTable('external_links')
        .set({ used_at: at })
        .where('digest', '=', digest)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
