import type { DecisionVia, DiscussionOutcome } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import { recordDiscussion } from '../domain/meetings.js';
import type { Person } from '../domain/policy.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';
import type { ChangeTransaction } from './ports.js';

export interface DiscussionRequest {
  /** The meeting's id or name. */
  readonly meeting: string;
  readonly outcome: DiscussionOutcome;
  readonly minutes?: string;
  readonly url?: string;
  /** Refused (409) if the change moved on since the attendee looked at it (an agenda link is bound to one version). */
  readonly version?: number;
  readonly via?: DecisionVia;
  /** Refused if an edit opened another approval round since (an agenda link is for the change as it was sent). */
  readonly round?: number;
}

/**
 * Records a meeting's outcome on a change (`POST /changes/{id}/discussions`), by
 * one of its attendees: the `discussed` event, and what the outcome does
 * (domain/meetings.ts recordDiscussion).
 */
export function discussChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  request: DiscussionRequest,
  /** A transaction the caller holds (an agenda link is spent in the outcome's). */
  within?: ChangeTransaction,
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action: 'discuss', version: request.version },
    ({ change, evaluation }, now) => {
      if (request.round !== undefined && request.round !== change.round)
        throw new AppError(
          'invalid_state',
          `CHG-${change.id} was changed after this link was sent, so it needs a fresh look`,
        );
      return recordDiscussion(deps.policy, change, {
        actor: actor.id,
        meeting: request.meeting,
        outcome: request.outcome,
        minutes: request.minutes?.trim() || null,
        url: request.url?.trim() || null,
        now,
        via: request.via,
        requirementsMet: evaluation.allMet,
      });
    },
    within,
  );
}
