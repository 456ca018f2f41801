import { Type } from 'typebox';
import { ChangeView } from './changes.js';
import { Nullable } from '../../shared/schema.js';
import { ChangeId, Strict } from './common.js';

/** The pipeline gate. */

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
  freeze: Nullable(
    Type.Object(
      { name: Type.String(), from: Type.String(), to: Type.String() },
      {
        description:
          'The freeze in force that does not allow the change: covered is false until it ends, even for an approved change',
      },
    ),
  ),
  change: Nullable(ChangeView),
});
