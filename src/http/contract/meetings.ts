import { Type, type Static } from 'typebox';
import { CHANGE_STATES, DISCUSSION_OUTCOMES } from '../../domain/change.js';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { AnswerValue, Link, Strict } from './common.js';

const Sitting = Type.Object({
  start: Type.String({ description: 'When the sitting starts (an instant)' }),
  end: Type.String(),
});

const OutcomeView = Type.Object({
  outcome: StringEnum(DISCUSSION_OUTCOMES),
  minutes: Nullable(Type.String()),
  url: Nullable(Type.String()),
  actor: Type.String({ description: 'The attendee who recorded it' }),
  via: Nullable(Type.String()),
  at: Type.String(),
});

const AgendaItemView = Type.Object({
  id: Type.String({ examples: ['CHG-42'] }),
  number: Type.Integer(),
  url: Type.String({ description: 'The change page' }),
  title: Type.String(),
  type: Type.String(),
  typeLabel: Type.String(),
  services: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  requester: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  state: StringEnum(CHANGE_STATES),
  version: Type.Integer({ description: 'The version an outcome is recorded on' }),
  submittedAt: Nullable(Type.String()),
  plannedStart: Nullable(Type.String()),
  plannedEnd: Nullable(Type.String()),
  held: Type.Boolean({
    description: 'The meeting holds it: it cannot become approved before the outcome is recorded',
  }),
  questions: Type.Array(
    Type.Object({ field: Type.String(), label: Type.String(), answer: AnswerValue }),
    { description: "The requester's answers to the board's questions" },
  ),
  approvals: Type.Array(
    Type.Object({
      from: Type.String(),
      service: Nullable(Type.String()),
      count: Type.Integer(),
      met: Type.Boolean(),
      approvedBy: Type.Array(Type.String()),
    }),
    { description: 'Where its asynchronous approvals stand' },
  ),
  waitingFor: Type.Array(Type.String()),
  links: Type.Array(Link),
  pullRequest: Nullable(Type.String({ description: 'The pull request it was drafted from' })),
  /** What this sitting recorded on it, once it has. */
  outcome: Nullable(OutcomeView),
  deferredFrom: Nullable(
    Type.String({ description: 'The earlier sitting (its start) that deferred it to this one' }),
  ),
});

export const AgendaView = Type.Object({
  meeting: Type.Object({ id: Type.String(), name: Type.String(), hold: Type.Boolean() }),
  /** Null for a meeting without a schedule. */
  sitting: Nullable(Sitting),
  timezone: Nullable(Type.String({ description: "The meeting's time zone" })),
  items: Type.Array(AgendaItemView, {
    description: 'The changes the meeting has yet to discuss, oldest first',
  }),
  discussed: Type.Array(AgendaItemView, {
    description: 'The changes this sitting already recorded an outcome on',
  }),
  truncated: Type.Boolean({ description: 'More changes wait than an agenda lists (200)' }),
  links: Type.Object({
    page: Type.String({ description: 'The agenda in the web app' }),
    markdown: Type.String(),
    ics: Type.String(),
  }),
});
export type AgendaJson = Static<typeof AgendaView>;

const TallyView = Type.Object({
  sitting: Sitting,
  discussed: Type.Integer({ description: 'Changes the sitting recorded an outcome on' }),
  outcomes: Type.Object({
    approve: Type.Integer(),
    reject: Type.Integer(),
    defer: Type.Integer(),
    noted: Type.Integer(),
  }),
  decidedAsync: Type.Integer({
    description:
      'Changes approved or rejected between the sitting before (`since`) and the end of this one without any meeting',
  }),
  since: Type.String(),
});

export const MeetingView = Type.Object({
  id: Type.String({ examples: ['acme-hosting-cab'] }),
  name: Type.String(),
  when: Type.Record(Type.String(), Type.Unknown()),
  hold: Type.Boolean(),
  schedule: Nullable(
    Type.Object({
      rrule: Type.String(),
      at: Type.String({ description: 'Local start time' }),
      timezone: Type.String(),
      durationMinutes: Type.Integer(),
    }),
  ),
  agendaLeadTimeMinutes: Type.Integer({
    description: 'How long before each sitting attendees are e-mailed the agenda',
  }),
  attendees: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), external: Type.Boolean() }),
  ),
  /** The sitting an outcome recorded now counts for (the one sitting now or that ended within a day, else the next); null without a schedule. */
  recordsFor: Nullable(Sitting),
  upcoming: Type.Array(AgendaView, {
    description: 'The next sittings (three), each with its agenda as it stands now',
  }),
  /** The last sitting that has ended: how many changes went through it, and how many were decided asynchronously meanwhile. */
  last: Nullable(TallyView),
});
export type MeetingJson = Static<typeof MeetingView>;

export const MeetingList = Type.Object({ items: Type.Array(MeetingView) });

export const MeetingParams = Type.Object({ id: Type.String({ maxLength: 200 }) }, Strict);

export const AgendaQuery = Type.Object(
  {
    at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'The sitting (its start, as listed); default the next one not over',
      }),
    ),
    format: Type.Optional(
      StringEnum(['json', 'markdown', 'ics'] as const, {
        description: 'Instead of the Accept header (text/markdown, text/calendar)',
      }),
    ),
  },
  Strict,
);

export const AgendaSent = Type.Object({
  meeting: Type.String(),
  sitting: Type.String({ description: 'The sitting whose agenda was sent (its start)' }),
  recipients: Type.Array(Type.String(), { description: 'The attendees it goes to' }),
});
