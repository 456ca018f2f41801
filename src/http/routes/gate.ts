import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { checkGate, type GateQuery as GateInput } from '../../app/check-gate.js';
import type { GateRouteDeps } from '../deps.js';
import { AppError, invalidInput } from '../../domain/errors.js';
import { parseChangeId } from '../../domain/change.js';
import { presentGate } from '../presenters.js';
import { ErrorBody, GateQuery, GateView } from '../contract/index.js';

/** `GET /api/v1/gate`: may a pipeline deploy this commit (or this change) now? `changeboard gate` asks this. */
export function gateRoutes(ctx: GateRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const presentCtx = {
      policy: ctx.policy,
      publicUrl: ctx.config.publicUrl,
      now: () => ctx.clock.now(),
    };
    app.get(
      '/gate',
      {
        schema: {
          tags: ['gate'],
          security: [{ bearer: [] }],
          summary:
            'Is this commit (repo + sha) or this change covered by an approved change? Always 200 with the answer; 404 for an unknown change',
          querystring: GateQuery,
          response: { 200: GateView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const answer = await checkGate(ctx, ctx.store.read, gateInput(request.query));
        return presentGate(presentCtx, answer);
      },
    );
    done();
  };
}

function gateInput(query: { repo?: string; sha?: string; change?: string }): GateInput {
  if (query.change !== undefined) {
    if (query.repo !== undefined || query.sha !== undefined)
      throw invalidInput([
        { path: 'query.change', message: 'ask either for a change or for repo and sha, not both' },
      ]);
    const changeId = parseChangeId(query.change);
    if (changeId === undefined) throw new AppError('not_found', `no change ${query.change}`);
    return { changeId };
  }
  if (query.repo === undefined || query.sha === undefined)
    throw invalidInput(
      [
        ...(query.repo === undefined
          ? [{ path: 'query.repo', message: 'is required with sha' }]
          : []),
        ...(query.sha === undefined
          ? [{ path: 'query.sha', message: 'is required with repo' }]
          : []),
      ],
      'name a commit (repo and sha) or a change (change)',
    );
  return { repository: query.repo, sha: query.sha };
}
