import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { listDeliveries, retryDelivery } from '../../app/deliveries.js';
import { OUTBOX_STATUSES, type OutboxMessage, type OutboxStatus } from '../../app/ports.js';
import { formatChangeId, parseChangeId } from '../../domain/change.js';
import { invalidInput } from '../../domain/errors.js';
import type { OutboxRouteDeps } from '../deps.js';
import { actorOf } from '../auth.js';
import {
  OutboxList,
  OutboxParams,
  OutboxMessageView,
  ErrorBody,
  ListOutboxQuery,
} from '../contract/index.js';

const tags = ['outbox'];
const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** The outbox, for admins: what is pending, failed or dead-lettered, and why. */
export function outboxRoutes(ctx: OutboxRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/outbox',
      {
        schema: {
          tags,
          security,
          summary: 'Notification deliveries, newest first (admins)',
          querystring: ListOutboxQuery,
          response: { 200: OutboxList, ...errors },
        },
      },
      async (request) => {
        const statuses = request.query.status
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown =
          statuses?.filter((s) => !(OUTBOX_STATUSES as readonly string[]).includes(s)) ?? [];
        if (unknown.length)
          throw invalidInput(
            unknown.map((s) => ({
              path: 'query.status',
              message: `unknown status "${s}"; expected one of: ${OUTBOX_STATUSES.join(', ')}`,
            })),
          );
        const { items, counts } = await listDeliveries(ctx, actorOf(request), {
          statuses: statuses as OutboxStatus[] | undefined,
          changeId: request.query.change ? parseChangeId(request.query.change) : undefined,
          limit: request.query.limit ?? 100,
        });
        return { items: items.map(presentOutboxMessage), counts };
      },
    );
    app.post(
      '/outbox/:id/retry',
      {
        schema: {
          tags,
          security,
          summary: 'Retry a failed or dead delivery now (admins)',
          params: OutboxParams,
          response: { 200: OutboxMessageView, ...errors },
        },
      },
      async (request) => {
        const message = await retryDelivery(ctx, actorOf(request), request.params.id);
        ctx.dispatcher.wake();
        return presentOutboxMessage(message);
      },
    );
    done();
  };
}

export function presentOutboxMessage(message: OutboxMessage) {
  return {
    id: message.id,
    kind: message.kind,
    target: message.target,
    changeId: message.changeId === null ? null : formatChangeId(message.changeId),
    eventId: message.eventId,
    status: message.status,
    attempts: message.attempts,
    nextAttemptAt: message.nextAttemptAt,
    lastError: message.lastError,
    createdAt: message.createdAt,
    sentAt: message.sentAt,
  };
}
