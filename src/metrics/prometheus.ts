import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../app/ports.js';
import type { DatabaseCheck } from '../app/readiness.js';

/** The Metrics port as Prometheus instruments, and the text a scrape gets. */
export interface PrometheusMetrics extends Metrics {
  readonly contentType: string;
  /** Reads the outbox backlog from the database, then renders every metric. */
  render(): Promise<string>;
}

const OUTBOX_STATUSES = ['pending', 'sending', 'failed', 'dead'] as const;

/**
 * One registry per running Changeboard, never prom-client's global one: tests
 * start many apps in one process, and each must count only its own. The
 * process metrics (CPU, memory, event-loop lag, GC) are switched on at the
 * first scrape, so an app nobody scrapes (a CLI command, most tests) starts no
 * event-loop monitor or GC observer.
 */
export function createPrometheusMetrics(options: {
  /** The database probe readiness uses (app/readiness.ts): one indexed query, time-limited. */
  checkDatabase: () => Promise<DatabaseCheck>;
}): PrometheusMetrics {
  const registers = [new Registry()];
  const registry = registers[0]!;

  const httpDuration = new Histogram({
    name: 'changeboard_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route template and status class (2xx, 4xx, …); _count is the number of requests',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const decisions = new Counter({
    name: 'changeboard_decisions_total',
    help: 'Approvers’ decisions recorded, by verdict (approve, reject) and how they were given (board, external-link)',
    labelNames: ['verdict', 'via'] as const,
    registers,
  });
  const timeToDecision = new Histogram({
    name: 'changeboard_time_to_decision_seconds',
    help: 'From a change’s submission to its approval or rejection, by change type and outcome',
    labelNames: ['type', 'outcome'] as const,
    // A minute to a week: approvals take hours, not milliseconds.
    buckets: [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 432000, 604800],
    registers,
  });
  const deliveries = new Counter({
    name: 'changeboard_deliveries_total',
    help: 'Outbox delivery attempts, by channel kind (email, teams, slack, webhook, github-status) and result (sent, skipped, failed, dead)',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const nudges = new Counter({
    name: 'changeboard_nudges_sent_total',
    help: 'Reminders and escalations written to the outbox, by kind (reminder, escalation, review-reminder, review-escalation)',
    labelNames: ['kind'] as const,
    registers,
  });
  const liveClients = new Gauge({
    name: 'changeboard_live_clients',
    help: 'Live-update streams (server-sent events) open on this process',
    registers,
  });
  const batchSizes = new Histogram({
    name: 'changeboard_group_commit_batch_size',
    help: 'Transactions committed together by one group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers,
  });
  const outboxMessages = new Gauge({
    name: 'changeboard_outbox_messages',
    help: 'Outbox messages not delivered, by status (pending, sending, failed: to be retried, dead: given up); the whole database, read at each scrape; NaN while the database does not answer',
    labelNames: ['status'] as const,
    registers,
  });
  const oldestAge = new Gauge({
    name: 'changeboard_outbox_oldest_undelivered_age_seconds',
    help: 'How long the longest-waiting undelivered message has been due (0: nothing due); read at each scrape; NaN while the database does not answer',
    registers,
  });
  const databaseUp = new Gauge({
    name: 'changeboard_database_up',
    help: '1 when the database answered this scrape’s backlog query in time, else 0',
    registers,
  });

  let processMetrics = false;
  return {
    contentType: registry.contentType,
    async render() {
      if (!processMetrics) {
        collectDefaultMetrics({ register: registry });
        processMetrics = true;
      }
      const check = await options.checkDatabase();
      databaseUp.set(check.ok ? 1 : 0);
      for (const status of OUTBOX_STATUSES)
        outboxMessages.set({ status }, check.ok ? check.outbox[status] : Number.NaN);
      oldestAge.set(check.ok ? check.outbox.oldestUndeliveredAgeSeconds : Number.NaN);
      return registry.metrics();
    },
    httpRequest({ method, route, status, seconds }) {
      httpDuration.observe(
        { method, route, status_class: `${Math.floor(status / 100)}xx` },
        seconds,
      );
    },
    decision(verdict, via) {
      decisions.inc({ verdict, via });
    },
    changeDecided({ type, outcome, seconds }) {
      timeToDecision.observe({ type, outcome }, seconds);
    },
    delivery(kind, result) {
      deliveries.inc({ kind, result });
    },
    nudgeSent(kind) {
      nudges.inc({ kind });
    },
    groupCommitBatch(size) {
      batchSizes.observe(size);
    },
    liveClients(delta) {
      liveClients.inc(delta);
    },
  };
}
