import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { PolicyRouteDeps } from '../deps.js';
import { presentPolicy, presentRecurringFreezes } from '../presenters.js';
import {
  ApplyPolicyBody,
  ErrorBody,
  PolicyApplicationView,
  PolicyHistoryView,
  PolicyView,
} from '../contract/index.js';
import { applyPolicy, listPolicyHistory, policyDepsOf } from '../../app/apply-policy.js';
import { AppError } from '../../domain/errors.js';
import { actorOf } from '../auth.js';

export function policyRoutes(ctx: PolicyRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    // Presented once per policy in force; a policy applied since is presented afresh.
    let presented: { hash: string; body: ReturnType<typeof presentPolicy> } | undefined;
    const bodyFor = () => {
      if (presented?.hash !== ctx.policy.hash)
        presented = { hash: ctx.policy.hash, body: presentPolicy(ctx.policy, ctx.clock.now()) };
      return presented.body;
    };
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
          ? bodyFor()
          : {
              ...bodyFor(),
              recurringFreezes: presentRecurringFreezes(ctx.policy, ctx.clock.now()),
            },
    );
    app.post(
      '/policy',
      {
        schema: {
          tags: ['policy'],
          security: [{ bearer: [] }],
          summary:
            'Apply a new policy (admins): checked as at start-up, then in force in every process at once, and recorded as a `policy-changed` event',
          body: ApplyPolicyBody,
          response: {
            200: PolicyApplicationView,
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        if (!actor.admin) throw new AppError('forbidden', 'only an admin may apply a policy');
        return applyPolicy(policyDepsOf(ctx), actor.id, request.body.source);
      },
    );
    app.get(
      '/policy/history',
      {
        schema: {
          tags: ['policy'],
          security: [{ bearer: [] }],
          summary:
            'Every policy version, newest first: who applied each, when, what changed, and which changes in flight it asked more of',
          response: { 200: PolicyHistoryView, 401: ErrorBody },
        },
      },
      () => listPolicyHistory(ctx),
    );
    done();
  };
}
