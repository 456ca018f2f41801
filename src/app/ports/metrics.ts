import type { Verdict } from '../../domain/change.js';

/**
 * What the service counts for its operator. The composition root wires a
 * Prometheus implementation (src/metrics/prometheus.ts); everything else sees
 * only this port, and most callers only the one method they need
 * (`Pick<Metrics, 'delivery'>`). Every method is cheap, synchronous and never
 * throws: counting must not fail or slow the work it counts.
 */
export interface Metrics {
  /** An answered HTTP request; `route` is the route's template (`/api/v1/changes/:id`), never the URL. */
  httpRequest(request: { method: string; route: string; status: number; seconds: number }): void;
  /** One approver's decision, as committed. `via` says how it was given (`board`, `external-link`). */
  decision(verdict: Verdict, via: string): void;
  /** A change approved or rejected, `seconds` after it was submitted for approval. */
  changeDecided(decided: { type: string; outcome: 'approved' | 'rejected'; seconds: number }): void;
  /** One delivery attempt of an outbox message of `kind` (the channel), and how it ended. */
  delivery(kind: string, result: DeliveryResult): void;
  /** A reminder or escalation written to the outbox (once per change and round). */
  nudgeSent(kind: NudgeMetricKind): void;
  /** How many transactions ran together in one group commit (one database commit). */
  groupCommitBatch(size: number): void;
  /** A live-updates stream opened (+1) or closed (-1). */
  liveClients(delta: 1 | -1): void;
}

/**
 * sent: delivered; skipped: no longer needed, so not sent; failed: will be
 * tried again; dead: given up (permanent error, or out of attempts).
 */
export type DeliveryResult = 'sent' | 'skipped' | 'failed' | 'dead';

export type NudgeMetricKind = 'reminder' | 'escalation' | 'review-reminder' | 'review-escalation';

/** Counts nothing: for the CLI, storage-level tests and anything built without a registry. */
export const noMetrics: Metrics = {
  httpRequest: () => undefined,
  decision: () => undefined,
  changeDecided: () => undefined,
  delivery: () => undefined,
  nudgeSent: () => undefined,
  groupCommitBatch: () => undefined,
  liveClients: () => undefined,
};
