import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { LiveHub, LiveUpdate } from '../app/live-updates.js';

const CHANNEL = 'changeboard_live';

export interface PostgresLiveHub extends LiveHub {
  close(): Promise<void>;
}

/**
 * Live updates across every Changeboard process on one PostgreSQL database.
 * An update is handed to this process's listeners at once and sent to the
 * others with NOTIFY; each process LISTENs on one dedicated connection and
 * passes on what other processes published. A lost connection is re-opened;
 * boards reload what they show when their own stream reconnects, so an update
 * missed meanwhile costs a refresh, never a wrong board.
 */
export function createPostgresLiveHub(
  connectionString: string,
  local: LiveHub,
  log: (message: string, error?: unknown) => void = () => undefined,
): PostgresLiveHub {
  const origin = randomUUID();
  const notifier = new pg.Pool({ connectionString, max: 2 });
  notifier.on('error', () => undefined);
  let listener: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString });
    client.on('error', (error) => {
      log('live updates: the LISTEN connection failed; re-opening it', error);
      void client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      if (!closed) retry = setTimeout(() => void listen(), 1000);
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        const { from, update } = JSON.parse(message.payload) as {
          from: string;
          update: LiveUpdate;
        };
        if (from !== origin) local.publish(update);
      } catch {
        // Not ours: ignore.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (closed) await client.end();
      else listener = client;
    } catch (error) {
      log('live updates: cannot LISTEN; retrying', error);
      await client.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void listen(), 1000);
    }
  };
  void listen();

  return {
    publish(update) {
      local.publish(update);
      // NOTIFY payloads are limited to 8000 bytes; an update is a few hundred.
      notifier
        .query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ from: origin, update })])
        .catch((error: unknown) => {
          log('live updates: NOTIFY failed', error);
        });
    },
    subscribe: (listenerFn) => local.subscribe(listenerFn),
    async close() {
      closed = true;
      clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await notifier.end().catch(() => undefined);
    },
  };
}
