import { randomUUID } from 'node:crypto';
import type { Metrics, OutboxMessage, Store } from '../app/ports.js';
import type { Clock } from '../shared/clock.js';
import { backoffDelay } from '../shared/retry.js';
import type { Deliverer, DeliveryOutcome } from './deliverer.js';

export interface DispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly deliverers: readonly Deliverer[];
  /** Messages leased per round. */
  readonly batchSize?: number;
  /** How long a claim stays ours; a process that dies mid-delivery loses it after this. */
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly backoff?: { baseMs: number; maxMs: number };
  /** Longest sleep between rounds when nothing is due (other processes may enqueue). */
  readonly pollMs?: number;
  /**
   * How long a wake-up waits before its round, so that the messages of many
   * commits close together go out in one claim (one transaction) instead of
   * one round each. Bounds the added latency.
   */
  readonly batchWindowMs?: number;
  /**
   * Scheduled work besides delivering (reminders, absences, the insights' rollup).
   * runOnce() does it before its round; the running loop does it beside the rounds,
   * so that a slow job never holds up a delivery (what it enqueues wakes a round).
   */
  readonly beforeRound?: () => Promise<void>;
  /** Counts each delivery attempt by kind and how it ended. */
  readonly metrics?: Pick<Metrics, 'delivery'>;
  readonly log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    data?: Record<string, unknown>,
  ) => void;
}

export interface RoundResult {
  readonly claimed: number;
  readonly sent: number;
  readonly failed: number;
  readonly dead: number;
}

/**
 * Delivers the outbox. Each round leases due messages (a lease token fences a
 * late worker out), hands them to their deliverer grouped by target, and records
 * the outcome: sent, retry later with back-off, or dead after maxAttempts.
 * Safe to run in several processes on one PostgreSQL database.
 */
export class Dispatcher {
  readonly #options: Required<Omit<DispatcherOptions, 'beforeRound' | 'log' | 'metrics'>> &
    Pick<DispatcherOptions, 'beforeRound' | 'log' | 'metrics'>;
  readonly #deliverers: Map<string, Deliverer>;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  /** When the scheduled round will run (ms since the epoch), while one is scheduled. */
  #timerAt = Number.POSITIVE_INFINITY;
  #current: Promise<unknown> = Promise.resolve();
  /** The scheduled work running beside the rounds, while it runs. */
  #scheduledWork: Promise<void> | undefined;
  #wakeRequested = false;

