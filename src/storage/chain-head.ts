import { sql, type Kysely } from 'kysely';
import type { AuditHead } from '../app/ports.js';
import type { DialectName } from './database.js';
import type { DatabaseSchema } from './schema.js';

/**
 * The audit chain's head as one write transaction sees it. The first append
 * reads it — on PostgreSQL by updating its row, which locks it until commit,
 * so concurrent appends queue and never fork the chain; SQLite's write lock
 * already serialises writers — and later appends in the same transaction
 * continue from what the transaction wrote. The row itself is written once,
 * by `flush`, just before the commit: a batch of transactions (group-commit.ts)
 * then costs the chain one read and one write, not two round trips per event.
 */
export class ChainHead {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #dialect: DialectName;
  #state: HeadState = { head: undefined, written: true };

  constructor(db: Kysely<DatabaseSchema>, dialect: DialectName) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /** Where the next event goes; locks the head on the first call. */
  async current(): Promise<AuditHead> {
    if (this.#state.head) return this.#state.head;
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
    const head = { lastId: row.last_id, lastHash: row.last_hash };
    this.#state = { head, written: true };
    return head;
  }

  /** The events up to `head` are inserted; the row follows at `flush`. */
  advance(head: AuditHead): void {
    this.#state = { head, written: false };
  }

  /** Writes the head row if appends moved it. Must run in the transaction, before it commits. */
  async flush(): Promise<void> {
    const { head, written } = this.#state;
    if (!head || written) return;
    await this.#db
      .updateTable('audit_head')
      .set({ last_id: head.lastId, last_hash: head.lastHash })
      .where('id', '=', 1)
      .execute();
    this.#state = { head, written: true };
  }

  /** What to go back to when the work since is rolled back to a savepoint. */
  mark(): HeadState {
    return this.#state;
  }

  /**
   * After a rollback to the savepoint `mark` was taken at: the events since are
   * gone, and so is the lock if it was taken since (PostgreSQL releases a
   * rolled-back subtransaction's row locks), in which case the next append
   * reads and locks the head again.
   */
  reset(mark: HeadState): void {
    this.#state = mark;
  }
}

interface HeadState {
  /** Undefined until this transaction has read (and locked) the head. */
  readonly head: AuditHead | undefined;
  /** Whether the row holds `head` already. */
  readonly written: boolean;
}
