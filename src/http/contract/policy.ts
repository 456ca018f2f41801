import { Type } from 'typebox';
import { FIELD_TYPES } from '../../domain/policy.js';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { AnswerValue } from './common.js';

/** The policy as the web app needs it. */

const ConditionView = Type.Record(Type.String(), Type.Unknown());

/** One question of the change form, or of a review. */
export const FieldView = Type.Object({
  id: Type.String(),
  label: Type.String(),
  help: Type.Optional(Type.String()),
  type: StringEnum(FIELD_TYPES),
  options: Type.Optional(Type.Array(Type.String())),
  required: Type.Boolean(),
  requiredWhen: Type.Optional(ConditionView),
});

/** What a post-implementation review asks, and by when after the change is over. */
export const ReviewPolicyView = Type.Object({
  within: Type.String({ description: 'As the policy writes it (`2d`); days are calendar days' }),
  withinMinutes: Type.Integer({
    description: 'The review is due this long after the change is completed or fails',
  }),
  fields: Type.Array(FieldView),
});

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
  fields: Type.Array(FieldView),
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
      requirePlannedWindow: Type.Boolean({
        description: 'A change of this type needs a planned start and end to be submitted',
      }),
      approvals: Type.Array(
        Type.Object({
          from: Type.String(),
          count: Type.Integer(),
          when: Type.Optional(ConditionView),
        }),
      ),
      review: Type.Union([ReviewPolicyView, Type.Null()], {
        description:
          'Every change of this type is reviewed after it is completed or fails; null: only a failed change is (with `failureReview`)',
      }),
    }),
  ),
  failureReview: ReviewPolicyView,
  freezes: Type.Array(
    Type.Object({
      name: Type.String(),
      from: Type.String(),
      to: Type.String(),
      allow: Type.Array(Type.String()),
      services: Type.Array(Type.String()),
    }),
  ),
  recurringFreezes: Type.Array(
    Type.Object({
      name: Type.String(),
      rrule: Type.String(),
      at: Type.String({ description: 'Local start time' }),
      timezone: Type.String(),
      durationMinutes: Type.Integer(),
      allow: Type.Array(Type.String()),
      services: Type.Array(Type.String()),
      next: Type.Array(
        Type.Object({
          start: Type.String({ description: 'When the occurrence begins (an instant)' }),
          end: Type.String({ description: 'When it ends (half-open)' }),
        }),
        {
          description:
            'Its occurrences not over yet, soonest first: every one that begins within the next 13 weeks, and at least the next three (at most 100)',
        },
      ),
    }),
    { description: 'Freezes that recur (each occurrence is also in the calendar feed)' },
  ),
  meetings: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The meeting in /meetings/{id}' }),
      name: Type.String(),
      when: ConditionView,
      hold: Type.Boolean({ description: 'A matching change waits for its outcome' }),
      attendees: Type.Array(Type.String(), {
        description: 'The people who attend it (groups expanded): who may record its outcome',
      }),
    }),
  ),
  standardChanges: Nullable(
    Type.Array(
      Type.Object({
        id: Type.String({ examples: ['rotate-tls-cert'] }),
        title: Type.String(),
        services: Type.Array(Type.String(), { description: 'What a change from it may touch' }),
        answers: Type.Record(Type.String(), AnswerValue, {
          description: 'The answers it fills in',
        }),
        locked: Type.Array(Type.String(), {
          description: 'Field ids whose answers a change must keep as the template gives them',
        }),
        requesters: Type.Array(Type.String(), {
          description: 'Groups whose members may raise it',
        }),
        approvedBy: Type.String({ description: 'The person who accepted the template' }),
        approvedByName: Type.String(),
        approvedOn: Type.String({ description: 'When, YYYY-MM-DD' }),
        version: Type.String({
          description:
            "The first 12 hex digits of the SHA-256 of the template's canonical JSON: a change records the version it used",
        }),
      }),
      {
        description:
          'The standard change catalog: with it, a change of a pre-approved type (no approvals) must name one of these (`template`). Null when the policy has none: a pre-approved type then takes any change.',
      },
    ),
  ),
});

export const ApplyPolicyBody = Type.Object(
  {
    source: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description: 'The whole policy file, as YAML (what `changeboard policy apply <file>` sends)',
    }),
  },
  { additionalProperties: false },
);

export const PolicyApplicationView = Type.Object({
  applied: Type.Boolean({
    description: 'False when that policy was already in force: nothing was recorded',
  }),
  from: Type.String({ description: 'The hash of the policy in force before' }),
  to: Type.String({ description: 'The hash of the policy in force now' }),
  summary: Type.Array(Type.String(), { description: 'What changed, one line each' }),
  flagged: Type.Array(Type.String(), {
    description:
      'Pending or approved changes the new policy would ask more of: they keep their requirements and say so (`policyAsksMore`)',
  }),
  stranded: Type.Array(Type.String(), {
    description:
      'Pending changes with a requirement nobody but their requester could meet under the new policy (a group removed or emptied): they wait until edited or withdrawn',
  }),
  warnings: Type.Array(Type.String(), {
    description: 'What `policy check` warns about the new policy',
  }),
});

export const PolicyHistoryView = Type.Object({
  inForce: Nullable(Type.String({ description: 'The hash of the policy in force' })),
  items: Type.Array(
    Type.Object({
      hash: Type.String(),
      previous: Nullable(Type.String()),
      appliedAt: Type.String(),
      appliedBy: Nullable(
        Type.String({
          description:
            "A person id, or `policy-file` for the server's own file; null: loaded before any policy was applied",
        }),
      ),
      summary: Type.Array(Type.String()),
      flagged: Type.Array(Type.String()),
      eventId: Nullable(Type.Integer()),
    }),
  ),
});
