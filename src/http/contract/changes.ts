import { Type, type Static } from 'typebox';
import { VIEWER_ACTIONS } from '../../domain/authorization.js';
import {
  CHANGE_STATES,
  DECISION_VIAS,
  DISCUSSION_OUTCOMES,
  MAX_STORED_INTEGER,
} from '../../domain/change.js';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { ChangeId, Instant, AnswerValue, Link, Strict, NextCursor } from './common.js';
import { FieldView } from './policy.js';

/** Changes: create, edit, act on, list and show them. */

export const ChangeParams = Type.Object({ id: ChangeId }, Strict);

export const CreateChangeBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 50_000, description: 'Markdown' })),
    type: Type.String({ minLength: 1 }),
    services: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        maxItems: 50,
        description: "Required, unless `template` is given: then the template's services",
      }),
    ),
    answers: Type.Optional(
      Type.Record(Type.String(), AnswerValue, {
        description: "With `template`, the template's answers fill in any not given here",
      }),
    ),
    plannedStart: Type.Optional(Nullable(Instant)),
    plannedEnd: Type.Optional(Nullable(Instant)),
    links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
    template: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "The standard change template (an id from the policy's `standardChanges`) it is raised from. With a catalog, a change of a pre-approved type must name one.",
      }),
    ),
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
    template: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 64,
          description:
            'The standard change template it is raised from; null names none (to file it as a type that needs approvals). Nothing is prefilled on an edit.',
        }),
      ),
    ),
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

export const DecisionBody = Type.Object(
  {
    ...ActionBody.properties,
    onBehalfOf: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'Deciding as a delegate or deputy: the person away whose decision this is. Needed only when you could decide in more than one name.',
      }),
    ),
  },
  Strict,
);

export const InvitationBody = Type.Object(
  {
    person: Type.String({
      maxLength: 64,
      description: 'An external approver the change still needs',
    }),
  },
  Strict,
);

export const InvitationView = Type.Object({
  change: Type.String({ examples: ['CHG-42'] }),
  person: Type.String(),
  email: Type.String({ description: 'Where the fresh link goes' }),
});

export const ReviewBody = Type.Object(
  {
    answers: Type.Record(Type.String({ maxLength: 100 }), AnswerValue, {
      description:
        "Answers to the review's questions (the change's `review.fields`), checked as a change's answers are",
    }),
    version: ActionBody.properties.version,
  },
  Strict,
);

export const DiscussionBody = Type.Object(
  {
    meeting: Type.String({
      minLength: 1,
      maxLength: 200,
      description: "The meeting's id (`acme-hosting-cab`) or name",
    }),
    outcome: StringEnum(DISCUSSION_OUTCOMES, {
      description:
        '`approve` and `noted` take the change off the agenda and release a hold; `reject` rejects the change (the minutes are the reason); `defer` keeps it for the next sitting',
    }),
    minutes: Type.Optional(
      Type.String({ maxLength: 10_000, description: 'What the meeting said; required to reject' }),
    ),
    url: Type.Optional(
      Type.String({
        maxLength: 2_000,
        pattern: '^https?://[^\\s]+$',
        description: "Where the meeting's own minutes are (http or https)",
      }),
    ),
    version: ActionBody.properties.version,
  },
  Strict,
);

