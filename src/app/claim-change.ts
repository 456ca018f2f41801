import { authorize } from '../domain/authorization.js';
import type { Change } from '../domain/change.js';
import { assertCanPerform } from '../domain/lifecycle.js';
import type { Person } from '../domain/policy.js';
import {
  assertVersion,
  evaluateChange,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';

/**
 * Makes the caller the requester of an unassigned draft: one drafted from a pull
 * request whose author the policy does not know. Anyone may; the first one wins.
 * The timeline records it as an edit of the requester.
 */
export async function claimChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  options: { version?: number } = {},
): Promise<Change> {
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const change = await getChangeForUpdate(tx, id);
    authorize(actor, 'claim', {
      change,
      decisions: [],
      evaluation: evaluateChange(deps.policy, change, []),
      approvers: [],
    });
    assertCanPerform(change.state, 'claim');
    assertVersion(change, options.version);
    const next: Change = {
      ...change,
      requester: actor.id,
      version: change.version + 1,
      updatedAt: now,
    };
    await saveChange(tx, next, change);
    await recordEvents(
      tx,
      deps,
      next,
      [
        {
          changeId: id,
          type: 'edited',
          actor: actor.id,
          data: { changes: { requester: { from: null, to: actor.id } }, reason: 'claimed' },
        },
      ],
      now,
    );
    return next;
  });
}
