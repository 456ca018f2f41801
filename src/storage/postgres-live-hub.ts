import type { LiveHub, LiveUpdate } from '../app/live-updates.js';
import { openPostgresChannel } from './postgres-channel.js';

const CHANNEL = 'changeboard_live';

export interface PostgresLiveHub extends LiveHub {
  close(): Promise<void>;
}

/**
 * Live updates across every Changeboard process on one PostgreSQL database.
 * An update is handed to this process's listeners at once and sent to the
 * others with NOTIFY (postgres-channel.ts). A lost connection is re-opened;
 * boards reload what they show when their own stream reconnects, so an update
 * missed meanwhile costs a refresh, never a wrong board.
 */
export function createPostgresLiveHub(
  connectionString: string,
  local: LiveHub,
  log: (message: string, error?: unknown) => void = () => undefined,
): PostgresLiveHub {
  const channel = openPostgresChannel(
    connectionString,
    CHANNEL,
    (update) => local.publish(update as LiveUpdate),
    (message, error) => log(`live updates: ${message}`, error),
  );
  return {
    publish(update) {
      local.publish(update);
      // An update is a few hundred bytes, well inside NOTIFY's 8000.
      channel.notify(update);
    },
    subscribe: (listener) => local.subscribe(listener),
    close: () => channel.close(),
  };
}
