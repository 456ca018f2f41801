import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { onResponseHookHandler } from 'fastify';
import { checkDatabase } from '../../app/readiness.js';
import { AppError } from '../../domain/errors.js';
import type { OperationsRouteDeps } from '../deps.js';

/**
 * For the platform the service runs on, outside /api/v1 and the OpenAPI
 * document. None needs a person's credentials; none tells a secret.
 *
 * - /healthz, liveness: the process is up and serving. It never touches the
 *   database, so a database outage does not get the process restarted.
 * - /readyz, readiness: the database answers a real query in time, with the
 *   outbox backlog it read. 503 with the reason when it does not, so a load
 *   balancer sends requests elsewhere. A backlog alone never makes it unready:
 *   taking the process out of service would not deliver anything sooner.
 * - /metrics: Prometheus text; with METRICS_TOKEN set, only for its bearer.
 */
export function operationsRoutes(ctx: OperationsRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get('/healthz', { schema: { hide: true } }, () => ({ ok: true }));

    app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const check = await checkDatabase(ctx);
      if (!check.ok) {
        request.log.warn({ err: check.error }, `not ready: ${check.reason}`);
        return reply.status(503).send({
          ready: false,
          reason: check.reason,
          database: { ok: false, latencyMs: check.latencyMs, error: check.reason },
        });
      }
      return {
        ready: true,
        database: { ok: true, latencyMs: check.latencyMs },
        outbox: {
          // Still to deliver: waiting, being sent, or failed and to be tried again.
          pending: check.outbox.undelivered,
          oldestPendingAgeSeconds: Math.round(check.outbox.oldestUndeliveredAgeSeconds),
          retrying: check.outbox.failed,
          dead: check.outbox.dead,
        },
      };
    });

    const expected = ctx.config.metricsToken && digest(ctx.config.metricsToken);
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (expected && !hasBearer(request.headers.authorization, expected)) {
        void reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError(
          'unauthenticated',
          'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
        );
      }
      const text = await ctx.metrics.render();
      return reply.header('cache-control', 'no-store').type(ctx.metrics.contentType).send(text);
    });
    done();
  };
}

/** Counts every answered request by its route's template, so /changes/CHG-1 and /changes/CHG-2 are one series. */
export function countRequests(metrics: OperationsRouteDeps['metrics']): onResponseHookHandler {
  return (request, reply, done) => {
    metrics.httpRequest({
      method: request.method,
      // Unmatched URLs (404s, scanners) share one series instead of one each.
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    done();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compared as digests, in constant time: neither the token's length nor its prefix leaks. */
function hasBearer(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}
