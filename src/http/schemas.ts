import { Type, type Static } from 'typebox';
import { OUTBOX_STATUSES } from '../app/ports.js';
import { VIEWER_ACTIONS } from '../domain/authorization.js';
import { CHANGE_STATES, MAX_STORED_INTEGER } from '../domain/change.js';
import { WEBHOOK_OUTCOMES } from '../app/ports.js';
import { EVENT_TYPES } from '../domain/events.js';
import { FIELD_TYPES } from '../domain/policy.js';
import { Nullable, StringEnum } from '../shared/schema.js';

/**
 * The API contract, declared once: Fastify validates requests and serialises
 * responses with these, and /api/v1/openapi.json publishes them.
 */

const ChangeId = Type.String({ pattern: '^(?:[Cc][Hh][Gg]-)?[0-9]{1,15}$', examples: ['CHG-42'] });
const Instant = Type.String({ format: 'date-time', examples: ['2026-12-01T10:00:00Z'] });
const AnswerValue = Type.Union([Type.String({ maxLength: 20_000 }), Type.Number(), Type.Boolean()]);
const Link = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
  },
  { additionalProperties: false },
);
const Strict = { additionalProperties: false } as const;

export const ChangeParams = Type.Object({ id: ChangeId }, Strict);

export const CreateChangeBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 50_000, description: 'Markdown' })),
    type: Type.String({ minLength: 1 }),
    services: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 }),
    answers: Type.Optional(Type.Record(Type.String(), AnswerValue)),
    plannedStart: Type.Optional(Nullable(Instant)),
    plannedEnd: Type.Optional(Nullable(Instant)),
    links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
  },
  Strict,
);

export const PatchChangeBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      maximum: MAX_STORED_INTEGER,
      description: 'The version this edit is based on; an older one gets 409.',
    }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 50_000 })),
    type: Type.Optional(Type.String({ minLength: 1 })),
    services: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 }),
    ),
    answers: Type.Optional(
      Type.Record(Type.String(), Nullable(AnswerValue), {
        description: 'Merged into the stored answers; null removes one.',
      }),
    ),
    plannedStart: Type.Optional(Nullable(Instant)),
    plannedEnd: Type.Optional(Nullable(Instant)),
    links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
  },
  Strict,
);

export const ActionBody = Type.Object(
  {
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_STORED_INTEGER,
        description: 'Refuse (409) if the change moved on since this version.',
      }),
    ),
  },
  Strict,
);

export const CommentBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 10_000 }) },
  Strict,
);

export const ListChangesQuery = Type.Object(
  {
    state: Type.Optional(
      Type.String({ description: `Comma-separated: ${CHANGE_STATES.join(', ')}` }),
    ),
    service: Type.Optional(Type.String({ description: 'Comma-separated service ids' })),
    type: Type.Optional(Type.String({ description: 'Comma-separated change types' })),
    requester: Type.Optional(
      Type.String({ description: 'Comma-separated person ids; `me` for yourself' }),
    ),
    unassigned: Type.Optional(
      Type.Boolean({
        description:
          'true: only unassigned drafts (no requester yet); false: only assigned changes',
      }),
    ),
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Words to find in the title or description' }),
    ),
    needsDiscussion: Type.Optional(Type.Boolean()),
    view: Type.Optional(
      StringEnum(['full', 'card'] as const, {
        description:
          '`card`: each change as a board card shows it (ChangeCard), a fraction of the size; `full` (default): complete changes',
      }),
    ),
    awaiting: Type.Optional(
      StringEnum(['me'] as const, {
        description:
          'Pending changes you can approve now (you are in their `waitingFor`): the "Waiting on me" view',
      }),
    ),
    answer: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'Comma-separated `field:value` pairs matched against the answers, e.g. `risk:high,risk:medium`; values of one field are alternatives, different fields must all match',
        examples: ['risk:high'],
      }),
    ),
    plannedFrom: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'With plannedTo: only changes whose planned window overlaps [plannedFrom, plannedTo)',
      }),
    ),
    plannedTo: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  Strict,
);

const Requirement = Type.Object({
  from: Type.String({ description: 'The approver group' }),
  service: Type.Optional(
    Type.String({ description: 'Set when the requirement stands for a service’s approvers' }),
  ),
  count: Type.Integer(),
  met: Type.Boolean(),
  approvedBy: Type.Array(Type.String()),
  canApprove: Type.Array(
    Type.String({ description: 'Who could still approve towards this requirement' }),
  ),
});

const DecisionView = Type.Object({
  person: Type.String(),
  verdict: StringEnum(['approve', 'reject'] as const),
  comment: Nullable(Type.String()),
  at: Type.String(),
});

const PullRequestView = Type.Object(
  {
    repository: Type.String({ examples: ['example-corp/payments-api'] }),
    number: Type.Integer(),
    url: Type.String(),
    headSha: Type.String({ description: 'The commit the change covers' }),
    mergeSha: Nullable(Type.String({ description: 'The merge commit, once merged; covered too' })),
    author: Type.String({ description: 'GitHub login of the PR author' }),
  },
  { description: 'The GitHub pull request the change was drafted from' },
);

