import type { Change, RequirementSpec } from '../domain/change.js';
import { subjectOf } from '../domain/change-content.js';
import { AppError } from '../domain/errors.js';
import { findMissingAnswers } from '../domain/fields.js';
import type { Policy } from '../domain/policy.js';
import { computeRequirements, findUnsatisfiable } from '../domain/requirements.js';

/**
 * The gate a change passes to enter approval (on submit, and again after an edit
 * of a pending change): every required answer given, and every requirement one
 * that somebody other than the requester can meet.
 */
export function requirementsForApproval(policy: Policy, change: Change): RequirementSpec[] {
  const subject = subjectOf(change);
  const missing = findMissingAnswers(policy.fields, subject);
  if (missing.length > 0) {
    throw new AppError(
      'answers_incomplete',
      `${missing.length} required question(s) unanswered`,
      missing,
    );
  }
  const requirements = computeRequirements(policy, subject);
  const unsatisfiable = findUnsatisfiable(requirements, {
    requester: change.requester,
    distinctApprovers: policy.changeTypes.get(change.type)?.distinctApprovers ?? false,
    membersOf: (group) => policy.groups.get(group) ?? [],
  });
  if (unsatisfiable.length > 0) {
    const groups = [...new Set(unsatisfiable)];
    throw new AppError(
      'unsatisfiable_requirement',
      `nobody but the requester could approve for group${groups.length > 1 ? 's' : ''} ${groups.map((g) => `"${g}"`).join(', ')}; ask an admin to add approvers to the policy`,
      groups.map((group) => ({
        path: 'requirements',
        message: `group "${group}" has too few members other than ${change.requester}`,
      })),
    );
  }
  return requirements;
}
