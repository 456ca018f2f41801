import type { AnswerValue, Answers, Change, ChangeSubject } from './change.js';
import { AppError, type Issue } from './errors.js';
import type { ChangeType, Policy, StandardChange } from './policy.js';

/**
 * The standard change catalog (PRODUCT.md, "Standard change catalog"): with
 * `standardChanges` in the policy, a template is the only way a change becomes
 * pre-approved. A change of a pre-approved type names its template, stays
 * within the template's services and locked answers, and is raised by one of
 * its requesters. Pure, and free of Node: the use cases call it on create,
 * edit and submit, and the web app's form shares it.
 */

/** The parts of the policy these rules read. */
export type CatalogPolicy = Pick<Policy, 'changeTypes' | 'standardChanges' | 'groups' | 'people'>;

/** What a change records of the template it used. */
export type TemplateRef = NonNullable<Change['template']>;

/** A type that needs no approval: a change of it is approved as soon as it is submitted. */
export function isPreApproved(changeType: Pick<ChangeType, 'approvals'> | undefined): boolean {
  return changeType !== undefined && changeType.approvals.length === 0;
}

/** Whether a change of `type` must name a template: the policy has a catalog, and the type is pre-approved. */
export function needsTemplate(
  policy: Pick<Policy, 'changeTypes' | 'standardChanges'>,
  type: string,
): boolean {
  return policy.standardChanges !== undefined && isPreApproved(policy.changeTypes.get(type));
}

export function findTemplate(
  policy: Pick<Policy, 'standardChanges'>,
  id: string,
): StandardChange | undefined {
  return policy.standardChanges?.find((template) => template.id === id);
}

/** The template named `id`; 422 `unknown_template` when the catalog has none. */
export function getTemplate(policy: Pick<Policy, 'standardChanges'>, id: string): StandardChange {
  const template = findTemplate(policy, id);
  if (template) return template;
  const known = (policy.standardChanges ?? []).map((t) => t.id);
  const message =
    policy.standardChanges === undefined
      ? `unknown standard change "${id}": the policy has no standard change catalog (standardChanges)`
      : `unknown standard change "${id}"; the catalog has: ${known.length > 0 ? known.join(', ') : 'nothing yet'}`;
  throw new AppError('unknown_template', message, [{ path: 'template', message }]);
}

/**
 * What a new change starts from: the template's services when none are given,
 * and its answers wherever the requester gave none.
 */
export function prefillFromTemplate(
  template: StandardChange,
  given: { readonly services?: readonly string[]; readonly answers?: Answers },
): { services: readonly string[]; answers: Answers } {
  return {
    services: given.services?.length ? given.services : [...template.services],
    answers: { ...template.answers, ...given.answers },
  };
}

/** The locked answers a change's answers do not keep, each at its `answers.<id>`. */
export function lockedAnswerIssues(template: StandardChange, answers: Answers): Issue[] {
  return template.locked.flatMap((id) => {
    const expected = template.answers[id];
    const given: AnswerValue | undefined = answers[id];
    if (given === expected) return [];
    return [
      {
        path: `answers.${id}`,
        message: `is set by the template "${template.title}" to ${JSON.stringify(expected)}${given === undefined ? '' : `, not ${JSON.stringify(given)}`}`,
      },
    ];
  });
}

/** The services a change touches that its template does not list, each at its `services[i]`. */
export function uncoveredServiceIssues(
  template: StandardChange,
  services: readonly string[],
): Issue[] {
  return services.flatMap((service, i) =>
    template.services.includes(service)
      ? []
      : [
          {
            path: `services[${i}]`,
            message: `"${service}" is not covered by the template "${template.title}", which covers: ${template.services.join(', ')}`,
          },
        ],
  );
}

/** Whether `person` is in one of the groups that may use the template. */
export function mayUseTemplate(
  policy: Pick<Policy, 'groups'>,
  template: StandardChange,
  person: string | null,
): boolean {
  if (person === null) return false;
  return template.requesters.some((group) => policy.groups.get(group)?.includes(person));
}

