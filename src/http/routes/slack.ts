import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import { SlackInteractions } from '../../integrations/slack/interactions.js';
import { verifySlackSignature } from '../../integrations/slack/signature.js';
import { ErrorBody } from '../contract/index.js';
import type { SlackRouteDeps } from '../deps.js';

/** Slack's interaction payloads are small; a modal's state with a long reason stays far below this. */
const BODY_LIMIT = 256 * 1024;

/**
 * `POST /api/v1/integrations/slack/interactions`: Slack's Interactivity
 * Request URL. No bearer token: the v0 signature is the authentication, checked
 * on the raw bytes (this plugin's own parser keeps them raw) before the form or
 * its JSON is read. Slack wants an answer within three seconds (and retries
 * otherwise): a decision is a few database writes, made before answering; the
 * message updates go through the outbox, and what the interactions say or
 * update in Slack themselves is done after the answer (SlackMessenger.inBackground).
 */
export function slackRoutes(ctx: SlackRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const interactions = new SlackInteractions({
      ...ctx,
      client: ctx.slack.client,
      messenger: ctx.slack,
      publicUrl: ctx.config.publicUrl,
      log: (message, data) => app.log.warn(data, message),
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_r, body, next) =>
      next(null, body),
    );

    app.post(
      '/integrations/slack/interactions',
      {
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['slack'],
          summary:
            'Slack interactivity (Approve and Reject buttons, the reason form), authenticated by X-Slack-Signature',
          response: {
            200: Type.Unknown({
              description:
                'Empty (acknowledged), or for the reason form `{ response_action: "errors", errors }`',
            }),
            401: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const signingSecret = ctx.config.slack.signingSecret;
        if (!signingSecret)
          throw new AppError(
            'integration_not_configured',
            'Slack is not set up here: set SLACK_SIGNING_SECRET to the Slack app’s signing secret',
          );
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const check = verifySlackSignature({
          signingSecret,
          body,
          timestamp: header(request, 'x-slack-request-timestamp'),
          signature: header(request, 'x-slack-signature'),
          nowMs: ctx.clock.now().getTime(),
        });
        if (!check.ok) throw new AppError('unauthenticated', check.reason);

        const payload = readPayload(body);
        if (payload?.type === 'block_actions') {
          await interactions.blockAction(payload as never);
          return reply.status(200).send(undefined);
        }
        if (payload?.type === 'view_submission') {
          const answer = await interactions.viewSubmission(payload as never);
          return answer ? reply.status(200).send(answer) : reply.status(200).send(undefined);
        }
        // Anything else (a modal closed, a shortcut) is acknowledged and ignored.
        return reply.status(200).send(undefined);
      },
    );
    done();
  };
}

/** `payload=<JSON>` as Slack posts it; undefined for anything else. */
function readPayload(body: Buffer): { type?: unknown; user?: { id?: unknown } } | undefined {
  const text = new URLSearchParams(body.toString('utf8')).get('payload');
  if (!text) return undefined;
  try {
    const payload = JSON.parse(text) as { type?: unknown; user?: { id?: unknown } };
    return typeof payload === 'object' && payload !== null && typeof payload.user?.id === 'string'
      ? payload
      : undefined;
  } catch {
    return undefined;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