export const ChangeView = Type.Object({
  id: Type.String({ examples: ['CHG-42'] }),
  number: Type.Integer(),
  url: Type.String({ description: 'The change page' }),
  title: Type.String(),
  description: Type.String({ description: 'Markdown, as written' }),
  descriptionHtml: Type.String({
    description: 'The description rendered from Markdown and sanitised (raw HTML is shown as text)',
  }),
  type: Type.String(),
  services: Type.Array(Type.String()),
  answers: Type.Record(Type.String(), AnswerValue),
  plannedStart: Nullable(Type.String()),
  plannedEnd: Nullable(Type.String()),
  links: Type.Array(Link),
  requester: Nullable(
    Type.String({
      description:
        'Null for an unassigned draft (from a pull request whose author is not in the policy): anyone may claim it',
    }),
  ),
  state: StringEnum(CHANGE_STATES),
  version: Type.Integer(),
  requirements: Type.Array(Requirement, {
    description:
      'For a draft: what it would need if submitted now. Afterwards: as computed at submission or at the last edit.',
  }),
  decisions: Type.Array(DecisionView, {
    description: 'Decisions on the current version (an edit withdraws earlier ones)',
  }),
  waitingFor: Type.Array(Type.String(), {
    description: 'People whose decision would move the change on',
  }),
  needsDiscussion: Type.Array(Type.String(), {
    description:
      'Meetings that still want to discuss this change; empty when decided asynchronously',
  }),
  freezeWarnings: Type.Array(
    Type.Object({ name: Type.String(), from: Type.String(), to: Type.String() }),
    {
      description: 'Freezes that overlap the planned window and do not allow this type',
    },
  ),
  actions: Type.Array(StringEnum(VIEWER_ACTIONS), {
    description:
      'What the caller may do now (their buttons). The server still checks every action when it is taken.',
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  pullRequest: Nullable(PullRequestView),
});
export type ChangeViewJson = Static<typeof ChangeView>;

const NextCursor = Nullable(
  Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }),
);

export const ChangeList = Type.Object({ items: Type.Array(ChangeView), nextCursor: NextCursor });

/** What a card on the board shows: `GET /changes?view=card`. */
export const CARD_FIELDS = [
  'id',
  'number',
  'url',
  'title',
  'type',
  'services',
  'answers',
  'plannedStart',
  'plannedEnd',
  'requester',
  'state',
  'version',
  'waitingFor',
  'needsDiscussion',
  'freezeWarnings',
  'createdAt',
  'updatedAt',
  'submittedAt',
] as const satisfies readonly (keyof ChangeViewJson)[];

export const ChangeCardView = Type.Object(
  {
    ...Object.fromEntries(CARD_FIELDS.map((field) => [field, ChangeView.properties[field]])),
    answers: Type.Record(Type.String(), AnswerValue, {
      description: "The answers to the policy's choice fields (those the board filters by)",
    }),
  } as Pick<typeof ChangeView.properties, (typeof CARD_FIELDS)[number]>,
  {
    description:
      'A change as its card on the board shows it: no description, links, requirements, decisions or actions',
  },
);
export type ChangeCardJson = Static<typeof ChangeCardView>;

export const ChangeCardList = Type.Object({
  items: Type.Array(ChangeCardView),
  nextCursor: NextCursor,
});

/** `GET /changes` answers complete changes, or cards with `view=card`. */
export const ChangeListResponse = Type.Union([ChangeList, ChangeCardList]);

export const EventView = Type.Object({
  id: Type.Integer({ description: 'Position in the audit chain' }),
  changeId: Type.String(),
  type: StringEnum(EVENT_TYPES),
  actor: Type.String(),
  at: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  policyHash: Type.String(),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type EventViewJson = Static<typeof EventView>;

export const EventList = Type.Object({ items: Type.Array(EventView) });

const ConditionView = Type.Record(Type.String(), Type.Unknown());

export const PolicyView = Type.Object({
  organization: Type.String(),
  hash: Type.String(),
  people: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      email: Type.String(),
      timezone: Type.String(),
      admin: Type.Boolean(),
    }),
  ),
  groups: Type.Record(Type.String(), Type.Array(Type.String())),
  fields: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      help: Type.Optional(Type.String()),
      type: StringEnum(FIELD_TYPES),
      options: Type.Optional(Type.Array(Type.String())),
      required: Type.Boolean(),
      requiredWhen: Type.Optional(ConditionView),
    }),
  ),
  services: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      repositories: Type.Array(Type.String()),
      environments: Type.Array(Type.String(), {
        description:
          'GitHub deployment environments that release the service; empty: production (by name, or marked so by GitHub)',
      }),
      approvers: Nullable(Type.String()),
    }),
  ),
  changeTypes: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      distinctApprovers: Type.Boolean(),
      keepApprovalsOnPush: Type.Boolean({
        description: 'Pushing new commits to the pull request keeps the approvals',
      }),
      approvals: Type.Array(
        Type.Object({
          from: Type.String(),
          count: Type.Integer(),
          when: Type.Optional(ConditionView),
        }),
      ),
    }),
  ),
  freezes: Type.Array(
    Type.Object({
      name: Type.String(),
      from: Type.String(),
      to: Type.String(),
      allow: Type.Array(Type.String()),
      services: Type.Array(Type.String()),
    }),
  ),
  meetings: Type.Array(Type.Object({ name: Type.String(), when: ConditionView })),
});

