import { Type, type Static } from 'typebox';
import type { ChangeClock } from '../../domain/clock.js';
import { Nullable, StringEnum } from '../../shared/schema.js';

/** The seed's clock: how long a change took. `GET /changes/{id}/clock`. */

const Ms = (description: string) => Nullable(Type.Integer({ description }));

export const ChangeClockView = Type.Object(
  {
    createdAt: Type.String(),
    submittedAt: Nullable(Type.String()),
    requestedAt: Nullable(
      Type.String({
        description:
          'When approvers were last asked: at submit, or when an edit opened a new round. Approval times count from here.',
      }),
    ),
    approvedAt: Nullable(
      Type.String({
        description:
          'When every requirement of the current round was met: when it was approved, or, after an early start (which never passes through `approved`), the approval that met the last open requirement; null while approvals are open',
      }),
    ),
    startedAt: Nullable(Type.String()),
    completedAt: Nullable(Type.String()),
    verifiedAt: Nullable(Type.String()),
    endedAt: Nullable(
      Type.String({
        description:
          'When it reached its end state (verified, rejected, withdrawn or failed); null while open',
      }),
    ),
    endState: Nullable(StringEnum(['verified', 'rejected', 'withdrawn', 'failed'] as const)),
    totalMs: Ms('Created → end in milliseconds; null while the change is open (count to now)'),
    submittedToEndMs: Ms('Submitted → end; null while open or never submitted'),
    approvals: Type.Array(
      Type.Object({
        group: Nullable(
          Type.String({
            description:
              'The requirement (group) the approval counted for; null when it counted for none. An approval that counted for two groups appears once for each.',
          }),
        ),
        person: Type.String({ description: 'Whose approval it is, also when a stand-in gave it' }),
        at: Type.String(),
        afterRequestMs: Type.Integer({ description: 'Request → this approval' }),
      }),
      { description: 'Approvals of the current round only, oldest first' },
    ),
    approvedAfterMs: Ms('Request → every requirement met (`approvedAt`), for the current round'),
    startedAfterRequestMs: Ms('Request → started (before approval on an early start)'),
  },
  {
    description:
      "How long the change took, from its own events: created → verified (or its end state), the request → each approval of the current round, and when it was started, completed and verified. Served on its own, not in the change JSON, because it reads the change's events, which lists of changes do not.",
  },
);
export type ChangeClockJson = Static<typeof ChangeClockView>;

/** The clock as the API shows it. */
export function presentClock(clock: ChangeClock): ChangeClockJson {
  return {
    ...clock,
    endState: clock.endState,
    approvals: clock.approvals.map((a) => ({
      group: a.group,
      person: a.person,
      at: a.at,
      afterRequestMs: a.afterRequestMs,
    })),
  };
}
