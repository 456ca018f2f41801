import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** One NOTIFY channel shared by every Changeboard process on a PostgreSQL database. */
export interface PostgresChannel {
  /** Sends `payload` to the other processes (never back to this one). */
  notify(payload: unknown): void;
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` over one dedicated connection, re-opened when it is
 * lost, and hands `onMessage` what the other processes send. Messages carry
 * the sending process's id so a process ignores its own. NOTIFY payloads are
 * limited to 8000 bytes: send what to reload, never the data itself.
 */
export function openPostgresChannel(
  connectionString: string,
  channel: string,
  onMessage: (payload: unknown) => void,
  log: (message: string, error?: unknown) => void = () => undefined,
): PostgresChannel {
  const origin = randomUUID();
  const notifier = new pg.Pool({ connectionString, max: 2 });
  notifier.on('error', () => undefined);
  let listener: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString });
    client.on('error', (error) => {
      log(`${channel}: the LISTEN connection failed; re-opening it`, error);
      void client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      if (!closed) retry = setTimeout(() => void listen(), 1000);
    });
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        const { from, payload } = JSON.parse(message.payload) as { from: string; payload: unknown };
        if (from !== origin) onMessage(payload);
      } catch {
        // Not ours: ignore.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (closed) await client.end();
      else listener = client;
    } catch (error) {
      log(`${channel}: cannot LISTEN; retrying`, error);
      await client.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void listen(), 1000);
    }
  };
  void listen();

  return {
    notify(payload) {
      notifier
        .query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ from: origin, payload })])
        .catch((error: unknown) => log(`${channel}: NOTIFY failed`, error));
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await notifier.end().catch(() => undefined);
    },
  };
}