export const CommentBody = Type.Object(
  {
    body: Type.String({
      minLength: 1,
      maxLength: 10_000,
      description:
        'The comment. `@person` (a policy id or GitHub login) notifies that person, inside their working hours',
    }),
    question: Type.Optional(
      Type.Boolean({
        description:
          "A question to the requester: notifies them, changes no state and no approval. Anyone but the requester may ask; the requester's next comment answers it and notifies the asker",
      }),
    ),
  },
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
    needsDiscussion: Type.Optional(
      Type.Boolean({
        description:
          'true: open changes (draft, pending, approved) a meeting has yet to discuss; false: the others',
      }),
    ),
    reviewDue: Type.Optional(
      Type.Boolean({
        description:
          'true: changes whose post-implementation review is owed and not yet filed, overdue or not; false: the others',
      }),
    ),
    meeting: Type.Optional(
      Type.String({
        description:
          "Only open changes this meeting (id or name) has yet to discuss: its agenda's changes",
      }),
    ),
    view: Type.Optional(
      StringEnum(['full', 'card'] as const, {
        description:
          '`card`: each change as a board card shows it (ChangeCard), a fraction of the size; `full` (default): complete changes',
      }),
    ),
    awaiting: Type.Optional(
      StringEnum(['me'] as const, {
        description:
          'Changes you can approve now (you are in their `waitingFor`): pending ones, and those started early whose approvals are still open. The "Waiting on me" view',
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
    createdFrom: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Only changes created at or after this instant (the insights link their figures with createdFrom and createdTo)',
      }),
    ),
    createdTo: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only changes created before this instant' }),
    ),
    figure: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Only the changes behind an insights figure (each figure of GET /insights links with it): decided, preApproved, approved, rejected, failed, deployed, completed, emergencyVerified, discussed, decidedInMeeting, decidedAsync, reviewed, reviewOverdue, group:<group>, firstResponse:<group>',
        examples: ['decidedAsync', 'group:security'],
      }),
    ),
    sort: Type.Optional(
      StringEnum(['newest', 'plannedStart'] as const, {
        description:
          '`newest` (default): newest first; `plannedStart`: soonest planned start first, changes without a planned window last',
      }),
    ),
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
  reason: Type.String({
    description: 'Why the policy asks for this approval, naming the rule that added it',
    examples: [
      'touches Payments API',
      'risk is high',
      'Emergency changes need it, from different people',
    ],
  }),
  met: Type.Boolean(),
  approvedBy: Type.Array(Type.String()),
  canApprove: Type.Array(
    Type.String({
      description:
        'Who could still approve towards this requirement (in person, or through their stand-in while away)',
    }),
  ),
  available: Type.Boolean({
    description:
      'False when nobody who could meet this open requirement is available: all away, none with a delegate or deputy',
  }),
  whyUnavailable: Type.Optional(
    Type.String({ examples: ['Tom Becker is away until 12 Jan 2027 and has no delegate'] }),
  ),
});

