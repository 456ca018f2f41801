import type { Person } from '../domain/policy.js';
import { fileReview } from '../domain/reviews.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';

/**
 * Files a change's post-implementation review (`POST /changes/{id}/review`):
 * the requester, or anyone who may verify it, answers the review's questions;
 * the change records them and a `reviewed` event carries them into the chain.
 */
export function reviewChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  request: { readonly answers: Readonly<Record<string, unknown>>; readonly version?: number },
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action: 'review', version: request.version },
    ({ change }, now) =>
      fileReview(deps.policy, change, { actor: actor.id, answers: request.answers, now }),
  );
}