export const OutboxMessageView = Type.Object({
  id: Type.String({ description: 'Stable id, sent as X-Changeboard-Delivery / Message-ID' }),
  kind: Type.String({ description: 'teams, slack, webhook, email, …' }),
  target: Type.String({ description: 'Channel or person id' }),
  changeId: Nullable(Type.String()),
  eventId: Nullable(Type.Integer()),
  status: StringEnum(OUTBOX_STATUSES),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String(),
  lastError: Nullable(
    Type.String({ description: 'Why the last attempt failed, or why it was skipped' }),
  ),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
});

export const OutboxList = Type.Object({
  items: Type.Array(OutboxMessageView),
  counts: Type.Record(Type.String(), Type.Integer()),
});

export const OutboxParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  Strict,
);

export const ListOutboxQuery = Type.Object(
  {
    status: Type.Optional(
      Type.String({ description: `Comma-separated: ${OUTBOX_STATUSES.join(', ')}` }),
    ),
    change: Type.Optional(ChangeId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  Strict,
);

export const PersonView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  admin: Type.Boolean(),
  groups: Type.Array(Type.String()),
});

export const SessionView = Type.Object({
  person: PersonView,
  via: StringEnum(['token', 'email', 'oidc'] as const, {
    description: 'How the caller authenticated: an API token, a sign-in link or OpenID Connect',
  }),
  csrfToken: Nullable(
    Type.String({
      description:
        'Send as the X-CSRF-Token header with every state-changing request made with the session cookie; null for API tokens',
    }),
  ),
  expiresAt: Nullable(Type.String()),
});
export type SessionViewJson = Static<typeof SessionView>;

export const SignInMethodsView = Type.Object({
  email: Type.Boolean({ description: 'Sign-in links by e-mail' }),
  oidc: Type.Boolean({ description: 'OpenID Connect: start at /api/v1/auth/oidc/start' }),
});

export const SignInEmailBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  Strict,
);

export const SignInLinkBody = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 200 }) },
  Strict,
);

export const SignOutBody = Type.Object(
  {
    everywhere: Type.Optional(
      Type.Boolean({ description: 'End every session of this person, on every device' }),
    ),
  },
  Strict,
);

export const CalendarQuery = Type.Object(
  {
    service: Type.Optional(Type.String({ description: 'Comma-separated service ids' })),
    feed: Type.Optional(
      Type.String({
        description:
          "A calendar feed link's secret (POST /api/v1/calendar/feed), for calendar apps that cannot send a header",
      }),
    ),
  },
  Strict,
);

export const CalendarFeedView = Type.Object(
  {
    url: Type.String({
      description:
        'Subscribe to this link in a calendar app. Anyone holding it can read the calendar; asking for a new one turns it off',
    }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  Strict,
);

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  }),
});

const Delivery = Type.Object({
  id: Type.String({ description: 'X-GitHub-Delivery' }),
  event: Type.String({ examples: ['pull_request_review'] }),
  action: Nullable(Type.String()),
  repository: Nullable(Type.String()),
  receivedAt: Type.String(),
  outcome: StringEnum(WEBHOOK_OUTCOMES, {
    description:
      'processed: it drafted or moved a change; ignored: nothing to do; refused: the rules did not allow it (see message)',
  }),
  message: Type.String(),
  changeId: Nullable(Type.String({ examples: ['CHG-42'] })),
});

export const WebhookReceipt = Type.Object({
  ...Delivery.properties,
  duplicate: Type.Boolean({
    description: 'This delivery id was received before (a redelivery): nothing was done again',
  }),
});

export const GithubDeliveryList = Type.Object({
  items: Type.Array(Delivery),
  nextCursor: Nullable(Type.String()),
});

export const ListGithubDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  Strict,
);

export const GateQuery = Type.Object(
  {
    repo: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
        description: 'OWNER/NAME of a GitHub repository (with sha)',
      }),
    ),
    sha: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$',
        description: 'The full commit SHA (with repo)',
      }),
    ),
    change: Type.Optional(ChangeId),
  },
  Strict,
);

export const GateView = Type.Object({
  covered: Type.Boolean({
    description: 'An approved change (or one in progress, completed or verified) covers it',
  }),
  final: Type.Boolean({
    description:
      'Waiting cannot change the answer: covered, or the change was rejected, withdrawn or failed',
  }),
  reason: Type.String(),
  change: Nullable(ChangeView),
});
