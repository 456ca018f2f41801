import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { WebResponse } from '@microsoft/agents-hosting';
import { AppError } from '../../domain/errors.js';
import type { TeamsBot } from '../../integrations/teams/bot.js';

/** Teams sends activities of a few kilobytes; a card action with a long comment stays far below this. */
const ACTIVITY_BODY_LIMIT = 256 * 1024;

/** The SDK's response surface (express-like), collected and then sent by Fastify. */
class CollectedResponse implements WebResponse {
  statusCode = 200;
  body: unknown;
  readonly headers: Record<string, string> = {};
  headersSent = false;
  writableEnded = false;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    this.writableEnded = true;
    return this;
  }
}

/**
 * The Teams bot's messaging endpoint. The SDK authenticates every activity
 * (the Bot Connector's JWT: signature, audience, issuer, expiry; the
 * serviceUrl against its claim, which it must have, and against the Bot
 * Connector hosts) before the bot sees it.
 */
export function teamsRoutes(ctx: { teamsBot?: TeamsBot }): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.post(
      '/integrations/teams/messages',
      {
        bodyLimit: ACTIVITY_BODY_LIMIT,
        schema: {
          tags: ['teams'],
          summary:
            "The Teams bot's messaging endpoint (Bot Framework activities), authenticated by the Bot Connector's JWT",
        },
      },
      async (request, reply) => {
        const bot = ctx.teamsBot;
        if (!bot)
          throw new AppError(
            'integration_not_configured',
            'the Teams bot is not set up here: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID',
          );
        const req: {
          body: Record<string, unknown> | undefined;
          headers: Record<string, string | string[] | undefined>;
          method: string;
          /** The token's verified claims, set by authorizeRequest. */
          user?: Record<string, unknown>;
        } = {
          body: (request.body ?? undefined) as Record<string, unknown> | undefined,
          headers: request.headers,
          method: request.method,
        };
        const res = new CollectedResponse();
        let authorized = false;
        await bot.adapter.authorizeRequest(req, res, () => {
          authorized = true;
        });
        if (!authorized) {
          const detail = (res.body as Record<string, unknown> | undefined)?.['jwt-auth-error'];
          throw new AppError(
            'unauthenticated',
            `the activity's token was refused${typeof detail === 'string' ? `: ${detail}` : ''}`,
          );
        }
        // The Bot Connector's tokens name the serviceUrl they may be answered at. The SDK
        // only compares it when present, and other tokens for this app id (client
        // credentials from the tenant) have none: they could name any serviceUrl, and the
        // bot's reply, with its token, would go there.
        if (typeof req.user?.serviceurl !== 'string')
          throw new AppError(
            'unauthenticated',
            "the activity's token was refused: it is not the Bot Connector's (no serviceurl claim)",
          );
        if (typeof req.body !== 'object' || req.body === null)
          throw new AppError('invalid_input', 'the body must be a Bot Framework activity');
        await bot.adapter.process(req, res, (context) => bot.handle(context));
        if (res.statusCode === 400)
          throw new AppError(
            'invalid_input',
            'the activity was refused (no conversation, or a serviceUrl its token does not allow)',
          );
        void reply.code(res.statusCode).headers(res.headers);
        return res.body ?? '';
      },
    );
    done();
  };
}
