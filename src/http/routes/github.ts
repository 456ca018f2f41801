import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { listGithubDeliveries } from '../../app/list-github-deliveries.js';
import { receiveGithubDelivery } from '../../app/receive-github-delivery.js';
import type { GithubRouteDeps } from '../deps.js';
import { AppError, invalidInput, type Issue } from '../../domain/errors.js';
import { describePayload, readNotice } from '../../integrations/github/payloads.js';
import { signatureVerifier } from '../../integrations/github/signature.js';
import { presentDelivery } from '../presenters.js';
import { malformedJson } from '../errors.js';
import {
  ErrorBody,
  GithubDeliveryList,
  ListGithubDeliveriesQuery,
  WebhookReceipt,
} from '../contract/index.js';

/** GitHub sends up to 25 MB; pull request and deployment payloads are far smaller, but include whole repository objects. */
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

/**
 * `POST /api/v1/integrations/github/webhook`: no bearer token, the signature is
 * the authentication. The body arrives as raw bytes (this plugin's own parser),
 * because the HMAC is over exactly those bytes; nothing is parsed before it is
 * verified. All work is a few database writes; GitHub calls go through the outbox.
 */
export function githubWebhookRoutes(ctx: GithubRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const secret = ctx.config.githubWebhookSecret;
    const verifier = secret ? signatureVerifier(secret) : undefined;
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_r, body, next) => next(null, body),
    );

    app.post(
      '/integrations/github/webhook',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags: ['github'],
          summary:
            'GitHub webhook receiver (pull requests, pull request reviews, deployment statuses), authenticated by X-Hub-Signature-256',
          response: {
            200: WebhookReceipt,
            400: ErrorBody,
            401: ErrorBody,
            413: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request) => {
        if (!verifier) {
          throw new AppError(
            'integration_not_configured',
            'GitHub webhooks are not set up here: set GITHUB_WEBHOOK_SECRET to the webhook’s secret',
          );
        }
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const text = await verifier.verify(raw, header(request, 'x-hub-signature-256'));

        const id = header(request, 'x-github-delivery');
        const event = header(request, 'x-github-event');
        const issues: Issue[] = [];
        if (!id || !DELIVERY_ID.test(id))
          issues.push({ path: 'headers.x-github-delivery', message: 'must be the delivery id' });
        if (!event || !EVENT_NAME.test(event))
          issues.push({ path: 'headers.x-github-event', message: 'must be the event name' });
        if (issues.length > 0 || !id || !event) throw invalidInput(issues);

        const payload = parsePayload(text, header(request, 'content-type'));
        const notice = readNotice(event, payload);
        const receipt = await receiveGithubDelivery(
          ctx,
          { id, event, ...describePayload(payload) },
          notice,
        );
        return { ...presentDelivery(receipt.delivery), duplicate: receipt.duplicate };
      },
    );
    done();
  };
}

/** `GET /api/v1/integrations/github/deliveries`: what arrived in the last 30 days and what came of it. */
export function githubDeliveryRoutes(ctx: GithubRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/integrations/github/deliveries',
      {
        schema: {
          tags: ['github'],
          security: [{ bearer: [] }],
          summary:
            'GitHub webhook deliveries of the last 30 days, newest first, with their outcome',
          querystring: ListGithubDeliveriesQuery,
          response: { 200: GithubDeliveryList, 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        const before = cursor === undefined ? undefined : decodeCursor(cursor);
        const page = await listGithubDeliveries(ctx.store.read, { limit, before });
        return {
          items: page.items.map(presentDelivery),
          nextCursor: page.next ? encodeCursor(page.next) : null,
        };
      },
    );
    done();
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** GitHub posts either JSON or, if the webhook is set to form encoding, `payload=<JSON>`. */
function parsePayload(text: string, contentType: string | undefined): unknown {
  let json = text;
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw malformedJson('a form-encoded delivery needs a payload field');
    json = payload;
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw malformedJson((error as Error).message);
  }
}

function encodeCursor(next: { receivedAt: string; id: string }): string {
  return Buffer.from(`${next.receivedAt}|${next.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { receivedAt: string; id: string } {
  const match = /^([0-9T:.Z-]+)\|([A-Za-z0-9-]+)$/.exec(
    Buffer.from(cursor, 'base64url').toString(),
  );
  if (!match)
    throw invalidInput([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
  return { receivedAt: match[1]!, id: match[2]! };
}
