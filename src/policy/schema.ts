import { Type, type Static } from 'typebox';
import { CHANNEL_TYPES, FIELD_TYPES } from '../domain/policy.js';
import { StringEnum } from '../shared/schema.js';

/** The shape of changeboard.yaml. References between sections are checked in check.ts. */

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const Condition = Type.Record(
  Type.String(),
  Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })]),
  {
    description: 'Every key must match: a field id, `type` or `service`; a list means any of.',
  },
);
const Strict = { additionalProperties: false } as const;

const Person = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    email: Type.String({ format: 'email' }),
    github: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$' })),
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    workingHours: Type.Optional(Type.String({ minLength: 1 })),
    admin: Type.Optional(Type.Boolean()),
    deputy: Type.Optional(Id),
    external: Type.Optional(Type.Boolean()),
    slack: Type.Optional(
      Type.String({ pattern: '^[UW][A-Z0-9]{2,}$', description: 'Slack user id (U0123ABC)' }),
    ),
    notifyBy: Type.Optional(
      StringEnum(['email', 'slack'] as const, {
        description:
          'Where a comment that names them (a mention, a question, an answer) reaches them: e-mail (default) or a Slack direct message from the Slack app',
      }),
    ),
    teams: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        description: 'Microsoft Entra object id of their Teams account',
      }),
    ),
  },
  Strict,
);

const Channel = Type.Object(
  {
    type: StringEnum(CHANNEL_TYPES),
    /** An incoming webhook's URL; a `slack` channel may name a `channel` for the Slack app instead. */
    url: Type.Optional(Type.String({ minLength: 1 })),
    channel: Type.Optional(
      Type.String({
        pattern: '^[CG][A-Z0-9]{2,}$',
        description: 'Slack channel id (C0123ABC) the Slack app posts to, with Approve and Reject',
      }),
    ),
    conversation: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description:
          'Teams conversation id (19:…@thread.tacv2) the Teams bot posts to, with Approve and Reject',
      }),
    ),
    secret: Type.Optional(Type.String({ minLength: 1 })),
  },
  Strict,
);

const Field = Type.Object(
  {
    id: Id,
    label: Type.String({ minLength: 1 }),
    help: Type.Optional(Type.String()),
    type: StringEnum(FIELD_TYPES),
    options: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true }),
    ),
    required: Type.Optional(Type.Union([Type.Boolean(), Type.Object({ when: Condition }, Strict)])),
  },
  Strict,
);

const Service = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    repositories: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' }), {
        uniqueItems: true,
      }),
    ),
    environments: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { uniqueItems: true, minItems: 1 }),
    ),
    approvers: Type.Optional(Id),
    notify: Type.Optional(Type.Array(Id, { uniqueItems: true })),
  },
  Strict,
);

const ApprovalRule = Type.Object(
  {
    from: Id,
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    when: Type.Optional(Condition),
  },
  Strict,
);

const ChangeType = Type.Object(
  {
    label: Type.String({ minLength: 1 }),
    approvals: Type.Array(ApprovalRule),
    distinctApprovers: Type.Optional(Type.Boolean()),
    remindAfter: Type.Optional(Type.String()),
    escalateAfter: Type.Optional(Type.String()),
    escalateTo: Type.Optional(Id),
    notifyOutsideWorkingHours: Type.Optional(Type.Boolean()),
    keepApprovalsOnPush: Type.Optional(Type.Boolean()),
    requirePlannedWindow: Type.Optional(Type.Boolean()),
    earlyStart: Type.Optional(
      Type.Object({ from: Id, count: Type.Optional(Type.Integer({ minimum: 1 })) }, Strict),
    ),
    review: Type.Optional(
      Type.Object(
        {
          within: Type.String({ minLength: 1 }),
          fields: Type.Array(Field, { minItems: 1 }),
        },
        Strict,
      ),
    ),
  },
  Strict,
);

