import { requirementsForApproval, submitForApproval } from '../domain/approval.js';
import type { Person } from '../domain/policy.js';
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
    ({ change }, now) =>
      submitForApproval(deps.policy, change, requirementsForApproval(deps.policy, change), {
        actor: actor.id,
        now,
      }),
  );
}
