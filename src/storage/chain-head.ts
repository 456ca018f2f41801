import { sql, type Kysely } from 'kysely';
import type { AuditHead, NewOutboxMessage } from '../app/ports.js';
import { hashEvent, type AuditEvent, type NewEvent } from '../domain/events.js';
import type { DialectName } from './database.js';
import { toOutboxRow } from './outbox-repositories.js';
import type { DatabaseSchema, EventsTable, OutboxTable } from './schema.js';

/**
 * The audit chain as one write transaction appends to it. Appends are kept
 * here, not written, and `seal` writes them all just before the commit: it
 * takes the head (on PostgreSQL by updating its row, which locks it until the
 * commit, so concurrent transactions never fork the chain; SQLite's write
 * lock already serialises writers), gives the events their places in the
 * chain and their hashes, and inserts them with their outbox rows and the new
 * head. A transaction therefore holds the head only while it seals, not while
 * its use cases run: a group-commit batch (group-commit.ts) of any size holds
 * it for two statements and the commit, and another process's batch waits
 * for no more than that.
 *
 * Until the seal, appended events carry provisional ids (negative, unique in
 * the transaction) and empty hashes; the same objects are completed in place
 * when sealed, so whatever kept them — a use case's result, a payload planned
 * for the outbox, an after-commit callback — sees their final ids after the
 * commit. Outbox messages refer to events by id; those references
 * (`eventId`, in the message and anywhere in its payload) are resolved at the
 * seal too.
 */
export class ChainHead {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #dialect: DialectName;
  #pending: Appended[] = [];
  #lastProvisionalId = 0;

  constructor(db: Kysely<DatabaseSchema>, dialect: DialectName) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /** Keeps the events for the seal; returns them as they will be stored, ids and hashes to follow. */
  append(events: readonly NewEvent[], context: { at: string; policyHash: string }): AuditEvent[] {
    const appended: Appended = {
      events: events.map((event) => ({
        ...event,
        id: --this.#lastProvisionalId,
        at: context.at,
        policyHash: context.policyHash,
        prevHash: '',
        hash: '',
      })),
      messages: [],
      at: context.at,
    };
    this.#pending.push(appended);
    return appended.events;
  }

  /** Outbox messages planned for the events of the last `append`, written with them. */
  attachMessages(events: readonly AuditEvent[], messages: readonly NewOutboxMessage[]): void {
    const appended = this.#pending.find((a) => a.events === events);
    if (!appended) throw new Error('attachMessages: these events were not appended here');
    appended.messages.push(...messages);
  }

  /** What to go back to when the work since is rolled back to a savepoint. */
  mark(): number {
    return this.#pending.length;
  }

  /** After a rollback to the savepoint `mark` was taken at: its appends are dropped. */
  reset(mark: number): void {
    this.#pending.length = mark;
  }

  /** Writes what was appended, chained to the head. Must run in the transaction, last before commit. */
  async seal(): Promise<void> {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    let { lastId: id, lastHash: prevHash } = await this.#takeHead();
    const finalIds = new Map<number, number>();
    for (const { events } of pending) {
      for (const event of events) {
        finalIds.set(event.id, ++id);
        event.id = id;
        event.prevHash = prevHash;
        event.hash = hashEvent(event);
        prevHash = event.hash;
      }
    }
    const eventRows = pending.flatMap(({ events }) => events.map(toEventRow));
    const outboxRows = pending.flatMap(({ messages, at }) =>
      messages.map((message) => outboxRowOf(message, at, finalIds)),
    );
    const insertEvents = this.#db.insertInto('events').values(eventRows);
    const head = { last_id: id, last_hash: prevHash };
    if (this.#dialect === 'postgres') {
      // One round trip: the events, their outbox rows and the head as a data-modifying WITH.
      const withEvents = this.#db.with('appended', () => insertEvents);
      const statement =
        outboxRows.length > 0
          ? withEvents
              .with('planned', (db) => db.insertInto('outbox').values(outboxRows))
              .updateTable('audit_head')
          : withEvents.updateTable('audit_head');
      await statement.set(head).where('id', '=', 1).execute();
      return;
    }
    await insertEvents.execute();
    if (outboxRows.length > 0) await this.#db.insertInto('outbox').values(outboxRows).execute();
    await this.#db.updateTable('audit_head').set(head).where('id', '=', 1).execute();
  }

  async #takeHead(): Promise<AuditHead> {
    const row =
      this.#dialect === 'postgres'
        ? await this.#db
            .updateTable('audit_head')
            .set({ last_id: sql`last_id` })
            .where('id', '=', 1)
            .returning(['last_id', 'last_hash'])
            .executeTakeFirstOrThrow()
        : await this.#db
            .selectFrom('audit_head')
            .select(['last_id', 'last_hash'])
            .where('id', '=', 1)
            .executeTakeFirstOrThrow();
    return { lastId: row.last_id, lastHash: row.last_hash };
  }
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

interface Appended {
  readonly events: Writable<AuditEvent>[];
  readonly messages: NewOutboxMessage[];
  readonly at: string;
}

/** The message's row, every provisional event id in it replaced by the event's place in the chain. */
function outboxRowOf(
  message: NewOutboxMessage,
  at: string,
  finalIds: ReadonlyMap<number, number>,
): OutboxTable {
  const resolve = (id: number) => finalIds.get(id) ?? id;
  return toOutboxRow(
    { ...message, eventId: message.eventId === null ? null : resolve(message.eventId) },
    at,
    (key, value) => (key === 'eventId' && typeof value === 'number' ? resolve(value) : value),
  );
}

export function toEventRow(event: AuditEvent): EventsTable {
  return {
    id: event.id,
    change_id: event.changeId,
    type: event.type,
    actor: event.actor,
    at: event.at,
    data: JSON.stringify(event.data),
    policy_hash: event.policyHash,
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}
