import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { PolicyRouteDeps } from '../deps.js';
import { presentPolicy, presentRecurringFreezes } from '../presenters.js';
import { ErrorBody, PolicyView } from '../contract/index.js';

export function policyRoutes(ctx: PolicyRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const body = presentPolicy(ctx.policy, ctx.clock.now());
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
      // The recurring freezes' next occurrences depend on the time: worked out per request.
      () =>
        ctx.policy.recurringFreezes.length === 0
          ? body
          : { ...body, recurringFreezes: presentRecurringFreezes(ctx.policy, ctx.clock.now()) },
    );
    done();
  };
}
