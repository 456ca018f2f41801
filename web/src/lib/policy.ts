import {
  checkContent,
  findMissingPlan,
  type ChangeContent,
} from '../../../src/domain/change-content.js';
import type { Issue } from '../../../src/domain/errors.js';
import { findMissingAnswers, isFieldRequired } from '../../../src/domain/fields.js';
import type { ChangeType, Condition, Field, Service } from '../../../src/domain/policy.js';
import type { PolicyField, PolicyInfo } from '../api/types.js';

/**
 * The form validates with the server's own rules (src/domain: pure, no I/O),
 * fed from GET /api/v1/policy, so an inline message and the server's answer
 * can never disagree.
 */
export interface FormPolicy {
  readonly fields: readonly Field[];
  readonly services: ReadonlyMap<string, Service>;
  readonly changeTypes: ReadonlyMap<string, ChangeType>;
}

export function toDomainField(field: PolicyField): Field {
  return {
    id: field.id,
    label: field.label,
    ...(field.help === undefined ? {} : { help: field.help }),
    type: field.type,
    ...(field.options === undefined ? {} : { options: field.options }),
    required: field.requiredWhen ? { when: field.requiredWhen as Condition } : field.required,
  };
}

export function toFormPolicy(policy: PolicyInfo): FormPolicy {
  return {
    fields: policy.fields.map(toDomainField),
    services: new Map(
      policy.services.map((s) => [
        s.id,
        {
          id: s.id,
          name: s.name,
          repositories: s.repositories,
          environments: s.environments,
          ...(s.approvers === null ? {} : { approvers: s.approvers }),
          notify: [],
        },
      ]),
    ),
    changeTypes: new Map(
      policy.changeTypes.map((t) => [
        t.id,
        {
          id: t.id,
          label: t.label,
          approvals: [],
          keepApprovalsOnPush: false,
          distinctApprovers: t.distinctApprovers,
          notifyOutsideWorkingHours: false,
          requirePlannedWindow: t.requirePlannedWindow,
        },
      ]),
    ),
  };
}

/** What a draft may not have (the server's checkContent), and on submit the unanswered required questions too. */
export function validateChange(
  policy: FormPolicy,
  content: ChangeContent,
  options: { forSubmit: boolean },
): Issue[] {
  const issues = checkContent(policy, content);
  if (options.forSubmit)
    issues.push(
      ...findMissingAnswers(policy.fields, content),
      ...findMissingPlan(policy.changeTypes.get(content.type), content),
    );
  return issues;
}

export function isRequiredNow(field: Field, content: ChangeContent): boolean {
  return isFieldRequired(field, content);
}

export type { ChangeContent, Issue };
