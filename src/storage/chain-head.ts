import { sql, type Kysely } from 'kysely';
import type { AuditHead, NewOutboxMessage } from '../app/ports.js';
import { hashEvent, type AuditEvent, type NewEvent } from '../domain/events.js';
import type { DialectFeatures } from './dialects/features.js';
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
 * (`eventId`, in the message and at the top of its payload) are resolved at
 * the seal too.
 */
export class ChainHead {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #features: DialectFeatures;
  #pending: Appended[] = [];
  #lastProvisionalId = 0;

  constructor(db: Kysely<DatabaseSchema>, features: DialectFeatures) {
    this.#db = db;
    this.#features = features;
  }

  /** The events as they will be stored, with provisional ids; nothing is kept until `keep`. */
  stage(events: readonly NewEvent[], context: { at: string; policyHash: string }): AuditEvent[] {
    return events.map((event) => ({
      ...event,
      id: --this.#lastProvisionalId,
      at: context.at,
      policyHash: context.policyHash,
      prevHash: '',
      hash: '',
    }));
  }

  /** Keeps staged events for the seal. */
  keep(events: AuditEvent[], at: string): void {
    this.#pending.push({ events, messages: [], at });
  }

  /** Keeps outbox messages caused by kept events, to be written with them (their references resolved). */
  keepMessages(messages: readonly NewOutboxMessage[], at: string): void {
    if (messages.length > 0) this.#pending.push({ events: [], messages, at });
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
    const head = { last_id: id, last_hash: prevHash };
    const limit = this.#features.maxParameters;
    if (this.#features.writableCte && parametersOf(eventRows) + parametersOf(outboxRows) <= limit) {
      // One round trip: the events, their outbox rows and the head as a data-modifying WITH.
      const withEvents = this.#db.with('appended', (db) =>
        db.insertInto('events').values(eventRows),
      );
      const statement =
        outboxRows.length > 0
          ? withEvents
              .with('planned', (db) => db.insertInto('outbox').values(outboxRows))
              .updateTable('audit_head')
          : withEvents.updateTable('audit_head');
      await statement.set(head).where('id', '=', 1).execute();
      return;
    }
    // A large batch (many recipients each) would pass the limit on a statement's parameters.
    for (const rows of chunks(eventRows, limit))
      await this.#db.insertInto('events').values(rows).execute();
    for (const rows of chunks(outboxRows, limit))
      await this.#db.insertInto('outbox').values(rows).execute();
    await this.#db.updateTable('audit_head').set(head).where('id', '=', 1).execute();
  }

  async #takeHead(): Promise<AuditHead> {
    const row = this.#features.rowLocks
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
  /** Completed in place by the seal: these are the objects `stage` handed out. */
  readonly events: Writable<AuditEvent>[];
  readonly messages: readonly NewOutboxMessage[];
  readonly at: string;
}

/** One parameter per column of each row: what inserting `rows` binds. */
function parametersOf(rows: readonly object[]): number {
  return rows.length * Object.keys(rows[0] ?? {}).length;
}

/** `rows` in inserts of at most `limit` parameters each. */
function chunks<T extends object>(rows: readonly T[], limit: number): T[][] {
  const size = Math.max(1, Math.floor(limit / Math.max(1, parametersOf(rows.slice(0, 1)))));
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += size)
    result.push(rows.slice(start, start + size));
  return result;
}

/**
 * The message's row, with the provisional id of the event it refers to replaced
 * by the event's place in the chain: its `eventId`, and its payload's when the
 * payload is a notification topic. An event object in the payload was completed
 * in place; anything deeper is the users' data and left alone.
 */
function outboxRowOf(
  message: NewOutboxMessage,
  at: string,
  finalIds: ReadonlyMap<number, number>,
): OutboxTable {
  const resolve = (id: number | null) => (id === null ? null : (finalIds.get(id) ?? id));
  const payload = message.payload as { eventId?: unknown } | null;
  return toOutboxRow(
    {
      ...message,
      eventId: resolve(message.eventId),
      payload:
        payload && typeof payload === 'object' && typeof payload.eventId === 'number'
          ? { ...payload, eventId: resolve(payload.eventId) }
          : message.payload,
    },
    at,
  );
}

function toEventRow(event: AuditEvent): EventsTable {
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
