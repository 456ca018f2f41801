import { sql, type Kysely } from 'kysely';
import type { Repositories, Transaction } from '../app/ports.js';
import type { DatabaseSchema } from './schema.js';

/**
 * Group commit for SQLite. Its one connection runs one transaction at a time,
 * and most of a small transaction's cost is the commit: every page it touched
 * (the table's last leaf, one per index, the chain head, the outbox) is written
 * to the WAL again. Transactions that arrive together — the requests read from
 * the sockets in one turn of the event loop — are run one after the other
 * inside a single database transaction, each in a savepoint of its own, and
 * committed once. Each keeps its own outcome: a failing one is rolled back to
 * its savepoint alone. No caller hears back before the shared commit, so
 * nothing is reported as stored that is not.
 */
export class GroupCommitter {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #repositories: (db: Kysely<DatabaseSchema>) => Repositories;
  readonly #maxBatch: number;
  readonly #queue: Job[] = [];
  #scheduled = false;

  constructor(
    db: Kysely<DatabaseSchema>,
    repositories: (db: Kysely<DatabaseSchema>) => Repositories,
    options: { maxBatch?: number } = {},
  ) {
    this.#db = db;
    this.#repositories = repositories;
    this.#maxBatch = options.maxBatch ?? 64;
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        work: work,
        resolve: resolve,
        reject,
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After the poll phase: every request that arrived in this turn joins the batch.
    setImmediate(() => void this.#runBatch());
  }

  async #runBatch(): Promise<void> {
    const done: Finished[] = [];
    try {
      await this.#db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const repositories = this.#repositories(connection);
          while (this.#queue.length > 0 && done.length < this.#maxBatch) {
            done.push(await this.#runOne(connection, repositories, this.#queue.shift()!));
          }
          await sql`commit`.execute(connection);
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      // The shared begin or commit failed: nothing of this batch was stored. When even
      // `begin` failed (the file is locked by another process past busy_timeout), the
      // waiting jobs hear it too rather than queue behind the lock forever.
      const failed = done.length > 0 ? done.map((d) => d.job) : this.#queue.splice(0);
      done.length = 0;
      for (const job of failed) job.reject(error);
    } finally {
      this.#scheduled = false;
      if (this.#queue.length > 0) this.#schedule();
    }
    for (const { job, outcome, callbacks } of done) {
      if (outcome.ok) {
        for (const callback of callbacks) callback();
        job.resolve(outcome.value);
      } else {
        job.reject(outcome.error);
      }
    }
  }

  async #runOne(
    connection: Kysely<DatabaseSchema>,
    repositories: Repositories,
    job: Job,
  ): Promise<Finished> {
    const callbacks: (() => void)[] = [];
    await sql`savepoint job`.execute(connection);
    try {
      const value = await job.work({
        ...repositories,
        afterCommit: (callback) => callbacks.push(callback),
      });
      await sql`release job`.execute(connection);
      return { job, outcome: { ok: true, value }, callbacks };
    } catch (error) {
      await sql`rollback to job`.execute(connection);
      await sql`release job`.execute(connection);
      return { job, outcome: { ok: false, error }, callbacks: [] };
    }
  }
}

interface Job {
  work(tx: Transaction): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Finished {
  job: Job;
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  callbacks: (() => void)[];
}
