import { requirementsForApproval, submitForApproval } from '../domain/approval.js';
import type { Person } from '../domain/policy.js';
import { pinTemplate } from '../domain/standard-changes.js';
import { actOnChange, type Acted } from './act-on-change.js';
import type { AppDeps } from './deps.js';

/** Sends a draft for approval. A change that needs no approval (a standard change) is approved at once. */
export function submitChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  options: { version?: number } = {},
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action: 'submit', version: options.version },
    ({ change }, now) => {
      // The catalog may have changed since the draft was saved, and its requester been assigned since.
      const pinned = pinTemplate(deps.policy, change);
      return submitForApproval(deps.policy, pinned, requirementsForApproval(deps.policy, pinned), {
        actor: actor.id,
        now,
      });
    },
  );
}
