import { Type } from 'typebox';
import { FIELD_TYPES } from '../../domain/policy.js';
import { Nullable, StringEnum } from '../../shared/schema.js';

/** The policy as the web app needs it. */

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
  recurringFreezes: Type.Array(
    Type.Object({
      name: Type.String(),
      rrule: Type.String(),
      at: Type.String({ description: 'Local start time' }),
      timezone: Type.String(),
      durationMinutes: Type.Integer(),
      allow: Type.Array(Type.String()),
      services: Type.Array(Type.String()),
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
});