const DecisionView = Type.Object({
  person: Type.String({ description: 'Whose decision it is: the approver the policy names' }),
  actor: Type.String({
    description: 'Who gave it: the person, or their delegate or deputy while they were away',
  }),
  onBehalfOf: Nullable(
    Type.String({ description: 'Set when a stand-in gave it: the person it was given for' }),
  ),
  via: Nullable(
    StringEnum(DECISION_VIAS, {
      description:
        "`external-link`: a supplier decided from the signed link e-mailed to them; `email-link`: an approver used their e-mail's Approve / Reject link; `slack`: the buttons of the Slack app's message; `teams`: the buttons of the Teams bot's card; null: on the board (the web app, the API or the CLI)",
    }),
  ),
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

const ConflictView = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('change'),
      id: Type.String({ examples: ['CHG-12'] }),
      title: Type.String(),
      state: StringEnum(CHANGE_STATES),
      services: Type.Array(Type.String(), { description: 'The services both changes touch' }),
      plannedStart: Type.String(),
      plannedEnd: Nullable(Type.String()),
    },
    { description: 'Another pending, approved or in-progress change whose window overlaps' },
  ),
  Type.Object(
    {
      kind: Type.Literal('freeze'),
      name: Type.String(),
      from: Type.String(),
      to: Type.String(),
    },
    { description: 'A freeze the window touches that does not allow this type' },
  ),
]);

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
  startedEarly: Type.Boolean({
    description:
      'Started before every approval was in (its type allows an early start) and still waiting: the requirements with `met: false` are outstanding, still requested and decided, and `verify` is refused until they are met',
  }),
  rejectedAfterStart: Type.Boolean({
    description:
      'Someone rejected the change after it was started early: the rejection is among `decisions`, and the change stays in its implementation',
  }),
  review: Nullable(
    Type.Object(
      {
        due: Type.String({ description: 'When the review is due' }),
        done: Type.Boolean(),
        doneAt: Nullable(Type.String()),
        by: Nullable(Type.String({ description: 'Who filed it' })),
        overdue: Type.Boolean({ description: 'Not filed and past due' }),
        answers: Nullable(Type.Record(Type.String(), AnswerValue)),
        fields: Type.Array(FieldView, {
          description: "What the review asks (the type's `review.fields`)",
        }),
      },
      {
        description:
          'The post-implementation review the change owes: set when it is completed or fails and its type asks for a review, when it fails (any type), or when an approval was rejected after an early start. `verify` is refused with `review_required` until it is done. Null: no review is owed.',
      },
    ),
  ),
  policyAsksMore: Type.Array(
    Type.Object({
      from: Type.String(),
      service: Type.Optional(Type.String()),
      count: Type.Integer(),
      reason: Type.String(),
    }),
    {
      description:
        'A pending or approved change keeps the requirements it was submitted under when a new policy is applied; these are what the policy in force would ask beyond them. The change is flagged, not changed: an edit re-computes its requirements. Empty for any other change.',
    },
  ),
  needsDiscussion: Type.Array(Type.String(), {
    description:
      'Meetings that have yet to discuss this change (while it is a draft, pending or approved); empty when it is decided asynchronously or every meeting has recorded its outcome',
  }),
  freezeWarnings: Type.Array(
    Type.Object({ name: Type.String(), from: Type.String(), to: Type.String() }),
    {
      description: 'Freezes that overlap the planned window and do not allow this type',
    },
  ),
  conflicts: Type.Optional(
    Type.Array(ConflictView, {
      description:
        'What the planned window collides with, computed by the server: other pending, approved or in-progress changes on a shared service whose windows overlap (half-open; a change without an end is an instant; at most 20, soonest first), then the freezes it touches (as in `freezeWarnings`). Warnings: nothing is refused. Only on a single change (`GET /changes/{id}`, the answer to an edit or action), never in lists, where it is left out rather than given empty; empty once the change is over.',
    }),
  ),
  windowWarning: Nullable(
    Type.String({
      description:
        'For a change not yet started: its planned window is over, or has begun. Said, not refused.',
    }),
  ),
  heldBy: Type.Array(
    Type.Object({
      meeting: Type.String({ examples: ['Acme Hosting CAB'] }),
      id: Type.String({
        description: 'The meeting in /meetings/{id}',
        examples: ['acme-hosting-cab'],
      }),
      next: Nullable(
        Type.String({ description: 'Its next sitting (start), if it has a schedule' }),
      ),
      timezone: Nullable(
        Type.String({ description: "The meeting's time zone, to show `next` in" }),
      ),
    }),
    {
      description:
        'For a pending change: meetings with `hold` whose outcome it waits for. It cannot become approved before each has recorded one, even with every approval in.',
    },
  ),
  actions: Type.Array(StringEnum(VIEWER_ACTIONS), {
    description:
      'What the caller may do now (their buttons). The server still checks every action when it is taken.',
  }),
  onBehalfOptions: Type.Array(Type.String(), {
    description:
      'Whose decision the caller may give, when not only their own: the people away they stand in for as delegate or deputy (approve/reject with `onBehalfOf`), and their own id when they may also decide for themselves. Empty otherwise.',
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  pullRequest: Nullable(PullRequestView),
  template: Nullable(
    Type.Object(
      {
        id: Type.String({ examples: ['rotate-tls-cert'] }),
        version: Type.String({
          description:
            'The version of the template the change was last saved with, and from submit on the one it was sent (and pre-approved) under',
          examples: ['3f9a1c0b7d2e'],
        }),
        title: Nullable(
          Type.String({
            description: "The template's title in the policy; null once it is no longer there",
          }),
        ),
        current: Type.Boolean({
          description:
            "Whether the policy's template still has this version: false once it changed (or was removed) after this change used it",
        }),
      },
      {
        description:
          'The standard change template the change is raised from (`standardChanges` in the policy); null for any other change',
      },
    ),
  ),
});
export type ChangeViewJson = Static<typeof ChangeView>;

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
  'requirements',
  'needsDiscussion',
  'review',
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
      'A change as its card on the board shows it: no description, links, decisions or actions; its requirements, so the card can say who must decide',
  },
);
export type ChangeCardJson = Static<typeof ChangeCardView>;

export const ChangeCardList = Type.Object({
  items: Type.Array(ChangeCardView),
  nextCursor: NextCursor,
});

/** `GET /changes` answers complete changes, or cards with `view=card`. */
export const ChangeListResponse = Type.Union([ChangeList, ChangeCardList]);
