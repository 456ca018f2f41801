import { checkAnswer } from '../../domain/fields.js';
import type { Field } from '../../domain/policy.js';
import type { StandardChangeFile } from '../schema.js';
import { noteUnique, unknown, type Segments } from './helpers.js';
import type { PolicyCheck } from './sections.js';

const DATE: Field = { id: 'approvedOn', label: 'approvedOn', type: 'date', required: true };

/**
 * The standard change catalog: each template names real services, fields,
 * groups and a person; its answers fit their fields; what it locks it gives.
 * Without a catalog, a pre-approved type takes any change: said, not refused,
 * since policies written before the catalog rely on it.
 */
export function checkStandardChanges(c: PolicyCheck): void {
  const { file, warn } = c;
  const preApproved = Object.entries(file.changeTypes)
    .filter(([, type]) => type.approvals.length === 0)
    .map(([id]) => id);
  const catalog = file.standardChanges;
  if (catalog === undefined) {
    for (const id of preApproved)
      warn(
        ['changeTypes', id],
        `needs no approval, and the policy has no standardChanges: anyone can file any change as "${id}" and have it approved on submit. Add a standardChanges catalog so that only the changes it lists are pre-approved`,
      );
    return;
  }
  if (preApproved.length === 0 && catalog.length > 0)
    warn(
      ['standardChanges'],
      'no change type is pre-approved (approvals: []), so no change can be filed from these templates; give a type approvals: [] or leave standardChanges out',
    );
  if (preApproved.length > 0 && catalog.length === 0)
    warn(
      ['standardChanges'],
      `is empty: no ${preApproved.join(' or ')} change can be filed until a template is added (with standardChanges, a pre-approved change must name its template)`,
    );
  const ids = new Map<string, number>();
  catalog.forEach((template, i) => {
    const at = ['standardChanges', i] as const;
    noteUnique(ids, template.id, i, () =>
      c.error(
        [...at, 'id'],
        `duplicate standard change "${template.id}" (first at standardChanges[${ids.get(template.id)}])`,
      ),
    );
    checkTemplateServices(c, template, at);
    checkTemplateAnswers(c, template, at);
    checkTemplateRequesters(c, template, at);
    if (!c.people.has(template.approvedBy))
      c.error([...at, 'approvedBy'], unknown('person', template.approvedBy, c.people.keys()));
    const date = checkAnswer(DATE, template.approvedOn);
    if (date) c.error([...at, 'approvedOn'], date);
  });
}

function checkTemplateServices(c: PolicyCheck, template: StandardChangeFile, at: Segments): void {
  const seen = new Set<string>();
  template.services.forEach((service, j) => {
    if (!c.services.has(service))
      c.error([...at, 'services', j], unknown('service', service, c.services));
    if (seen.has(service)) c.error([...at, 'services', j], `"${service}" is listed twice`);
    seen.add(service);
  });
}

/** Answers name fields of the policy and fit them; `locked` names answers the template gives. */
function checkTemplateAnswers(c: PolicyCheck, template: StandardChangeFile, at: Segments): void {
  const answers = template.answers ?? {};
  for (const [id, value] of Object.entries(answers)) {
    const field = c.fields.get(id);
    if (!field) {
      c.error([...at, 'answers', id], unknown('field', id, c.fields.keys()));
      continue;
    }
    const problem = checkAnswer(
      { id, label: id, type: field.type, options: field.options, required: false },
      value,
    );
    if (problem)
      c.error(
        [...at, 'answers', id],
        `${JSON.stringify(value)} does not fit field "${id}": ${problem}`,
      );
  }
  const seen = new Set<string>();
  (template.locked ?? []).forEach((id, j) => {
    if (seen.has(id)) c.error([...at, 'locked', j], `"${id}" is listed twice`);
    else if (!(id in answers))
      c.error(
        [...at, 'locked', j],
        c.fields.has(id)
          ? `locks "${id}", but the template gives no answer to it: add it under answers, or leave it out of locked`
          : `${unknown('field', id, c.fields.keys())}; locked names answers the template gives`,
      );
    seen.add(id);
  });
}

function checkTemplateRequesters(c: PolicyCheck, template: StandardChangeFile, at: Segments): void {
  const seen = new Set<string>();
  template.requesters.forEach((group, j) => {
    if (!c.groups.has(group))
      c.error(
        [...at, 'requesters', j],
        `${unknown('group', group, c.groups)}; requesters are groups whose members may raise this change`,
      );
    if (seen.has(group)) c.error([...at, 'requesters', j], `"${group}" is listed twice`);
    seen.add(group);
  });
}
