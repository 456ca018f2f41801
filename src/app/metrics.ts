import type { Change } from '../domain/change.js';
import type { AuditEvent } from '../domain/events.js';
import type { LiveHub } from './live-updates.js';
import type { EventSubscriber, Metrics } from './ports.js';

/**
 * Decisions and time to decision, counted from the events each use case
 * records, after they are committed: no use case (and no domain rule) knows it
 * is measured, and work that rolled back is never counted.
 */
export function metricsSubscriber(
  metrics: Pick<Metrics, 'decision' | 'changeDecided'>,
): EventSubscriber {
  return {
    afterCommit(events: readonly AuditEvent[], change: Change) {
      for (const event of events) {
        if (event.type === 'approval-granted' || event.type === 'approval-rejected')
          metrics.decision(
            event.type === 'approval-granted' ? 'approve' : 'reject',
            // Decisions given outside the board record how (`email-link`, `external-link`).
            typeof event.data.via === 'string' ? event.data.via : 'board',
          );
        if ((event.type === 'approved' || event.type === 'rejected') && change.submittedAt) {
          const seconds = (Date.parse(event.at) - Date.parse(change.submittedAt)) / 1000;
          if (Number.isFinite(seconds))
            metrics.changeDecided({
              type: change.type,
              outcome: event.type,
              seconds: Math.max(0, seconds),
            });
        }
      }
    },
  };
}

/** The hub, counting its listeners: each is one open live-updates stream. */
export function countingLiveClients(hub: LiveHub, metrics: Pick<Metrics, 'liveClients'>): LiveHub {
  return {
    publish: (update) => hub.publish(update),
    subscribe(listener) {
      const unsubscribe = hub.subscribe(listener);
      metrics.liveClients(1);
      let subscribed = true;
      return () => {
        unsubscribe();
        // A stream is stopped both when the server closes it and when its socket closes.
        if (subscribed) metrics.liveClients(-1);
        subscribed = false;
      };
    },
  };
}
