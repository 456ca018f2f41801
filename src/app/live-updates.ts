import { formatChangeId, type Change, type ChangeState } from '../domain/change.js';
import type { AuditEvent, EventType } from '../domain/events.js';
import type { EventSubscriber } from './ports.js';

/** What an open board hears when a change's events are committed: enough to know what to reload. */
export interface LiveUpdate {
  readonly changeId: string;
  readonly state: ChangeState;
  readonly version: number;
  readonly events: readonly EventType[];
  readonly actor: string;
  readonly at: string;
}

/**
 * Publish/subscribe for live updates. In one process it is an in-memory fan-out
 * (src/shared/in-process-hub.ts); several processes on PostgreSQL can put
 * LISTEN/NOTIFY behind the same interface.
 */
export interface LiveHub {
  publish(update: LiveUpdate): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (update: LiveUpdate) => void): () => void;
}

/** Publishes one update per committed batch of events, never for work that rolled back. */
export function liveUpdatesSubscriber(hub: LiveHub): EventSubscriber {
  return {
    afterCommit(events: readonly AuditEvent[], change: Change) {
      const last = events.at(-1);
      if (!last) return;
      try {
        hub.publish({
          changeId: formatChangeId(change.id),
          state: change.state,
          version: change.version,
          events: events.map((e) => e.type),
          actor: last.actor,
          at: last.at,
        });
      } catch {
        // A live update is a convenience: the board also reloads when it reconnects.
      }
    },
  };
}
