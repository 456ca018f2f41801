import { performance } from 'node:perf_hooks';
import type { Clock } from '../shared/clock.js';
import type { OutboxBacklog, Readers } from './ports.js';

/** The outbox as the operator sees it: what is still to deliver, and how long it has waited. */
export interface OutboxBacklogView extends OutboxBacklog {
  /** Still to deliver: waiting, being sent, or failed and to be tried again. */
  readonly undelivered: number;
  /**
   * How long the longest-waiting of those has been due, in seconds; 0 when
   * nothing is due. A message held for working hours counts from when it may
   * go out, not from when it was written, so a quiet weekend is not a backlog.
   */
  readonly oldestUndeliveredAgeSeconds: number;
}

export type DatabaseCheck =
  | { readonly ok: true; readonly latencyMs: number; readonly outbox: OutboxBacklogView }
  | {
      readonly ok: false;
      readonly latencyMs: number;
      /** Safe to show anyone: what kind of failure, never a host, a user or a query. */
      readonly reason: string;
      /** For the log only. */
      readonly error: unknown;
    };

export interface DatabaseCheckDeps {
  readonly store: { readonly read: Pick<Readers, 'outbox'> };
  readonly clock: Clock;
}

/** How long a probe waits for the database: a readiness probe or a scrape must not hang with it. */
export const DATABASE_CHECK_TIMEOUT_MS = 2_000;

/**
 * Asks the database a real question, the outbox backlog (one indexed query,
 * OutboxRepository.backlog), within a time limit. Readiness and every metrics
 * scrape use it: it proves the database answers and the schema is there, and
 * it is what the operator wants to know next.
 */
export async function checkDatabase(
  deps: DatabaseCheckDeps,
  timeoutMs = DATABASE_CHECK_TIMEOUT_MS,
): Promise<DatabaseCheck> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const backlog = await Promise.race([deps.store.read.outbox.backlog(), timedOut]);
    if (backlog === 'timeout')
      return {
        ok: false,
        latencyMs: elapsed(),
        reason: `the database did not answer within ${timeoutMs} ms`,
        error: new Error(`no answer within ${timeoutMs} ms`),
      };
    return { ok: true, latencyMs: elapsed(), outbox: viewOf(backlog, deps.clock.now()) };
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), reason: describeDatabaseError(error), error };
  } finally {
    clearTimeout(timer);
  }
}

function viewOf(backlog: OutboxBacklog, now: Date): OutboxBacklogView {
  const dueFor =
    backlog.oldestDueAt === undefined
      ? 0
      : (now.getTime() - Date.parse(backlog.oldestDueAt)) / 1000;
  return {
    ...backlog,
    undelivered: backlog.pending + backlog.sending + backlog.failed,
    oldestUndeliveredAgeSeconds: Math.max(0, dueFor),
  };
}

/** PostgreSQL's SQLSTATEs an operator meets when the database is away, in words. */
const POSTGRES_STATES: Readonly<Record<string, string>> = {
  '3D000': 'the database does not exist',
  '3F000': 'the schema does not exist',
  '42P01': 'the tables are missing (was the database replaced?)',
  '28000': 'the database refused the credentials',
  '28P01': 'the database refused the credentials',
  '53300': 'the database has too many connections',
  '57P01': 'the database is shutting down',
  '57P02': 'the database is shutting down',
  '57P03': 'the database is starting up or shutting down',
};

/**
 * Readiness is answered to anyone, so the reason names the kind of failure and
 * its code, never the message: a driver's message can carry a host name, a
 * user or a query. The server log has the whole error.
 */
export function describeDatabaseError(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  // Kysely's words once the store was closed (a shutdown under way): no code to go by.
  if (error instanceof Error && /has already been destroyed/.test(error.message))
    return 'the database connection is closed';
  if (typeof code !== 'string') return 'the database check failed (the server log has the error)';
  if (/^E[A-Z]+$/.test(code)) return `the database cannot be reached (${code})`;
  if (code.startsWith('SQLITE_')) return `the database file cannot be used (${code})`;
  const known = POSTGRES_STATES[code];
  if (known) return `${known} (${code})`;
  return `the database refused the check (${code})`;
}