/** The templates `person` may use: what the form offers. */
export function templatesFor(
  policy: Pick<Policy, 'groups' | 'standardChanges'>,
  person: string,
): StandardChange[] {
  return (policy.standardChanges ?? []).filter((t) => mayUseTemplate(policy, t, person));
}

export interface StandardCheck {
  /**
   * Also check who raises it: at submit, and when an edit of a pending change
   * sends it for approval again. Not on a draft: its requester may change (an
   * unassigned draft is claimed) and the policy may change before it is sent.
   */
  readonly requester?: { readonly id: string | null };
}

/**
 * The template a change of this content may use, checked against the catalog:
 * undefined when it names none and needs none. Throws 422 with the most precise
 * code, `details` locating every problem of that kind:
 * `unknown_template`, `standard_template_required`, `template_not_standard`,
 * `template_service_not_covered`, `template_answer_locked`, and with
 * `check.requester`, `template_requester_not_allowed`.
 */
export function checkStandardChange(
  policy: CatalogPolicy,
  change: ChangeSubject,
  templateId: string | null | undefined,
  check: StandardCheck = {},
): StandardChange | undefined {
  const changeType = policy.changeTypes.get(change.type);
  const label = changeType?.label ?? change.type;
  if (templateId === null || templateId === undefined) {
    if (!needsTemplate(policy, change.type)) return undefined;
    const offered = (policy.standardChanges ?? []).map((t) => t.id);
    const message = `a ${label} change is pre-approved only as a standard change: name its template (${offered.length > 0 ? `one of ${offered.join(', ')}` : 'the catalog has none yet'})`;
    throw new AppError('standard_template_required', message, [{ path: 'template', message }]);
  }
  const template = getTemplate(policy, templateId);
  if (!isPreApproved(changeType)) {
    const preApproved = [...policy.changeTypes.values()].filter(isPreApproved).map((t) => t.id);
    const message = `"${template.id}" is a standard change, but a ${label} change needs approvals: ${preApproved.length > 0 ? `file it as ${preApproved.join(' or ')}, or leave template out` : 'leave template out'}`;
    throw new AppError('template_not_standard', message, [{ path: 'template', message }]);
  }
  const uncovered = uncoveredServiceIssues(template, change.services);
  if (uncovered.length > 0)
    throw new AppError(
      'template_service_not_covered',
      `the standard change "${template.title}" covers only ${template.services.join(', ')}`,
      uncovered,
    );
  const locked = lockedAnswerIssues(template, change.answers);
  if (locked.length > 0)
    throw new AppError(
      'template_answer_locked',
      `the standard change "${template.title}" sets ${locked.length === 1 ? 'this answer' : 'these answers'}: ${locked.map((i) => i.path).join(', ')}`,
      locked,
    );
  if (check.requester && !mayUseTemplate(policy, template, check.requester.id)) {
    const id = check.requester.id;
    const why =
      id === null
        ? 'the change has no requester yet'
        : `${policy.people.get(id)?.name ?? id} is in none of them`;
    const message = `only members of ${template.requesters.join(', ')} may raise the standard change "${template.title}", and ${why}`;
    throw new AppError('template_requester_not_allowed', message, [{ path: 'template', message }]);
  }
  return template;
}

/**
 * A change as it is sent for approval: every rule checked, requester included,
 * and the version of the template it goes under recorded. A change sent under
 * one version keeps it when the catalog changes later.
 */
export function pinTemplate(policy: Policy, change: Change): Change {
  const template = checkStandardChange(policy, change, change.template?.id, {
    requester: { id: change.requester },
  });
  const { template: _previous, ...rest } = change;
  return template ? { ...rest, template: refOf(template) } : rest;
}

export function refOf(template: StandardChange): TemplateRef {
  return { id: template.id, version: template.version };
}

/** What the `submitted` event records of the template: the version, and who accepted it when. */
export function templateRecord(template: StandardChange): {
  id: string;
  version: string;
  title: string;
  approvedBy: string;
  approvedOn: string;
} {
  return {
    id: template.id,
    version: template.version,
    title: template.title,
    approvedBy: template.approvedBy,
    approvedOn: template.approvedOn,
  };
}
