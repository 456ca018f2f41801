import { Type } from 'typebox';
import { Nullable } from '../../shared/schema.js';

/** Pieces every resource of the API contract uses. */

export const ChangeId = Type.String({
  pattern: '^(?:[Cc][Hh][Gg]-)?[0-9]{1,15}$',
  examples: ['CHG-42'],
});
export const Instant = Type.String({ format: 'date-time', examples: ['2026-12-01T10:00:00Z'] });
export const AnswerValue = Type.Union([
  Type.String({ maxLength: 20_000 }),
  Type.Number(),
  Type.Boolean(),
]);
export const Link = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export const Strict = { additionalProperties: false } as const;

export const NextCursor = Nullable(
  Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }),
);

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  }),
});
