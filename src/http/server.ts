import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import helmet from 'helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServerDeps } from './deps.js';
import { AppError } from '../domain/errors.js';
import { createAjv } from '../shared/ajv.js';
import { authentication, isHttps, sessionCookieName } from './auth.js';
import { handleError, malformedJson, refuseUnacceptableText } from './errors.js';
import { OneLinePerRequest } from './log.js';
import { databaseRateLimitStore } from './rate-limit-store.js';
import { actionLinkRoutes } from './routes/action-links.js';
import { externalLinkRoutes } from './routes/external-links.js';
import { calendarRoutes } from './routes/calendar.js';
import { changeRoutes } from './routes/changes.js';
import { outboxRoutes } from './routes/outbox.js';
import { countRequests, operationsRoutes } from './routes/operations.js';
import { liveRoutes } from './routes/live.js';
import { gateRoutes } from './routes/gate.js';
import { githubDeliveryRoutes, githubWebhookRoutes } from './routes/github.js';
import { teamsRoutes } from './routes/teams.js';
import { slackRoutes } from './routes/slack.js';
import { peopleRoutes } from './routes/people.js';
import { meetingRoutes } from './routes/meetings.js';
import { insightsRoutes } from './routes/insights.js';
import { policyRoutes } from './routes/policy.js';
import { demoRoutes } from './routes/demo.js';
import { sessionRoutes, signInRoutes } from './routes/session.js';
import { DEFAULT_WEB_ROOT, registerWebApp } from './web-app.js';

export const BODY_LIMIT = 256 * 1024;

export interface ServerOptions {
  readonly logger?: FastifyServerOptions['logger'];
  /** `line`: one short line per answered request (for a terminal) instead of Fastify's two JSON records. */
  readonly requestLog?: 'records' | 'line';
  /** The built web app (default: web/dist); false serves the API only. */
  readonly webRoot?: string | false;
  /** How often an idle live stream gets a heartbeat (default 15 s). */
  readonly heartbeatMs?: number;
}

/** TRUST_PROXY as Fastify takes it: a hop count becomes "the nearest n hops". */
function trustedProxies(
  setting: ServerDeps['config']['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

export async function buildServer(
  ctx: ServerDeps,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ...(options.requestLog === 'line' ? { logController: new OneLinePerRequest() } : {}),
    bodyLimit: BODY_LIMIT,
    // Request ids show up in logs; the client may pass its own to correlate.
    requestIdHeader: 'x-request-id',
    trustProxy: trustedProxies(ctx.config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are checked exactly as declared (no type coercion, unknown keys are errors);
  // query strings and path parameters arrive as text and are coerced.
  const bodyAjv = createAjv({ coerceTypes: false, removeAdditional: false, useDefaults: false });
  const textAjv = createAjv({ coerceTypes: true, removeAdditional: false, useDefaults: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(malformedJson((error as Error).message), undefined);
    }
  });

  // A POST without a body is an action without options: validate it as `{}`, which
  // also turns "body must be an object" into the list of what is missing.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined || request.body === null) request.body = {};
    done(refuseUnacceptableText(request));
  });

  app.setErrorHandler(handleError);
  // On the root, before any route is registered: every request is counted, 404s included.
  app.addHook('onResponse', countRequests(ctx.metrics));

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        details: [],
      },
    });
  });

  await app.register(cookie);
  const https = isHttps(ctx.config.publicUrl);
  // The built app loads only its own scripts and styles; nothing inline, nothing third-party.
  // Helmet's middleware is built once: @fastify/helmet rebuilt it, CSP and all, for every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 15552000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });

  // Only routes that ask for it (sign-in e-mails); counted in the database, for every process.
  await app.register(rateLimit, {
    global: false,
    store: databaseRateLimitStore(ctx.store, ctx.clock),
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `too many requests; try again in ${context.after}`),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Changeboard API',
        version: '1',
        description:
          'Asynchronous change approval. Scripts authenticate with `Authorization: Bearer <token>` (create one with `changeboard token create <person>`); the web app with the session cookie, plus the `X-CSRF-Token` header from `GET /api/v1/session` on every state-changing request.',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(ctx.config.publicUrl) },
          calendarFeed: { type: 'apiKey', in: 'query', name: 'feed' },
        },
      },
    },
  });

  // /healthz (liveness), /readyz (the database, the outbox backlog), /metrics (Prometheus).
  await app.register(operationsRoutes(ctx));
  await app.register(actionLinkRoutes(ctx));
  await app.register(externalLinkRoutes(ctx));
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());

  const live = liveRoutes(ctx, { heartbeatMs: options.heartbeatMs ?? 15_000 });
  // Open event streams would keep close() waiting for ever.
  app.addHook('preClose', (done) => {
    live.streams.closeAll();
    done();
  });

  await app.register(signInRoutes(ctx), { prefix: '/api/v1' });
  await app.register(demoRoutes(ctx), { prefix: '/api/v1' });
  await app.register(
    async (api) => {
      api.addHook('onRequest', authentication(ctx));
      await api.register(sessionRoutes(ctx));
      await api.register(policyRoutes(ctx));
      await api.register(peopleRoutes(ctx));
      await api.register(meetingRoutes(ctx));
      await api.register(insightsRoutes(ctx));
      await api.register(changeRoutes(ctx));
      await api.register(outboxRoutes(ctx));
      await api.register(calendarRoutes(ctx));
      await api.register(live.plugin);
      await api.register(gateRoutes(ctx));
      await api.register(githubDeliveryRoutes(ctx));
    },
    { prefix: '/api/v1' },
  );
  // Authenticated by its signature, not a bearer token, and parsed from the raw body: its own context.
  await app.register(githubWebhookRoutes(ctx), { prefix: '/api/v1' });
  // Authenticated by Slack's v0 signature over the raw body: its own context as well.
  await app.register(slackRoutes(ctx), { prefix: '/api/v1' });
  // Authenticated by the Bot Connector's JWT, checked by Microsoft's SDK: its own context too.
  await app.register(teamsRoutes(ctx), { prefix: '/api/v1' });
  if (options.webRoot !== false) registerWebApp(app, options.webRoot ?? DEFAULT_WEB_ROOT);
  return app;
}
