import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from '../context.js';
import { createAjv } from '../shared/ajv.js';
import { bearerAuthentication } from './auth.js';
import { handleError, malformedJson } from './errors.js';
import { changeRoutes } from './routes/changes.js';
import { gateRoutes } from './routes/gate.js';
import { githubDeliveryRoutes, githubWebhookRoutes } from './routes/github.js';
import { policyRoutes } from './routes/policy.js';

export const BODY_LIMIT = 256 * 1024;

export interface ServerOptions {
  readonly logger?: FastifyServerOptions['logger'];
}

export async function buildServer(
  ctx: AppContext,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Request ids show up in logs; the client may pass its own to correlate.
    requestIdHeader: 'x-request-id',
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
    done();
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        details: [],
      },
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Changeboard API',
        version: '1',
        description:
          'Asynchronous change approval. Authenticate with `Authorization: Bearer <token>` (create one with `changeboard token create <person>`).',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.get('/healthz', { schema: { hide: true } }, () => ({ ok: true }));
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(
    async (api) => {
      api.addHook('onRequest', bearerAuthentication(ctx));
      await api.register(policyRoutes(ctx));
      await api.register(changeRoutes(ctx));
      await api.register(gateRoutes(ctx));
      await api.register(githubDeliveryRoutes(ctx));
    },
    { prefix: '/api/v1' },
  );
  // Authenticated by its signature, not a bearer token, and parsed from the raw body: its own context.
  await app.register(githubWebhookRoutes(ctx), { prefix: '/api/v1' });
  return app;
}
