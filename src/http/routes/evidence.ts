import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getChangeEvidence } from '../../app/change-evidence.js';
import { AppError } from '../../domain/errors.js';
import { formatChangeId, parseChangeId } from '../../domain/change.js';
import type { Policy } from '../../domain/policy.js';
import { parsePolicy } from '../../policy/load.js';
import { RecentlyUsed } from '../../shared/recently-used.js';
import { actorOf } from '../auth.js';
import { ChangeParams, ErrorBody } from '../contract/index.js';
import type { ChangeRouteDeps } from '../deps.js';
import { EVIDENCE_CSP, renderEvidenceReport } from '../evidence-report.js';

/** Policy versions kept parsed: a change cites a few, and an instance runs a few dozen at most. */
const PARSED_POLICIES = 16;

/** GET /changes/{id}/evidence: the change's record and the proof it is intact, as one printable HTML page. */
export function evidenceRoutes(ctx: ChangeRouteDeps): FastifyPluginCallbackTypebox {
  const parsed = new RecentlyUsed<string, { policy: Policy | undefined }>(PARSED_POLICIES);
  // A policy as it was stored; its channels' variables are not needed to read its rules.
  const storedPolicy = (source: string) =>
    parsed.getOrMake(source, () => {
      const result = parsePolicy(source);
      return { policy: result.ok ? result.policy : undefined };
    }).policy;

  return (app, _options, done) => {
    app.get(
      '/changes/:id/evidence',
      {
        schema: {
          tags: ['changes'],
          security: [{ bearer: [] }, { session: [] }],
          summary:
            'The evidence report: the change, its answers, every decision (who, when, for whom, through what, under which policy and rule), meetings, review, timeline and the proof its events are intact, as one self-contained printable HTML page',
          description:
            'Re-hashes the whole history (as `changeboard audit verify` does), so it takes as long; no script and nothing loaded from elsewhere, so the page can be saved, printed to PDF and handed to an auditor.',
          params: ChangeParams,
          produces: ['text/html'],
          response: {
            200: Type.String({ description: 'An HTML document' }),
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const viewer = actorOf(request);
        const id = parseChangeId(request.params.id);
        if (id === undefined) throw new AppError('not_found', `no change ${request.params.id}`);
        // Read per request: the running policy may be replaced while the server runs.
        const policy = ctx.policy;
        const evidence = await getChangeEvidence({ ...ctx, policy }, id, {
          parsePolicy: storedPolicy,
        });
        const report = renderEvidenceReport(evidence, {
          policy,
          publicUrl: ctx.config.publicUrl,
          viewer,
        });
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', EVIDENCE_CSP)
          .header('cache-control', 'private, no-store')
          .header('x-robots-tag', 'noindex')
          .header('content-disposition', `inline; filename="${formatChangeId(id)}-evidence.html"`)
          .send(report);
      },
    );
    done();
  };
}