  constructor(options: DispatcherOptions) {
    this.#options = {
      batchSize: 50,
      leaseMs: 60_000,
      maxAttempts: 8,
      backoff: { baseMs: 10_000, maxMs: 3_600_000 },
      pollMs: 2_000,
      batchWindowMs: 10,
      ...options,
    };
    this.#deliverers = new Map(options.deliverers.map((d) => [d.kind, d]));
  }

  /** One round: claim what is due now and deliver it. Tests drive time with this. */
  async runOnce(): Promise<RoundResult> {
    await this.#options.beforeRound?.();
    return this.#deliverDue();
  }

  async #deliverDue(): Promise<RoundResult> {
    const { store, clock } = this.#options;
    const now = clock.now();
    const leaseToken = randomUUID();
    // Straight to the database: a claim waits for no batch of other writes.
    const claimed = await store.direct.outbox.claim({
      now: now.toISOString(),
      limit: this.#options.batchSize,
      leaseToken,
      leaseUntil: new Date(now.getTime() + this.#options.leaseMs).toISOString(),
    });
    const result = { claimed: claimed.length, sent: 0, failed: 0, dead: 0 };
    const groups = new Map<string, OutboxMessage[]>();
    for (const message of claimed) {
      const key = `${message.kind}\u0000${message.target}`;
      groups.set(key, [...(groups.get(key) ?? []), message]);
    }
    const delivered: string[] = [];
    // Targets are independent: a slow channel must not hold up the others.
    await Promise.all(
      [...groups.values()].map(async (messages) => {
        const outcomes = await this.#deliver(messages);
        for (const [i, message] of messages.entries()) {
          const outcome = outcomes[i] ?? {
            ok: false,
            permanent: false,
            reason: 'the deliverer gave no outcome',
          };
          if (outcome.ok && !outcome.skipped) {
            delivered.push(message.id);
            result.sent++;
            this.#options.metrics?.delivery(message.kind, 'sent');
          } else {
            const recorded = await this.#record(message, leaseToken, outcome);
            result[recorded]++;
            this.#options.metrics?.delivery(message.kind, outcome.ok ? 'skipped' : recorded);
          }
        }
      }),
    );
    // Every plain success of the round is recorded in one statement.
    await store.direct.outbox.completeMany(delivered, leaseToken, clock.now().toISOString());
    return result;
  }

  async #deliver(messages: OutboxMessage[]): Promise<DeliveryOutcome[]> {
    const kind = messages[0]!.kind;
    const deliverer = this.#deliverers.get(kind);
    if (!deliverer)
      return messages.map(() => ({
        ok: false,
        permanent: true,
        reason: `nothing delivers messages of kind "${kind}"`,
      }));
    try {
      return await deliverer.deliver(messages);
    } catch (error) {
      this.#options.log?.('error', 'deliverer threw', { kind, error: (error as Error).message });
      return messages.map(() => ({
        ok: false,
        permanent: false,
        reason: `unexpected error: ${(error as Error).message}`,
      }));
    }
  }

  async #record(
    message: OutboxMessage,
    leaseToken: string,
    outcome: DeliveryOutcome,
  ): Promise<'sent' | 'failed' | 'dead'> {
    const { store, clock, maxAttempts, backoff } = this.#options;
    const now = clock.now();
    if (outcome.ok) {
      await store.direct.outbox.complete(
        message.id,
        leaseToken,
        now.toISOString(),
        outcome.skipped,
      );
      return 'sent';
    }
    const giveUp = outcome.permanent || message.attempts >= maxAttempts;
    const delay = outcome.retryAfterMs ?? backoffDelay(message.attempts, backoff);
    const error =
      giveUp && !outcome.permanent
        ? `${outcome.reason} (gave up after ${message.attempts} attempts)`
        : outcome.reason;
    await store.direct.outbox.fail(message.id, leaseToken, {
      error,
      retryAt: giveUp ? null : new Date(now.getTime() + delay).toISOString(),
    });
    this.#options.log?.(
      giveUp ? 'error' : 'warn',
      giveUp ? 'delivery dead-lettered' : 'delivery failed, will retry',
      {
        id: message.id,
        kind: message.kind,
        target: message.target,
        attempts: message.attempts,
        reason: outcome.reason,
      },
    );
    return giveUp ? 'dead' : 'failed';
  }

  /** Runs rounds until stop(): at once when woken, else when the next message is due or after pollMs. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Something was committed: deliver it now rather than at the next poll. */
  wake(): void {
    if (!this.#running) return;
    this.#wakeRequested = true;
    this.#schedule(this.#options.batchWindowMs);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current;
    await this.#scheduledWork;
  }

  /** Runs a round in `delayMs`, unless one is already due sooner: wake-ups never postpone a round. */
  #schedule(delayMs: number): void {
    if (!this.#running) return;
    const at = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#current = this.#current.then(() => this.#loop());
    }, delayMs);
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    this.#wakeRequested = false;
    let next = this.#options.pollMs;
    this.#startScheduledWork();
    try {
      const result = await this.#deliverDue();
      if (result.claimed === this.#options.batchSize) next = 0;
      // Woken meanwhile: the next round comes within the batch window anyway.
      else if (!this.#wakeRequested) {
        const due = await this.#options.store.read.outbox.nextDueAt();
        if (due)
          next = Math.min(next, Math.max(0, Date.parse(due) - this.#options.clock.now().getTime()));
      }
    } catch (error) {
      this.#options.log?.('error', 'dispatcher round failed', { error: (error as Error).message });
    }
    this.#schedule(this.#wakeRequested ? this.#options.batchWindowMs : next);
  }

  #startScheduledWork(): void {
    const work = this.#options.beforeRound;
    if (!work || this.#scheduledWork) return;
    this.#scheduledWork = work()
      .catch((error: unknown) =>
        this.#options.log?.('error', 'scheduled work failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => (this.#scheduledWork = undefined));
  }
}