/** A pre-approved change; references, answers and the date are checked in checkStandardChanges. */
const StandardChange = Type.Object(
  {
    id: Id,
    title: Type.String({ minLength: 1 }),
    services: Type.Array(Id, { minItems: 1 }),
    answers: Type.Optional(
      Type.Record(Type.String(), Scalar, {
        description: 'Prefilled answers, by field id',
      }),
    ),
    locked: Type.Optional(
      Type.Array(Type.String(), { description: 'Answers a change must keep as given here' }),
    ),
    requesters: Type.Array(Id, {
      minItems: 1,
      description: 'Groups whose members may raise it',
    }),
    approvedBy: Type.String({ minLength: 1, description: 'The person who accepted it' }),
    approvedOn: Type.String({ minLength: 1, description: 'When, YYYY-MM-DD' }),
  },
  Strict,
);

const NotificationRule = Type.Object(
  {
    on: Type.Array(Type.String(), { minItems: 1, uniqueItems: true }),
    to: Type.Array(Type.String(), { minItems: 1, uniqueItems: true }),
    via: Type.Optional(StringEnum(['email', 'chat'] as const)),
    when: Type.Optional(Condition),
  },
  Strict,
);

/** When a meeting sits or a freeze recurs. */
const Schedule = Type.Object(
  {
    rrule: Type.String({
      minLength: 1,
      description: 'An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=TU, without a time or zone.',
    }),
    at: Type.String({ minLength: 1, description: 'Local start time, HH:MM.' }),
    timezone: Type.String({ minLength: 1 }),
    duration: Type.String({ minLength: 1 }),
    starts: Type.Optional(
      Type.String({
        format: 'date',
        description: 'Nothing occurs before this day; an INTERVAL counts from it.',
      }),
    ),
  },
  Strict,
);

/** Once (`from`, `to`) or recurring (`schedule`): which, and the times, are checked in checkFreezes. */
const Freeze = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    from: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'When a one-off freeze begins: 2026-12-19T00:00:00Z, or a local time (2026-12-19T00:00) with timezone.',
      }),
    ),
    to: Type.Optional(
      Type.String({ minLength: 1, description: 'When it ends, written like from.' }),
    ),
    timezone: Type.Optional(
      Type.String({ minLength: 1, description: 'The IANA time zone of a local from and to.' }),
    ),
    schedule: Type.Optional(Schedule),
    allow: Type.Optional(Type.Array(Id, { uniqueItems: true })),
    services: Type.Optional(Type.Array(Id, { uniqueItems: true })),
  },
  Strict,
);

const Meeting = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    when: Condition,
    schedule: Type.Optional(Schedule),
    attendees: Type.Optional(Type.Array(Id)),
    agendaLeadTime: Type.Optional(Type.String({ minLength: 1 })),
    hold: Type.Optional(Type.Boolean()),
  },
  Strict,
);

export const PolicyFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    organization: Type.String({ minLength: 1 }),
    externalLinkTtl: Type.Optional(Type.String({ minLength: 1 })),
    people: Type.Array(Person, { minItems: 1 }),
    groups: Type.Record(Id, Type.Array(Id)),
    channels: Type.Optional(Type.Record(Id, Channel)),
    fields: Type.Optional(Type.Array(Field)),
    services: Type.Record(Id, Service),
    changeTypes: Type.Record(Id, ChangeType),
    standardChanges: Type.Optional(Type.Array(StandardChange)),
    notifications: Type.Optional(Type.Array(NotificationRule)),
    freezes: Type.Optional(Type.Array(Freeze)),
    meetings: Type.Optional(Type.Array(Meeting)),
  },
  Strict,
);

export type PolicyFile = Static<typeof PolicyFileSchema>;
export type ConditionFile = Static<typeof Condition>;
export type FreezeFile = Static<typeof Freeze>;
export type StandardChangeFile = Static<typeof StandardChange>;
