import { authorize } from '../domain/authorization.js';
import type { Change } from '../domain/change.js';
import type { NewEvent } from '../domain/events.js';
import { assertCanPerform } from '../domain/lifecycle.js';
import { meetingsFor } from '../domain/meetings.js';
import type { Person } from '../domain/policy.js';
import { subjectOf } from '../domain/change-content.js';
import { requirementsForApproval } from './approval-rules.js';
import {
  assertVersion,
  evaluateChange,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';

/** Sends a draft for approval. A change that needs no approval (a standard change) is approved at once. */
export async function submitChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  options: { version?: number } = {},
): Promise<Change> {
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const change = await getChangeForUpdate(tx, id);
    authorize(actor, 'submit', {
      change,
      decisions: [],
      evaluation: evaluateChange(deps.policy, change, []),
      approvers: [],
    });
    assertCanPerform(change.state, 'submit');
    assertVersion(change, options.version);

    const requirements = requirementsForApproval(deps.policy, change);
    let next: Change = {
      ...change,
      state: 'pending',
      requirements,
      round: change.round + 1,
      meetings: meetingsFor(deps.policy, subjectOf(change)),
      version: change.version + 1,
      submittedAt: now,
      requestedAt: now,
      updatedAt: now,
    };
    const events: NewEvent[] = [
      {
        changeId: id,
        type: 'submitted',
        actor: actor.id,
        data: { requirements, meetings: next.meetings, round: next.round },
      },
    ];
    if (evaluateChange(deps.policy, next, []).allMet) {
      next = { ...next, state: 'approved' };
      events.push({
        changeId: id,
        type: 'approved',
        actor: actor.id,
        data: {
          reason: `${deps.policy.changeTypes.get(change.type)?.label ?? change.type} changes are pre-approved`,
        },
      });
    }
    await saveChange(tx, next, change);
    await recordEvents(tx, deps, next, events, now);
    return next;
  });
}
