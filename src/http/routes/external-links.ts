import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import {
  decideByExternalLink,
  discussByExternalLink,
  inspectExternalLink,
  type ExternalLinkState,
} from '../../app/external-links.js';
import {
  DISCUSSION_OUTCOMES,
  formatChangeId,
  type Change,
  type DiscussionOutcome,
} from '../../domain/change.js';
import { heldBy } from '../../domain/meetings.js';
import type { Meeting } from '../../domain/policy.js';
import { AppError } from '../../domain/errors.js';
import type { ActionLinkRouteDeps } from '../deps.js';
import { escapeHtml, page, servesLinkPages } from '../html.js';
import { renderMarkdown } from '../markdown.js';
import { formatInstant } from '../../shared/format-instant.js';

type Usable = Extract<ExternalLinkState, { usable: true }>;

/**
 * The page an external approver's link opens: that one change, read-only, with
 * Approve and Reject. GET only shows (mail scanners prefetch links); the POST of
 * the form decides. Nothing on it leads anywhere else in the board.
 */
export function externalLinkRoutes(ctx: ActionLinkRouteDeps): FastifyPluginCallback {
  return (app, _options, done) => {
    servesLinkPages(app);

    app.get<{ Params: { token: string } }>(
      '/external/:token',
      { schema: { hide: true } },
      async (request, reply) => {
        const state = await inspectExternalLink(ctx, request.params.token);
        if (!state.usable) return refusal(reply, state);
        return html(
          reply,
          200,
          `${formatChangeId(state.change.id)}: ${state.change.title}`,
          state.meeting
            ? outcomePage(ctx, state, state.meeting, request.params.token)
            : decisionPage(ctx, state, request.params.token),
        );
      },
    );

    app.post<{
      Params: { token: string };
      Body: { verdict?: string; comment?: string; outcome?: string; minutes?: string } | undefined;
    }>('/external/:token', { schema: { hide: true } }, async (request, reply) => {
      if (request.body?.outcome !== undefined)
        return recordOutcome(ctx, reply, request.params.token, request.body);
      const verdict = request.body?.verdict;
      const comment = typeof request.body?.comment === 'string' ? request.body.comment : undefined;
      if (verdict !== 'approve' && verdict !== 'reject')
        return html(reply, 400, 'Not done', notice('Choose Approve or Reject.'));
      try {
        const { change } = await decideByExternalLink(ctx, request.params.token, {
          verdict,
          comment,
        });
        const held = heldBy(ctx.policy, change).map((m) => m.name);
        const outcome =
          change.state === 'approved'
            ? 'It has every approval it needs now.'
            : change.state === 'rejected'
              ? 'It is rejected; the requester has been told why.'
              : change.state !== 'pending'
                ? // Started early: it stays under way whatever the decision.
                  verdict === 'reject'
                  ? 'It was already started, so it stays under way: the requester has been told why, and a review is required.'
                  : 'It was started early; your approval is recorded on it.'
                : held.length > 0
                  ? `It waits for ${held.join(' and ')} to record its outcome.`
                  : 'It still waits for other approvals.';
        return html(
          reply,
          200,
          'Thank you',
          `<div class="notice done" role="status"><strong>You ${verdict === 'approve' ? 'approved' : 'rejected'} ${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}.</strong> ${outcome}</div>
<p>Your decision is recorded in ${escapeHtml(ctx.policy.organization)}’s change history. You can close this page.</p>`,
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.code === 'invalid_input') {
          // Show the page again, with what was wrong: a rejection needs its reason.
          const state = await inspectExternalLink(ctx, request.params.token);
          if (state.usable)
            return html(
              reply,
              400,
              `${formatChangeId(state.change.id)}: ${state.change.title}`,
              decisionPage(
                ctx,
                state,
                request.params.token,
                'Say why you reject it: the requester needs to know what to change.',
              ),
            );
        }
        return html(reply, 409, 'Not done', notice(error.message));
      }
    });
    done();
  };
}

const OUTCOME_WORDS: Record<DiscussionOutcome, string> = {
  approve: 'approved',
  reject: 'rejected',
  defer: 'deferred to the next sitting',
  noted: 'noted',
};

