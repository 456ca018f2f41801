import type { Change, RequirementSpec } from './change.js';
import { subjectOf } from './change-content.js';
import type { Policy } from './policy.js';
import { computeRequirements, findUnsatisfiable, requirementsFor } from './requirements.js';

/** Changes whose approvals are decided, or still being decided, and not yet acted on. */
const FLAGGED_STATES: readonly Change['state'][] = ['pending', 'approved'];

/**
 * What the policy in force would ask of a change beyond what it was submitted
 * under. A pending or approved change keeps its requirements when the policy
 * changes (an edit re-computes them); one that would now need more is flagged
 * with these, never silently changed. Empty for any other change.
 */
export function requirementsAddedSince(policy: Policy, change: Change): RequirementSpec[] {
  if (!FLAGGED_STATES.includes(change.state)) return [];
  return computeRequirements(policy, subjectOf(change)).filter((wanted) => {
    const had = change.requirements.find(
      (r) => r.group === wanted.group && r.service === wanted.service,
    );
    return !had || had.count < wanted.count;
  });
}

/**
 * The groups of a pending change's requirements that nobody but its requester
 * could meet under `policy` (a group removed, or emptied): it would wait for
 * ever, so applying such a policy says so.
 */
export function groupsStrandedBy(policy: Policy, change: Change): string[] {
  if (change.state !== 'pending') return [];
  return [
    ...new Set(
      findUnsatisfiable(change.requirements, {
        requester: change.requester,
        ...requirementsFor(policy, policy.changeTypes.get(change.type)),
      }),
    ),
  ];
}

export { FLAGGED_STATES };
