import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { agendaOf, listMeetings, meetingById } from '../../app/meetings.js';
import { sendAgendaNow } from '../../notifications/agendas.js';
import { actorOf } from '../auth.js';
import type { MeetingRouteDeps } from '../deps.js';
import { agendaIcs, agendaMarkdown, presentAgenda, presentMeeting } from '../agenda.js';
import {
  AgendaQuery,
  AgendaSent,
  AgendaView,
  ErrorBody,
  MeetingList,
  MeetingParams,
} from '../contract/index.js';

const tags = ['meetings'];
const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** The meetings that remain: each with its next sittings and their agendas, and one agenda in three forms. */
export function meetingRoutes(ctx: MeetingRouteDeps): FastifyPluginCallbackTypebox {
  const agendaCtx = { policy: ctx.policy, publicUrl: ctx.config.publicUrl };
  return (app, _options, done) => {
    app.get(
      '/meetings',
      {
        schema: {
          tags,
          security,
          summary:
            'Every meeting of the policy with its next three sittings and their agendas, and how the last sitting went',
          response: { 200: MeetingList, ...errors },
        },
      },
      async (request) => {
        actorOf(request);
        const meetings = await listMeetings(ctx);
        return { items: meetings.map((overview) => presentMeeting(agendaCtx, overview)) };
      },
    );

    app.get(
      '/meetings/:id/agenda',
      {
        schema: {
          tags,
          security,
          summary:
            'The agenda of one sitting (default: the next one not over) as JSON, Markdown (Accept: text/markdown) or iCalendar (Accept: text/calendar); or say ?format=',
          params: MeetingParams,
          querystring: AgendaQuery,
          produces: ['application/json', 'text/markdown', 'text/calendar'],
          response: {
            200: Type.Union([AgendaView, Type.String()]),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        actorOf(request);
        const meeting = meetingById(ctx.policy, request.params.id);
        const agenda = presentAgenda(agendaCtx, await agendaOf(ctx, meeting.id, request.query.at));
        const format = request.query.format ?? formatAccepted(request.headers.accept);
        if (format === 'markdown')
          return reply
            .type('text/markdown; charset=utf-8')
            .header('cache-control', 'private, no-store')
            .send(agendaMarkdown(agendaCtx, agenda));
        if (format === 'ics')
          return reply
            .type('text/calendar; charset=utf-8')
            .header('cache-control', 'private, no-store')
            .header('content-disposition', `inline; filename="${meeting.id}.ics"`)
            .send(agendaIcs(agendaCtx, meeting, agenda));
        return agenda;
      },
    );
    app.post(
      '/meetings/:id/agenda/send',
      {
        schema: {
          tags,
          security,
          summary:
            "E-mail the next sitting's agenda to every attendee now (an attendee or an admin); each copy still waits for its recipient's working hours",
          params: MeetingParams,
          response: { 202: AgendaSent, ...errors, 403: ErrorBody, 409: ErrorBody, 503: ErrorBody },
        },
      },
      async (request, reply) => {
        const meeting = meetingById(ctx.policy, request.params.id);
        const sent = await sendAgendaNow(ctx, actorOf(request), meeting);
        return reply.status(202).send({
          meeting: meeting.id,
          sitting: sent.sitting.start.toISOString(),
          recipients: sent.recipients,
        });
      },
    );
    done();
  };
}

/** The first of Markdown, iCalendar or JSON the Accept header asks for (in its order of preference). */
function formatAccepted(accept: string | undefined): 'json' | 'markdown' | 'ics' {
  const wanted = (accept ?? '')
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type!.trim(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of wanted) {
    if (type === 'text/markdown') return 'markdown';
    if (type === 'text/calendar') return 'ics';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  }
  return 'json';
}