async function recordOutcome(
  ctx: ActionLinkRouteDeps,
  reply: FastifyReply,
  token: string,
  body: { outcome?: string; minutes?: string },
) {
  const outcome = DISCUSSION_OUTCOMES.find((o) => o === body.outcome);
  const minutes = typeof body.minutes === 'string' ? body.minutes : undefined;
  if (!outcome) return html(reply, 400, 'Not done', notice("Choose the meeting's outcome."));
  try {
    const { change, meeting } = await discussByExternalLink(ctx, token, { outcome, minutes });
    const after =
      change.state === 'approved'
        ? 'It is approved now.'
        : change.state === 'rejected'
          ? 'It is rejected; the requester has been told why.'
          : outcome === 'defer'
            ? 'It stays on the next agenda.'
            : 'It still waits for other approvals.';
    return html(
      reply,
      200,
      'Thank you',
      `<div class="notice done" role="status"><strong>${escapeHtml(meeting.name)} ${escapeHtml(OUTCOME_WORDS[outcome])} ${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}.</strong> ${after}</div>
<p>The outcome is recorded in ${escapeHtml(ctx.policy.organization)}’s change history. You can close this page.</p>`,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'invalid_input') {
      const state = await inspectExternalLink(ctx, token);
      if (state.usable && state.meeting)
        return html(
          reply,
          400,
          `${formatChangeId(state.change.id)}: ${state.change.title}`,
          outcomePage(
            ctx,
            state,
            state.meeting,
            token,
            'Write the minutes: a rejection needs the reason the requester will read.',
          ),
        );
    }
    return html(reply, 409, 'Not done', notice(error.message));
  }
}

/** An agenda link's page: the change, and the meeting's outcome to record. */
function outcomePage(
  ctx: ActionLinkRouteDeps,
  state: Usable,
  meeting: Meeting,
  token: string,
  error?: string,
): string {
  const { person } = state;
  const choice = (value: DiscussionOutcome, label: string, hint: string) =>
    `<label class="choice"><input type="radio" name="outcome" value="${value}" required> <strong>${escapeHtml(label)}</strong> <span class="muted">${escapeHtml(hint)}</span></label>`;
  return `<p class="muted">${escapeHtml(ctx.policy.organization)} asks for ${escapeHtml(meeting.name)}’s outcome, ${escapeHtml(person.name)}.</p>
${changeDetails(ctx, state)}
<form method="post" action="/external/${encodeURIComponent(token)}" aria-label="${escapeHtml(meeting.name)}’s outcome">
  <fieldset><legend>${escapeHtml(meeting.name)}’s outcome</legend>
  ${choice('approve', 'Approve', meeting.hold ? 'releases the hold: it may go ahead once its approvals are in' : 'the meeting agrees')}
  ${choice('reject', 'Reject', 'the change does not go ahead; the minutes say why')}
  ${choice('defer', 'Defer', 'keep it for the next sitting')}
  ${choice('noted', 'Noted', meeting.hold ? 'no objection: releases the hold' : 'seen, no objection')}
  </fieldset>
  <label for="minutes">Minutes <span class="muted">(required to reject)</span></label>
  <textarea id="minutes" name="minutes"${error ? ' aria-invalid="true" aria-describedby="minutes-error"' : ''}></textarea>
  ${error ? `<p class="field-error" id="minutes-error" role="alert">${escapeHtml(error)}</p>` : ''}
  <div class="choices"><button type="submit" class="approve">Record the outcome</button></div>
</form>
<p class="muted small">This link is for you alone, for one outcome on this change, until ${escapeHtml(formatInstant(state.link.expiresAt))}.</p>`;
}

function refusal(reply: FastifyReply, state: Extract<ExternalLinkState, { usable: false }>) {
  const status = state.problem === 'unknown' ? 404 : 410;
  const title =
    state.problem === 'moved' || state.problem === 'not-needed'
      ? 'Nothing to decide'
      : 'This link cannot be used';
  return html(reply, status, title, notice(state.reason, title, state.change));
}

