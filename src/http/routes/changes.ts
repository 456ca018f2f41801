import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { moveChange } from '../../app/change-lifecycle.js';
import { claimChange } from '../../app/claim-change.js';
import { commentOnChange } from '../../app/comment-on-change.js';
import { createChange } from '../../app/create-change.js';
import { decideChange } from '../../app/decide-change.js';
import { reviewChange } from '../../app/review-change.js';
import { discussChange } from '../../app/discuss-change.js';
import { editChange } from '../../app/edit-change.js';
import {
  getChange,
  getChangeClock,
  listChangeEvents,
  listChanges,
  type ChangeWithDecisions,
  type PageCursor,
} from '../../app/read-changes.js';
import { catchUpTimings, populationOfQuery } from '../../app/insights.js';
import { listConflicts } from '../../app/list-conflicts.js';
import { submitChange } from '../../app/submit-change.js';
import type { ChangeOrder, ChangeQuery } from '../../app/ports.js';
import type { Presence } from '../../domain/absence.js';
import { inviteExternalApprover } from '../../app/external-links.js';
import { earlyStartTypes } from '../../domain/approval.js';
import {
  CHANGE_STATES,
  formatChangeId,
  parseChangeId,
  MAX_STORED_INTEGER,
  type AnswerValue,
  type ChangeState,
} from '../../domain/change.js';
import { checkAnswer } from '../../domain/fields.js';
import { parseFigure } from '../../domain/insights/rollup.js';
import { findMeeting } from '../../domain/meetings.js';
import { AppError, invalidInput, type Issue } from '../../domain/errors.js';
import type { LifecycleAction } from '../../domain/lifecycle.js';
import type { Person, Policy } from '../../domain/policy.js';
import type { ChangeRouteDeps } from '../deps.js';
import { evidenceRoutes } from './evidence.js';
import { actorOf } from '../auth.js';
import {
  presentChange,
  presentChangeCardJson,
  presentChangeJson,
  presentClock,
  presentConflicts,
  presentEvent,
} from '../presenters.js';
import {
  ActionBody,
  DecisionBody,
  DiscussionBody,
  ReviewBody,
  InvitationBody,
  InvitationView,
  ChangeListResponse,
  ChangeClockView,
  ChangeParams,
  ChangeView,
  CommentBody,
  CreateChangeBody,
  ErrorBody,
  EventList,
  EventView,
  ListChangesQuery,
  PatchChangeBody,
} from '../contract/index.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
};
const tags = ['changes'];
const security = [{ bearer: [] }];

