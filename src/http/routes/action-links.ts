import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { inspectActionLink, useActionLink } from '../../app/action-links.js';
import { formatChangeId, type Change, type Verdict } from '../../domain/change.js';
import { AppError } from '../../domain/errors.js';
import type { ActionLinkRouteDeps } from '../deps.js';
import { authenticateSession } from '../../app/sign-in.js';
import { sessionCookieName } from '../auth.js';
import { escapeHtml, page, servesLinkPages } from '../html.js';

/**
 * The pages behind the Approve / Reject buttons in e-mails. GET only shows the
 * change and a confirm button, so mail scanners that prefetch links decide
 * nothing; the POST of the form decides.
 */
export function actionLinkRoutes(ctx: ActionLinkRouteDeps): FastifyPluginCallback {
  return (app, _options, done) => {
    servesLinkPages(app);

    app.get<{ Params: { token: string } }>(
      '/actions/:token',
      { schema: { hide: true } },
      async (request, reply) => {
        const state = await inspectActionLink(ctx, request.params.token, {
          signedInAs: await signedInPerson(ctx, request),
        });
        if (!state.usable)
          return html(reply, 410, 'This link cannot be used', notice(state.reason, state.change));
        const { link, person, change } = state;
        const verb = link.verdict === 'approve' ? 'Approve' : 'Reject';
        return html(
          reply,
          200,
          `${verb} ${formatChangeId(change.id)}`,
          `<h1>${verb} ${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}?</h1>
<p>You are deciding as <strong>${escapeHtml(person.name)}</strong>. Nothing has happened yet.</p>
${facts(ctx, change)}
<form method="post" action="/actions/${encodeURIComponent(request.params.token)}">
  <label for="comment">${link.verdict === 'reject' ? 'Why are you rejecting it? (required)' : 'Comment (optional)'}</label>
  <textarea id="comment" name="comment"${link.verdict === 'reject' ? ' required' : ''}></textarea>
  <button type="submit" class="${link.verdict}">${verb} ${escapeHtml(formatChangeId(change.id))}</button>
</form>
<p><a href="${escapeHtml(changeUrl(ctx, change))}">Open the change instead</a></p>`,
        );
      },
    );

    app.post<{ Params: { token: string }; Body: { comment?: string } | undefined }>(
      '/actions/:token',
      { schema: { hide: true } },
      async (request, reply) => {
        try {
          const comment =
            typeof request.body?.comment === 'string' ? request.body.comment : undefined;
          const { change, verdict, allMet } = await useActionLink(ctx, request.params.token, {
            comment,
            signedInAs: await signedInPerson(ctx, request),
          });
          const outcome = outcomeOf(change, verdict, allMet);
          return html(
            reply,
            200,
            'Thank you',
            `<div class="notice done" role="status"><strong>You ${verdict === 'approve' ? 'approved' : 'rejected'} ${escapeHtml(formatChangeId(change.id))}.</strong> ${outcome}</div>
${facts(ctx, change)}
<p><a href="${escapeHtml(changeUrl(ctx, change))}">Open the change</a></p>`,
          );
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return html(
            reply,
            error.code === 'invalid_input' ? 400 : 409,
            'Not done',
            notice(error.message),
          );
        }
      },
    );
    done();
  };
}

/** What the decision did to the change, in a sentence. */
function outcomeOf(change: Change, verdict: Verdict, allMet: boolean): string {
  if (change.state === 'approved') return 'It is now approved.';
  if (change.state === 'rejected') return 'It is now rejected.';
  if (change.state === 'pending') return 'It still waits for other approvals.';
  // Started early: it stays under way whatever the decision.
  if (verdict === 'reject')
    return 'It was already started, so it stays under way: your rejection is shown on the change, and a review is required.';
  return allMet
    ? 'It was started early; every approval it needs is now in.'
    : 'It was started early and still waits for other approvals.';
}

function html(reply: FastifyReply, status: number, title: string, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(page(title, body));
}

function changeUrl(ctx: ActionLinkRouteDeps, change: Change): string {
  return `${ctx.config.publicUrl}/changes/${formatChangeId(change.id)}`;
}

function notice(reason: string, change?: Change): string {
  return `<h1>This link cannot be used</h1>
<div class="notice" role="alert">${escapeHtml(reason)}</div>
${change ? `<p><a href="/changes/${escapeHtml(formatChangeId(change.id))}">Open ${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}</a></p>` : ''}`;
}

function facts(ctx: ActionLinkRouteDeps, change: Change): string {
  const name = (id: string) => ctx.policy.people.get(id)?.name ?? id;
  const rows: [string, string][] = [
    ['Requester', change.requester ? name(change.requester) : 'unassigned'],
    ['Type', ctx.policy.changeTypes.get(change.type)?.label ?? change.type],
    ['Services', change.services.map((s) => ctx.policy.services.get(s)?.name ?? s).join(', ')],
    ['State', change.state.replace('_', ' ')],
    ...(change.plannedStart
      ? ([
          [
            'Planned',
            `${change.plannedStart}${change.plannedEnd ? ` – ${change.plannedEnd}` : ''}`,
          ],
        ] as [string, string][])
      : []),
    ...ctx.policy.fields
      .filter((f) => change.answers[f.id] !== undefined)
      .map((f): [string, string] => [f.label, String(change.answers[f.id])]),
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${change.description ? `<p style="white-space:pre-wrap">${escapeHtml(change.description)}</p>` : ''}`;
}

/** The person of a valid web session on this request, if there is one; the link itself needs none. */
async function signedInPerson(
  ctx: ActionLinkRouteDeps,
  request: FastifyRequest,
): Promise<string | undefined> {
  const token = request.cookies[sessionCookieName(ctx.config.publicUrl)];
  if (!token) return undefined;
  try {
    return (await authenticateSession(ctx, token)).person.id;
  } catch {
    return undefined;
  }
}
