import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { endAbsence, listPeople, setAbsence, type PersonStatus } from '../../app/absences.js';
import type { Policy } from '../../domain/policy.js';
import { actorOf } from '../auth.js';
import type { PeopleRouteDeps } from '../deps.js';
import {
  AbsenceBody,
  ErrorBody,
  PeopleList,
  PersonParams,
  PersonStatusView,
  type PersonStatusJson,
} from '../contract/index.js';

const tags = ['people'];
const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export function peopleRoutes(ctx: PeopleRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const personNow = async (id: string) =>
      (await listPeople(ctx.store.read, ctx.policy, ctx.clock.now())).find(
        (status) => status.person.id === id,
      )!;

    app.get(
      '/people',
      {
        schema: {
          tags,
          security,
          summary: 'Everyone in the policy: who is away now, until when, and who decides for them',
          response: { 200: PeopleList, ...errors },
        },
      },
      async () => ({
        items: (await listPeople(ctx.store.read, ctx.policy, ctx.clock.now())).map((status) =>
          presentPerson(ctx.policy, status),
        ),
      }),
    );

    app.put(
      '/people/:id/absence',
      {
        schema: {
          tags,
          security,
          summary:
            'Record an absence (yourself, or anyone as an admin): approval requests go to the delegate, else the deputy, else the rest of the group',
          params: PersonParams,
          body: AbsenceBody,
          response: { 200: PersonStatusView, ...errors },
        },
      },
      async (request) => {
        const id = personId(request);
        await setAbsence(ctx, actorOf(request), id, request.body);
        return presentPerson(ctx.policy, await personNow(id));
      },
    );

    app.delete(
      '/people/:id/absence',
      {
        schema: {
          tags,
          security,
          summary: 'End an absence now: open approval requests go back to the person',
          params: PersonParams,
          response: { 200: PersonStatusView, ...errors },
        },
      },
      async (request) => {
        const id = personId(request);
        await endAbsence(ctx, actorOf(request), id);
        return presentPerson(ctx.policy, await personNow(id));
      },
    );
    done();
  };
}

/** `me` is the caller. */
function personId(request: FastifyRequest & { params: { id: string } }): string {
  return request.params.id === 'me' ? actorOf(request).id : request.params.id;
}

function presentPerson(policy: Policy, status: PersonStatus): PersonStatusJson {
  const { person, absence } = status;
  return {
    id: person.id,
    name: person.name,
    timezone: person.timezone,
    groups: [...policy.groups].filter(([, members]) => members.includes(person.id)).map(([g]) => g),
    admin: person.admin,
    external: person.external,
    deputy: person.deputy ?? null,
    absent: status.absent,
    delegate: status.delegate ?? null,
    absence: absence
      ? {
          from: absence.from,
          until: absence.until,
          delegate: absence.delegate,
          note: absence.note,
          setBy: absence.setBy,
          setAt: absence.setAt,
        }
      : null,
  };
}