export function changeRoutes(ctx: ChangeRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const presentCtx = {
      policy: ctx.policy,
      publicUrl: ctx.config.publicUrl,
      now: () => ctx.clock.now(),
    };
    const presenceNow = () => ctx.presenceCache.presence(ctx.store.read, ctx.policy);
    // One change, with what its window collides with: a query, so never for a page of the board.
    const presentOne = async (item: ChangeWithDecisions, viewer: Person, presence?: Presence) => ({
      ...presentChange(presentCtx, item, viewer, presence),
      conflicts: presentConflicts(await listConflicts(ctx.store.read, ctx.policy, item.change)),
    });
    const present = async (id: number, viewer: Person) => {
      const [item, presence] = await Promise.all([getChange(ctx.store.read, id), presenceNow()]);
      return presentOne(item, viewer, presence);
    };

    app.post(
      '/changes',
      {
        schema: {
          tags,
          security,
          summary: 'Create a draft change',
          body: CreateChangeBody,
          response: { 201: ChangeView, ...errors },
        },
      },
      async (request, reply) => {
        const change = await createChange(ctx, actorOf(request), request.body);
        // A new draft has no decisions: present what was written, without reading it back.
        return reply
          .status(201)
          .send(await presentOne({ change, decisions: [] }, actorOf(request)));
      },
    );

    app.get(
      '/changes',
      {
        schema: {
          tags,
          security,
          summary: 'List and filter changes, newest first or by planned start',
          querystring: ListChangesQuery,
          response: { 200: ChangeListResponse, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const presence = await presenceNow();
        const query = toChangeQuery(
          ctx.policy,
          actor,
          request.query,
          presence,
          ctx.clock.now().getTime(),
        );
        // A figure is listed from the insights' rollup: caught up for the period first.
        if (query.figure) await catchUpTimings(ctx, populationOfQuery(query));
        const page = await listChanges(ctx.store.read, query, {
          policy: ctx.policy,
          cache: ctx.changeCache,
          presence,
        });
        const items = page.items.map((item) =>
          request.query.view === 'card'
            ? presentChangeCardJson(presentCtx, item, presence)
            : presentChangeJson(presentCtx, item, actor, presence),
        );
        const nextCursor = page.next === undefined ? null : encodeCursor(page.next);
        // A ChangeList, assembled from each change's JSON text (kept per version).
        // Fastify sends a string with a JSON content type as it is, so the response
        // schema does not check it here: tests/contract.test.ts holds it to the schema.
        const body = `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
        return reply.type('application/json; charset=utf-8').send(body as never);
      },
    );

    app.get(
      '/changes/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One change with its requirements and who can still approve',
          params: ChangeParams,
          response: { 200: ChangeView, ...errors },
        },
      },
      async (request) => present(changeId(request.params.id), actorOf(request)),
    );

    app.patch(
      '/changes/:id',
      {
        schema: {
          tags,
          security,
          summary:
            'Edit a draft or pending change (re-computes requirements and withdraws approvals of a pending one)',
          params: ChangeParams,
          body: PatchChangeBody,
          response: { 200: ChangeView, ...errors },
        },
      },
      async (request) => {
        const acted = await editChange(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          request.body,
        );
        return presentOne(acted, actorOf(request), acted.presence);
      },
    );

    const actionSchema = (summary: string) => ({
      tags,
      security,
      summary,
      params: ChangeParams,
      body: ActionBody,
      response: { 200: ChangeView, ...errors },
    });

    app.post(
      '/changes/:id/submit',
      { schema: actionSchema('Submit a draft: validate answers, compute requirements, notify') },
      async (request) => {
        const acted = await submitChange(ctx, actorOf(request), changeId(request.params.id), {
          version: request.body.version,
        });
        return presentOne(acted, actorOf(request), acted.presence);
      },
    );

    app.post(
      '/changes/:id/claim',
      {
        schema: actionSchema(
          'Claim an unassigned draft (one drafted from a pull request whose author is not in the policy): you become its requester',
        ),
      },
      async (request) => {
        const acted = await claimChange(ctx, actorOf(request), changeId(request.params.id), {
          version: request.body.version,
        });
        return presentOne(acted, actorOf(request), acted.presence);
      },
    );

    for (const verdict of ['approve', 'reject'] as const) {
      app.post(
        `/changes/:id/${verdict}`,
        {
          schema: {
            ...actionSchema(
              verdict === 'approve' ? 'Approve (comment optional)' : 'Reject (comment required)',
            ),
            body: DecisionBody,
          },
        },
        async (request) => {
          const acted = await decideChange(
            ctx,
            actorOf(request),
            changeId(request.params.id),
            verdict,
            request.body,
          );
          return presentOne(acted, actorOf(request), acted.presence);
        },
      );
    }

    const lifecycle: Record<LifecycleAction, string> = {
      withdraw: 'Withdraw the change (requester or admin)',
      start: 'Start implementing an approved change (refused inside a freeze)',
      complete: 'Mark the implementation complete',
      fail: 'Mark the implementation failed or rolled back',
      verify: 'Confirm the change works in production (requester or an approver)',
    };
    for (const [action, summary] of Object.entries(lifecycle) as [LifecycleAction, string][]) {
      app.post(`/changes/:id/${action}`, { schema: actionSchema(summary) }, async (request) => {
        const acted = await moveChange(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          action,
          request.body,
        );
        return presentOne(acted, actorOf(request), acted.presence);
      });
    }

    app.post(
      '/changes/:id/invitations',
      {
        schema: {
          tags,
          security,
          summary:
            'Send an external approver (a supplier) a fresh signed link to decide this change (requester or admin)',
          params: ChangeParams,
          body: InvitationBody,
          response: { 202: InvitationView, ...errors },
        },
      },
      async (request, reply) => {
        const { person, change } = await inviteExternalApprover(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          request.body.person,
        );
        return reply
          .status(202)
          .send({ change: formatChangeId(change.id), person: person.id, email: person.email });
      },
    );

    app.post(
      '/changes/:id/discussions',
      {
        schema: {
          tags,
          security,
          summary:
            "Record a meeting's outcome on the change (an attendee of the meeting): approve, reject, defer or noted",
          params: ChangeParams,
          body: DiscussionBody,
          response: { 201: ChangeView, ...errors },
        },
      },
      async (request, reply) => {
        const acted = await discussChange(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          request.body,
        );
        return reply.status(201).send(await presentOne(acted, actorOf(request), acted.presence));
      },
    );

    app.post(
      '/changes/:id/review',
      {
        schema: {
          tags,
          security,
          summary:
            "File the change's post-implementation review (the requester, or someone who may verify it): answers to its review questions",
          params: ChangeParams,
          body: ReviewBody,
          response: { 201: ChangeView, ...errors },
        },
      },
      async (request, reply) => {
        const acted = await reviewChange(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          request.body,
        );
        return reply.status(201).send(await presentOne(acted, actorOf(request), acted.presence));
      },
    );

    app.post(
      '/changes/:id/comments',
      {
        schema: {
          tags,
          security,
          summary: 'Comment on the timeline, or ask the requester a question',
          params: ChangeParams,
          body: CommentBody,
          response: { 201: EventView, ...errors },
        },
      },
      async (request, reply) => {
        const event = await commentOnChange(
          ctx,
          actorOf(request),
          changeId(request.params.id),
          request.body,
        );
        return reply.status(201).send(presentEvent(event));
      },
    );

    app.get(
      '/changes/:id/events',
      {
        schema: {
          tags,
          security,
          summary: 'The timeline: every event of the change, oldest first',
          params: ChangeParams,
          response: { 200: EventList, ...errors },
        },
      },
      async (request) => ({
        items: (await listChangeEvents(ctx.store.read, changeId(request.params.id))).map(
          presentEvent,
        ),
      }),
    );

    app.get(
      '/changes/:id/clock',
      {
        schema: {
          tags,
          security,
          summary: 'How long the change took: created → verified, and the request → each approval',
          description:
            "The seed's clock, from the change's events: created (and submitted) → verified or its end state, the request → each approval of the current round, the approval, and when it was started, completed and verified. Open changes have null totals: count to now. Not part of the change JSON, which lists share and which does not read events.",
          params: ChangeParams,
          response: { 200: ChangeClockView, ...errors },
        },
      },
      async (request) =>
        presentClock(await getChangeClock(ctx.store.read, changeId(request.params.id))),
    );
    void app.register(evidenceRoutes(ctx));
    done();
  };
}

function changeId(text: string): number {
  const id = parseChangeId(text);
  if (id === undefined) throw new AppError('not_found', `no change ${text}`);
  return id;
}

/** Opaque to clients: `before:<id>` newest first, `planned:<id>:<start or "none">` in planned order. */
function encodeCursor(next: PageCursor): string {
  const text = next.afterPlanned
    ? `planned:${next.afterPlanned.id}:${next.afterPlanned.plannedStart ?? 'none'}`
    : `before:${next.beforeId}`;
  return Buffer.from(text).toString('base64url');
}

/** The cursor's position, if it is one this API returned for the same order. */
function decodeCursor(cursor: string, order: ChangeOrder): PageCursor | undefined {
  const text = Buffer.from(cursor, 'base64url').toString();
  const storable = (id: string) => (Number(id) <= MAX_STORED_INTEGER ? Number(id) : undefined);
  if (order === 'newest') {
    const match = /^before:(\d{1,10})$/.exec(text);
    const beforeId = match ? storable(match[1]!) : undefined;
    return beforeId === undefined ? undefined : { beforeId };
  }
  const match = /^planned:(\d{1,10}):(none|[0-9T:.Z-]{1,30})$/.exec(text);
  const id = match ? storable(match[1]!) : undefined;
  if (id === undefined) return undefined;
  return { afterPlanned: { id, plannedStart: match![2] === 'none' ? null : match![2]! } };
}

interface ListQueryInput {
  state?: string;
  service?: string;
  type?: string;
  requester?: string;
  unassigned?: boolean;
  q?: string;
  needsDiscussion?: boolean;
  reviewDue?: boolean;
  meeting?: string;
  awaiting?: 'me';
  answer?: string;
  plannedFrom?: string;
  plannedTo?: string;
  createdFrom?: string;
  createdTo?: string;
  figure?: string;
  limit?: number;
  sort?: ChangeOrder;
  cursor?: string;
}

/** Comma-separated filters, each value checked against the policy so a typo is a 400, not an empty board. */
function toChangeQuery(
  policy: Policy,
  actor: Person,
  input: ListQueryInput,
  presence: Presence,
  nowMs: number,
): ChangeQuery {
  const issues: Issue[] = [];
  const list = (name: string, text: string | undefined, known: readonly string[]) => {
    if (text === undefined) return undefined;
    const values = text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const value of values) {
      if (!known.includes(value))
        issues.push({
          path: `query.${name}`,
          message: `unknown value "${value}"; expected one of: ${known.join(', ')}`,
        });
    }
    return values;
  };
  const states = list('state', input.state, CHANGE_STATES) as ChangeState[] | undefined;
  const services = list('service', input.service, [...policy.services.keys()]);
  const types = list('type', input.type, [...policy.changeTypes.keys()]);
  const requesters = list('requester', input.requester?.replace(/\bme\b/g, actor.id), [
    ...policy.people.keys(),
  ]);
  const order = input.sort ?? 'newest';
  let cursor: PageCursor | undefined;
  if (input.cursor !== undefined) {
    cursor = decodeCursor(input.cursor, order);
    if (cursor === undefined)
      issues.push({
        path: 'query.cursor',
        message: `is not a cursor this API returned for sort=${order}`,
      });
  }
  const answers = parseAnswerFilter(policy, input.answer, issues);
  const meeting = input.meeting === undefined ? undefined : findMeeting(policy, input.meeting);
  if (input.meeting !== undefined && !meeting)
    issues.push({
      path: 'query.meeting',
      message: `unknown meeting "${input.meeting}"; expected one of: ${policy.meetings.map((m) => m.id).join(', ')}`,
    });
  let plannedFrom: string | undefined;
  let plannedTo: string | undefined;
  if ((input.plannedFrom === undefined) !== (input.plannedTo === undefined)) {
    issues.push({
      path: input.plannedFrom === undefined ? 'query.plannedFrom' : 'query.plannedTo',
      message: 'plannedFrom and plannedTo go together',
    });
  } else if (input.plannedFrom !== undefined && input.plannedTo !== undefined) {
    plannedFrom = new Date(input.plannedFrom).toISOString();
    plannedTo = new Date(input.plannedTo).toISOString();
    if (!(plannedFrom < plannedTo))
      issues.push({ path: 'query.plannedTo', message: 'must be after plannedFrom' });
  }
  const createdFrom =
    input.createdFrom === undefined ? undefined : new Date(input.createdFrom).toISOString();
  const createdTo =
    input.createdTo === undefined ? undefined : new Date(input.createdTo).toISOString();
  if (createdFrom !== undefined && createdTo !== undefined && !(createdFrom < createdTo))
    issues.push({ path: 'query.createdTo', message: 'must be after createdFrom' });
  const figure =
    input.figure === undefined ? undefined : parseFigure(input.figure, [...policy.groups.keys()]);
  if (typeof figure === 'string') issues.push({ path: 'query.figure', message: figure });
  if (issues.length > 0) throw invalidInput(issues);
  return {
    states,
    answers,
    plannedFrom,
    plannedTo,
    createdFrom,
    createdTo,
    ...(figure !== undefined && typeof figure !== 'string' && { figure: { figure, nowMs } }),
    awaiting:
      input.awaiting === 'me'
        ? {
            person: actor.id,
            // Their own groups, and those of everyone away they stand in for.
            groups: [...policy.groups]
              .filter(([, members]) =>
                members.some((m) => m === actor.id || presence.standIn(m) === actor.id),
              )
              .map(([id]) => id),
            // A change started early still waits for its open approvals.
            startedTypes: earlyStartTypes(policy),
          }
        : undefined,
    services,
    types,
    requesters,
    unassigned: input.unassigned,
    text: input.q,
    needsDiscussion: input.needsDiscussion,
    reviewDue: input.reviewDue,
    meeting: meeting?.name,
    order,
    ...cursor,
    limit: input.limit ?? 50,
  };
}

/** `risk:high,risk:medium,tested:true` → `{ risk: ['high', 'medium'], tested: [true] }`, typed and checked by the policy's fields. */
function parseAnswerFilter(
  policy: Policy,
  text: string | undefined,
  issues: Issue[],
): Record<string, AnswerValue[]> | undefined {
  if (text === undefined) return undefined;
  const answers: Record<string, AnswerValue[]> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const colon = pair.indexOf(':');
    const id = colon < 0 ? pair : pair.slice(0, colon);
    const raw = colon < 0 ? '' : pair.slice(colon + 1);
    const field = policy.fields.find((f) => f.id === id);
    if (!field || colon < 0) {
      issues.push({
        path: 'query.answer',
        message: field
          ? `"${pair}" must be written field:value`
          : `unknown field "${id}"; the policy asks: ${policy.fields.map((f) => f.id).join(', ')}`,
      });
      continue;
    }
    const value: AnswerValue =
      field.type === 'boolean' && (raw === 'true' || raw === 'false')
        ? raw === 'true'
        : field.type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))
          ? Number(raw)
          : raw;
    const problem = checkAnswer(field, value);
    if (problem) {
      issues.push({ path: 'query.answer', message: `${id}: ${problem}` });
      continue;
    }
    (answers[id] ??= []).push(value);
  }
  return answers;
}
