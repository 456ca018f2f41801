import {
  lockedAnswerIssues,
  uncoveredServiceIssues,
} from '../../../src/domain/standard-changes.js';
import type { ChangeContent } from '../../../src/domain/change-content.js';
import type { Issue } from '../../../src/domain/errors.js';
import type { PolicyInfo } from '../api/types.js';

/**
 * The standard change catalog in the form (PRODUCT.md, "Standard change
 * catalog"): a change of a pre-approved type starts from a template, and the
 * checks are the server's own (src/domain/standard-changes.ts).
 */

export type Template = NonNullable<PolicyInfo['standardChanges']>[number];

/** A template as the form offers it to the signed-in person. */
export interface TemplateOffer {
  readonly template: Template;
  /** Whether they may raise it: they are in one of its requester groups. */
  readonly allowed: boolean;
  /** Why not, when not. */
  readonly why?: string;
}

/** Whether a change of `type` must start from a template: the policy has a catalog and the type needs no approval. */
export function needsTemplate(policy: PolicyInfo, type: string): boolean {
  const changeType = policy.changeTypes.find((t) => t.id === type);
  return (
    policy.standardChanges !== null && changeType !== undefined && changeType.approvals.length === 0
  );
}

export function findTemplate(policy: PolicyInfo, id: string): Template | undefined {
  return policy.standardChanges?.find((t) => t.id === id);
}

/**
 * Every template, those the person may raise first: the others are shown
 * disabled, saying which groups may, so nobody wonders where one went.
 */
export function templateOffers(policy: PolicyInfo, groups: readonly string[]): TemplateOffer[] {
  const offers = (policy.standardChanges ?? []).map((template): TemplateOffer => {
    const allowed = template.requesters.some((group) => groups.includes(group));
    return allowed
      ? { template, allowed }
      : {
          template,
          allowed,
          why: `Only for members of ${template.requesters.join(', ')}`,
        };
  });
  return [...offers.filter((o) => o.allowed), ...offers.filter((o) => !o.allowed)];
}

/** Whether the template sets this answer for good: the form shows it read-only. */
export function isLocked(template: Template | undefined, fieldId: string): boolean {
  return template?.locked.includes(fieldId) ?? false;
}

/**
 * What the form holds once a template is picked: its services, and its answers
 * over whatever was typed (as the inputs hold them: text for numbers).
 */
export function applyTemplate<
  S extends { services: string[]; answers: Record<string, string | boolean | undefined> },
>(state: S, template: Template): S {
  const answers = { ...state.answers };
  for (const [id, value] of Object.entries(template.answers))
    answers[id] = typeof value === 'number' ? String(value) : value;
  return { ...state, services: [...template.services], answers };
}

/**
 * What the server would refuse about the template (the same words, from the
 * same rules): none chosen for a type that needs one, one that is not in the
 * catalog, services it does not cover, locked answers changed. Who raises it is
 * the server's to say, at submit.
 */
export function templateIssues(
  policy: PolicyInfo,
  content: ChangeContent,
  templateId: string,
): Issue[] {
  if (!needsTemplate(policy, content.type)) return [];
  if (templateId === '')
    return [{ path: 'template', message: 'choose the standard change this is' }];
  const template = findTemplate(policy, templateId);
  if (!template) return [{ path: 'template', message: `unknown standard change "${templateId}"` }];
  return [
    ...uncoveredServiceIssues(template, content.services),
    ...lockedAnswerIssues(template, content.answers),
  ];
}
