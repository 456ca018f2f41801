import type { Person } from '../domain/policy.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';

/**
 * Makes the caller the requester of an unassigned draft: one drafted from a pull
 * request whose author the policy does not know. Anyone may; the first one wins.
 * The timeline records it as an edit of the requester.
 */
export function claimChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  options: { version?: number } = {},
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action: 'claim', version: options.version },
    ({ change }) => ({
      change: { ...change, requester: actor.id },
      events: [
        {
          changeId: id,
          type: 'edited',
          actor: actor.id,
          data: { changes: { requester: { from: null, to: actor.id } }, reason: 'claimed' },
        },
      ],
    }),
  );
}
