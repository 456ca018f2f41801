import { sql, type Kysely } from 'kysely';
import type { Metrics, Repositories, Transaction } from '../app/ports.js';
import { BatchReads } from './batch-reads.js';
import { ChainHead } from './chain-head.js';
import type { DialectFeatures } from './dialects/features.js';
import type { DatabaseSchema } from './schema.js';

/**
 * Group commit. Most of a small write transaction's cost is its commit
 * (SQLite writes every page it touched to the WAL again; PostgreSQL waits for
 * an fsync), and every write transaction appends to the one audit chain.
 *
 * Transactions that arrive together — the requests read from the sockets in
 * one turn of the event loop — therefore run one after the other inside a
 * single database transaction, each in a savepoint of its own, and are
 * committed once. Each keeps its own outcome: a failing one is rolled back to
 * its savepoint alone, and when the shared seal or commit fails, the others run
 * again each on its own (#failBatch), so one bad request never fails its
 * neighbours. What every job reads first, who is away, is read once per batch
 * (batch-reads.ts). Their events are sealed into the chain together just
 * before the commit (chain-head.ts), so the batch holds the chain's head only
 * for that and the commit. One batch runs at a time per process: the head is
 * held through each commit, so fewer, larger batches move more changes than
 * several small ones would. No caller hears back before the shared commit, so
 * nothing is reported as stored that is not.
 */
export class GroupCommitter {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #features: DialectFeatures;
  readonly #repositories: (
    db: Kysely<DatabaseSchema>,
    batch: { chain: ChainHead; reads: BatchReads },
  ) => Repositories;
  readonly #maxBatch: number;
  readonly #metrics: Pick<Metrics, 'groupCommitBatch'> | undefined;
  readonly #queue: Job[] = [];
  #scheduled = false;

  constructor(
    db: Kysely<DatabaseSchema>,
    features: DialectFeatures,
    repositories: (
      db: Kysely<DatabaseSchema>,
      batch: { chain: ChainHead; reads: BatchReads },
    ) => Repositories,
    options: { maxBatch?: number; metrics?: Pick<Metrics, 'groupCommitBatch'> } = {},
  ) {
    this.#db = db;
    this.#features = features;
    this.#repositories = repositories;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#metrics = options.metrics;
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve, reject, attempts: 0, alone: false });
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
    const retry: Job[] = [];
    try {
      await this.#db.connection().execute(async (connection) => {
        await sql.raw(this.#features.beginWrite).execute(connection);
        try {
          const chain = new ChainHead(connection, this.#features);
          const reads = new BatchReads();
          const batch = {
            connection,
            chain,
            reads,
            repositories: this.#repositories(connection, { chain, reads }),
          };
          let savepoint: 'new' | 'next' = 'new';
          while (this.#queue.length > 0 && done.length + retry.length < this.#maxBatch) {
            // A job under suspicion runs in a batch of its own.
            if (this.#queue[0]!.alone && done.length + retry.length > 0) break;
            const job = this.#queue.shift()!;
            const finished = await this.#runOne(batch, job, savepoint);
            if (finished) done.push(finished);
            else retry.push(job);
            if (job.alone) break;
            savepoint = finished?.outcome.ok ? 'next' : 'new';
          }
          // The commit releases the last job's savepoint. Only now is the head taken.
          await chain.seal();
          await sql`commit`.execute(connection);
          this.#metrics?.groupCommitBatch(done.length);
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      this.#failBatch(error, done, retry);
      done.length = 0;
    } finally {
      // Deadlock victims go first in the next batch, once this one's locks are gone.
      this.#queue.unshift(...retry);
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

  /**
   * The shared transaction failed, so nothing of this batch was stored. A job
   * that had failed in its savepoint hears its own error. The jobs that had
   * succeeded cannot be told apart from the one that broke the seal or the
   * commit (its events could not be hashed, a row the database refused), so
   * each runs again in a batch of its own: the one at fault fails alone, and
   * its neighbours are stored as if it had never been there. When even `begin`
   * failed (the file is locked by another process past busy_timeout), the
   * waiting jobs hear it rather than queue behind the lock forever.
   */
  #failBatch(error: unknown, done: readonly Finished[], retry: Job[]): void {
    if (done.length + retry.length === 0) {
      for (const job of this.#queue.splice(0)) job.reject(error);
      return;
    }
    const succeeded = done.filter((d) => d.outcome.ok).map((d) => d.job);
    for (const { job, outcome } of done) if (!outcome.ok) job.reject(outcome.error);
    if (succeeded.length === 1 && retry.length === 0) {
      succeeded[0]!.reject(error);
      return;
    }
    for (const job of succeeded) job.alone = true;
    retry.unshift(...succeeded);
  }

  /**
   * Runs one job in its savepoint; undefined when it lost a deadlock and should
   * run again. `next`: the previous job succeeded and its savepoint is released
   * together with taking this one's — one round trip on PostgreSQL, not two.
   */
  async #runOne(
    { connection, chain, reads, repositories }: Batch,
    job: Job,
    savepoint: 'new' | 'next',
  ): Promise<Finished | undefined> {
    const callbacks: (() => void)[] = [];
    if (savepoint === 'next')
      await this.#statements(connection, 'release savepoint job', 'savepoint job');
    else await sql`savepoint job`.execute(connection);
    const mark = chain.mark();
    try {
      const value = await job.work({
        ...repositories,
        afterCommit: (callback) => callbacks.push(callback),
      });
      return { job, outcome: { ok: true, value }, callbacks };
    } catch (error) {
      // Rolling back to the savepoint also releases the row locks the job took.
      await this.#statements(connection, 'rollback to savepoint job', 'release savepoint job');
      chain.reset(mark);
      reads.forget();
      if (isDeadlock(error) && ++job.attempts < MAX_DEADLOCK_RETRIES) return undefined;
      return { job, outcome: { ok: false, error }, callbacks: [] };
    }
  }

  /** Statements without parameters, in one round trip where the driver allows it (PostgreSQL). */
  async #statements(connection: Kysely<DatabaseSchema>, ...statements: string[]): Promise<void> {
    if (this.#features.batchedStatements) {
      await sql.raw(statements.join('; ')).execute(connection);
      return;
    }
    // better-sqlite3 prepares one statement at a time; there is no round trip to save.
    for (const statement of statements) await sql.raw(statement).execute(connection);
  }
}

interface Batch {
  readonly connection: Kysely<DatabaseSchema>;
  readonly chain: ChainHead;
  readonly reads: BatchReads;
  readonly repositories: Repositories;
}

const MAX_DEADLOCK_RETRIES = 5;

/**
 * PostgreSQL, several processes: a batch holds its jobs' row locks until it
 * commits, so two batches can each hold a change row the other's next job wants.
 * PostgreSQL breaks the cycle by failing one statement; that job runs again.
 */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

interface Job {
  work(tx: Transaction): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  attempts: number;
  /** Its last batch failed as a whole: it runs in a batch of its own. */
  alone: boolean;
}

interface Finished {
  job: Job;
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  callbacks: (() => void)[];
}