function decisionPage(
  ctx: ActionLinkRouteDeps,
  state: Usable,
  token: string,
  error?: string,
): string {
  const { change, person } = state;
  return `<p class="muted">${escapeHtml(ctx.policy.organization)} asks for your decision, ${escapeHtml(person.name)}.</p>
${changeDetails(ctx, state)}
<form method="post" action="/external/${encodeURIComponent(token)}" aria-label="Your decision">
  <label for="comment">Comment <span class="muted">(required to reject)</span></label>
  <textarea id="comment" name="comment"${error ? ' aria-invalid="true" aria-describedby="comment-error"' : ''}></textarea>
  ${error ? `<p class="field-error" id="comment-error" role="alert">${escapeHtml(error)}</p>` : ''}
  <div class="choices">
    <button type="submit" name="verdict" value="approve" class="approve">Approve ${escapeHtml(formatChangeId(change.id))}</button>
    <button type="submit" name="verdict" value="reject" class="reject">Reject</button>
  </div>
</form>
<p class="muted small">This link is for you alone, for one decision, until ${escapeHtml(formatInstant(state.link.expiresAt))}.</p>`;
}

/** The change as an external person reads it: facts, answers, and where its approvals stand. */
function changeDetails(ctx: ActionLinkRouteDeps, state: Usable): string {
  const { change, person, evaluation, decisions } = state;
  const name = (id: string) => ctx.policy.people.get(id)?.name ?? id;
  const facts: [string, string][] = [
    ['Requested by', change.requester ? name(change.requester) : 'unassigned'],
    ['Type', ctx.policy.changeTypes.get(change.type)?.label ?? change.type],
    ['Services', change.services.map((s) => ctx.policy.services.get(s)?.name ?? s).join(', ')],
    ['Planned', plannedWindow(change, person.timezone)],
  ];
  const answers = ctx.policy.fields
    .filter((f) => change.answers[f.id] !== undefined)
    .map((f): [string, string] => [f.label, answerText(change.answers[f.id]!)]);
  const requirements = evaluation.requirements.map((r) => {
    const group = r.service
      ? `${ctx.policy.services.get(r.service)?.name ?? r.service} approvers`
      : r.group;
    const status = r.met
      ? `approved by ${r.approvedBy.map(name).join(', ')}`
      : r.canApprove.includes(person.id)
        ? `waiting for ${r.count - r.approvedBy.length} more — your decision counts here`
        : `waiting for ${r.count - r.approvedBy.length} more`;
    return `<li><strong>${escapeHtml(group)}</strong>: ${escapeHtml(status)}</li>`;
  });
  const decided = decisions.map(
    (d) =>
      `<li>${escapeHtml(d.standIn ? `${name(d.standIn)}, for ${name(d.person)}` : name(d.person))} ${d.verdict === 'approve' ? 'approved' : 'rejected'}${d.comment ? `: “${escapeHtml(d.comment)}”` : ''}</li>`,
  );
  return `<h1>${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}</h1>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${change.description ? `<h2>What and why</h2><div class="description">${renderMarkdown(change.description)}</div>` : ''}
${answers.length ? `<h2>Answers</h2><dl>${answers.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>` : ''}
<h2>Approvals</h2>
<ul>${requirements.join('')}</ul>
${decided.length ? `<p>Decided so far:</p><ul>${decided.join('')}</ul>` : ''}`;
}

function notice(reason: string, title = 'This link cannot be used', change?: Change): string {
  return `<h1>${escapeHtml(title)}</h1>
<div class="notice" role="alert">${escapeHtml(reason)}</div>
${change ? `<p class="muted">${escapeHtml(formatChangeId(change.id))}: ${escapeHtml(change.title)}</p>` : ''}`;
}

function html(reply: FastifyReply, status: number, title: string, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(page(title, body));
}

function plannedWindow(change: Change, timeZone: string): string {
  if (!change.plannedStart) return 'not planned yet';
  const format = (iso: string) =>
    new Date(iso).toLocaleString('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
  return change.plannedEnd
    ? `${format(change.plannedStart)} – ${format(change.plannedEnd)}`
    : format(change.plannedStart);
}

function answerText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value);
}
