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
 *
 * What is sent in one turn of the event loop travels together, in as few
 * NOTIFYs as fit in that limit: a busy process sends a few a second instead of
 * one per change written, each its own statement and commit.
 */
export function openPostgresChannel(
  connectionString: string,
  channel: string,
  onMessage: (payload: unknown) => void,
  log: (message: string, error?: unknown) => void = () => undefined,
): PostgresChannel {
  const origin = randomUUID();
  const notifier = new pg.Pool({ connectionString, max: 1 });
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
      let envelope: Envelope;
      try {
        envelope = JSON.parse(message.payload) as Envelope;
      } catch {
        return; // Not ours: ignore.
      }
      if (envelope.from === origin) return;
      // `payload`: one alone, as every process also of an earlier version sends and reads it.
      for (const payload of envelope.payloads ?? [envelope.payload]) {
        try {
          onMessage(payload);
        } catch (error) {
          log(`${channel}: a message could not be handled`, error);
        }
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

  const pending: string[] = [];
  // One NOTIFY after the other, so the others hear them in the order they were sent;
  // what is sent meanwhile waits and goes together in the next.
  let draining: Promise<void> | undefined;
  const drain = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      for (const text of envelopes(origin, pending.splice(0)))
        await notifier.query('SELECT pg_notify($1, $2)', [channel, text]).then(
          () => undefined,
          (error: unknown) => log(`${channel}: NOTIFY failed`, error),
        );
    }
    draining = undefined;
  };

  return {
    notify(payload) {
      if (closed) return;
      pending.push(JSON.stringify(payload));
      draining ??= drain();
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await draining;
      await notifier.end().catch(() => undefined);
    },
  };
}

interface Envelope {
  from: string;
  payloads?: unknown[];
  payload?: unknown;
}

/** NOTIFY's limit on a payload, in bytes, less room for the envelope. */
const MOST_PER_NOTIFY = 7_800;

/** `payloads` (each JSON text) in as few envelopes as keep under NOTIFY's limit. */
export function envelopes(from: string, payloads: readonly string[]): string[] {
  const texts: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  const close = () => {
    // One alone keeps the shape every earlier version reads.
    if (batch.length === 1) texts.push(`{"from":${JSON.stringify(from)},"payload":${batch[0]}}`);
    else if (batch.length > 1)
      texts.push(`{"from":${JSON.stringify(from)},"payloads":[${batch.join(',')}]}`);
    batch = [];
    bytes = 0;
  };
  for (const payload of payloads) {
    const size = Buffer.byteLength(payload) + 1;
    if (bytes + size > MOST_PER_NOTIFY) close();
    batch.push(payload);
    bytes += size;
  }
  close();
  return texts;
}
