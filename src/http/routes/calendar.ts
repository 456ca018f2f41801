import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { DateTime } from 'luxon';
import { listChanges } from '../../app/read-changes.js';
import { formatChangeId, type ChangeState } from '../../domain/change.js';
import { invalidInput } from '../../domain/errors.js';
import type { CalendarRouteDeps } from '../deps.js';
import { replaceCalendarFeed } from '../../app/tokens.js';
import { actorOf } from '../auth.js';
import { CalendarFeedView, CalendarQuery, ErrorBody } from '../contract/index.js';
import { icalendarRecurrence } from '../../policy/schedule.js';
import { vtimezone } from '../vtimezone.js';
import { Type } from 'typebox';

const DAY_MS = 24 * 3_600_000;
/** What a calendar shows: three months back, a year ahead. */
const PAST_MS = 90 * DAY_MS;
const FUTURE_MS = 365 * DAY_MS;
const MAX_CHANGES = 1000;
const SHOWN_STATES: ChangeState[] = ['pending', 'approved', 'in_progress', 'completed', 'verified'];
/** A change planned without an end shows as half an hour. */
const DEFAULT_LENGTH_MS = 30 * 60_000;

/**
 * GET /calendar.ics: planned changes and freezes as an iCalendar feed; with
 * `?feed=` for calendar apps, which subscribe to a link and send no header.
 * POST /calendar/feed: that link, for the caller.
 */
export function calendarRoutes(ctx: CalendarRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.post(
      '/calendar/feed',
      {
        schema: {
          tags: ['calendar'],
          security: [{ bearer: [] }, { session: [] }],
          summary:
            'A calendar feed link for the caller, to subscribe to in a calendar app; it replaces (turns off) their previous one',
          response: { 201: CalendarFeedView, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const { url, record } = await replaceCalendarFeed(
          { ...ctx, publicUrl: ctx.config.publicUrl },
          actorOf(request).id,
        );
        return reply.status(201).send({ url, createdAt: record.createdAt });
      },
    );

    app.get(
      '/calendar.ics',
      {
        config: { calendarFeed: true },
        schema: {
          tags: ['calendar'],
          security: [{ bearer: [] }, { session: [] }, { calendarFeed: [] }],
          summary:
            'Planned changes (pending to verified, three months back to a year ahead) and freezes as iCalendar',
          querystring: CalendarQuery,
          produces: ['text/calendar'],
          response: {
            200: Type.String({ description: 'An iCalendar (RFC 5545) document' }),
            400: ErrorBody,
            401: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const services = request.query.service
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = (services ?? []).filter((s) => !ctx.policy.services.has(s));
        if (unknown.length > 0)
          throw invalidInput(
            unknown.map((s) => ({
              path: 'query.service',
              message: `unknown service "${s}"; the policy has: ${[...ctx.policy.services.keys()].join(', ')}`,
            })),
          );
        const now = ctx.clock.now().getTime();
        const page = await listChanges(
          ctx.store.read,
          {
            states: SHOWN_STATES,
            services,
            plannedFrom: new Date(now - PAST_MS).toISOString(),
            plannedTo: new Date(now + FUTURE_MS).toISOString(),
            limit: MAX_CHANGES,
          },
          { policy: ctx.policy, cache: ctx.changeCache },
        );
        const calendar = ical({
          name: `Changeboard – ${ctx.policy.organization}`,
          prodId: { company: 'Changeboard', product: 'changeboard', language: 'EN' },
          url: `${ctx.config.publicUrl}/calendar`,
          // No calendar-wide zone: each event that names one gets its VTIMEZONE.
          timezone: {
            name: null,
            generator: (zone) => vtimezone(zone, new Date(now).getUTCFullYear()),
          },
        });
        for (const { change } of page.items) {
          if (!change.plannedStart) continue;
          const start = new Date(change.plannedStart);
          const id = formatChangeId(change.id);
          calendar.createEvent({
            id: `${id.toLowerCase()}@changeboard`,
            start,
            end: change.plannedEnd
              ? new Date(change.plannedEnd)
              : new Date(start.getTime() + DEFAULT_LENGTH_MS),
            summary: `${id} ${change.title}`,
            description: `${change.state.replace('_', ' ')} · ${change.type} · ${change.services.join(', ')}\n${ctx.config.publicUrl}/changes/${id}`,
            url: `${ctx.config.publicUrl}/changes/${id}`,
            status:
              change.state === 'pending' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
            sequence: change.version,
            lastModified: new Date(change.updatedAt),
            categories: change.services.map((name) => ({ name })),
          });
        }
        const shown = (freeze: { readonly services: readonly string[] }) =>
          !services?.length ||
          freeze.services.length === 0 ||
          freeze.services.some((s) => services.includes(s));
        const describe = (freeze: {
          readonly allow: readonly string[];
          readonly services: readonly string[];
        }) =>
          `Only ${freeze.allow.join(', ') || 'no'} changes may start${freeze.services.length > 0 ? ` on ${freeze.services.join(', ')}` : ''}.`;
        for (const freeze of ctx.policy.freezes) {
          if (!shown(freeze)) continue;
          calendar.createEvent({
            id: `freeze-${freeze.from.toISOString()}-${freeze.name}@changeboard`.replace(
              /\s+/g,
              '-',
            ),
            start: freeze.from,
            end: freeze.to,
            summary: `Freeze: ${freeze.name}`,
            description: describe(freeze),
            transparency: ICalEventTransparency.TRANSPARENT,
          });
        }
        // A recurring freeze is one event that repeats, in the freeze's own time zone,
        // so a calendar app keeps it at 15:00 London across daylight saving as we do.
        for (const freeze of ctx.policy.recurringFreezes) {
          const recurrence = shown(freeze) ? icalendarRecurrence(freeze.schedule) : undefined;
          if (!recurrence) continue;
          const { timezone } = freeze.schedule;
          calendar.createEvent({
            id: `freeze-${freeze.name}@changeboard`.replace(/\s+/g, '-'),
            start: DateTime.fromJSDate(recurrence.first.start, { zone: timezone }),
            end: DateTime.fromJSDate(recurrence.first.end, { zone: timezone }),
            timezone,
            repeating: recurrence.rrule,
            summary: `Freeze: ${freeze.name}`,
            description: describe(freeze),
            transparency: ICalEventTransparency.TRANSPARENT,
          });
        }
        return (
          reply
            .type('text/calendar; charset=utf-8')
            // The link may carry a secret: no shared cache keeps the answer.
            .header('cache-control', 'private, no-store')
            .header('content-disposition', 'inline; filename="changeboard.ics"')
            .send(calendar.toString())
        );
      },
    );
    done();
  };
}
