import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getInsights, getPeriodInMemory } from '../../app/insights.js';
import { actorOf } from '../auth.js';
import type { AppDeps } from '../../app/deps.js';
import { ErrorBody, InsightsQuery, InsightsView } from '../contract/index.js';
import { insightsCsv, presentInsights } from '../insights-report.js';

const tags = ['insights'];
const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody };

/** Is async working? The approval step's figures for a period, as JSON and as one CSV row per change. */
export function insightsRoutes(ctx: AppDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/insights',
      {
        schema: {
          tags,
          security,
          summary:
            'Is async working? Time to decision, rates, failure rate, the CAB it replaced and the changes that could become standard, for the changes created in a period',
          querystring: InsightsQuery,
          response: { 200: InsightsView, ...errors },
        },
      },
      async (request, reply) => {
        actorOf(request);
        const insights = await getInsights(ctx, request.query);
        return reply.header('cache-control', 'private, no-store').send(presentInsights(insights));
      },
    );

    app.get(
      '/insights/changes.csv',
      {
        schema: {
          tags,
          security,
          summary:
            'One row per change of the period with its timings, for spreadsheets and auditors',
          querystring: InsightsQuery,
          produces: ['text/csv'],
          response: { 200: Type.String(), ...errors },
        },
      },
      async (request, reply) => {
        actorOf(request);
        // A row per change: the one export that reads the period change by change.
        const period = await getPeriodInMemory(ctx, request.query);
        const { from, to } = period.insights;
        const name = `changeboard-changes-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('cache-control', 'private, no-store')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(insightsCsv(period));
      },
    );
    done();
  };
}
