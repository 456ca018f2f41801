import { Type, type Static } from 'typebox';
import { Nullable } from '../../shared/schema.js';
import { Instant, Strict } from './common.js';

/** People and their absences: `GET /people`, `PUT|DELETE /people/{id}/absence`. */

export const AbsenceBody = Type.Object(
  {
    from: Type.Optional(Instant),
    until: Instant,
    delegate: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 64,
          description:
            'Who decides for you while you are away; without one, your deputy from the policy does, else the rest of your groups',
        }),
      ),
    ),
    note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  Strict,
);

export const AbsenceView = Type.Object({
  from: Type.String(),
  until: Type.String(),
  delegate: Nullable(Type.String()),
  note: Nullable(Type.String()),
  setBy: Type.String({ description: 'Who recorded it: the person or an admin' }),
  setAt: Type.String(),
});

export const PersonStatusView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  groups: Type.Array(Type.String()),
  admin: Type.Boolean(),
  external: Type.Boolean({ description: 'A supplier: decides by signed link, never signs in' }),
  deputy: Nullable(Type.String({ description: 'Their standing deputy from the policy' })),
  absent: Type.Boolean({ description: 'Away now' }),
  delegate: Nullable(
    Type.String({ description: 'Who decides for them now: set only while they are away' }),
  ),
  absence: Nullable(AbsenceView),
});
export type PersonStatusJson = Static<typeof PersonStatusView>;

export const PeopleList = Type.Object({ items: Type.Array(PersonStatusView) });

export const PersonParams = Type.Object({
  id: Type.String({ maxLength: 64, description: 'A person id from the policy; `me` for yourself' }),
});
