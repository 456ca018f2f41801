import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { PolicyRouteDeps } from '../deps.js';
import { presentPolicy } from '../presenters.js';
import { ErrorBody, PolicyView } from '../contract/index.js';

export function policyRoutes(ctx: PolicyRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const body = presentPolicy(ctx.policy);
    app.get(
      '/policy',
      {
        schema: {
          tags: ['policy'],
          security: [{ bearer: [] }],
          summary:
            'The loaded policy as the UI needs it: people, groups, fields, services, change types, freezes, meetings',
          response: { 200: PolicyView, 401: ErrorBody },
        },
      },
      () => body,
    );
    done();
  };
}
