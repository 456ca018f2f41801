import type { Answers, ChangeSubject, Link } from './change.js';
import type { Issue } from './errors.js';
import { checkAnswers } from './fields.js';
import type { Policy } from './policy.js';

/** The parts of a change its requester writes. */
export interface ChangeContent {
  readonly title: string;
  readonly description: string;
  readonly type: string;
  readonly services: readonly string[];
  readonly answers: Answers;
  readonly plannedStart: string | null;
  readonly plannedEnd: string | null;
  readonly links: readonly Link[];
}

export const CONTENT_KEYS = [
  'title',
  'description',
  'type',
  'services',
  'answers',
  'plannedStart',
  'plannedEnd',
  'links',
] as const satisfies readonly (keyof ChangeContent)[];

/**
 * Problems a draft may not have: unknown type, service or field, wrong answer types, a window that ends before it starts.
 * Pure, and needs only part of the policy: the web app's form runs it too.
 */
export function checkContent(
  policy: Pick<Policy, 'changeTypes' | 'services' | 'fields'>,
  content: ChangeContent,
): Issue[] {
  const issues: Issue[] = [];
  if (content.title.trim() === '') issues.push({ path: 'title', message: 'must not be empty' });
  if (!policy.changeTypes.has(content.type)) {
    issues.push({
      path: 'type',
      message: `unknown change type "${content.type}"; the policy has: ${[...policy.changeTypes.keys()].join(', ')}`,
    });
  }
  if (content.services.length === 0)
    issues.push({ path: 'services', message: 'name at least one service the change touches' });
  content.services.forEach((service, i) => {
    if (!policy.services.has(service)) {
      issues.push({
        path: `services[${i}]`,
        message: `unknown service "${service}"; the policy has: ${[...policy.services.keys()].join(', ')}`,
      });
    }
  });
  if (new Set(content.services).size !== content.services.length)
    issues.push({ path: 'services', message: 'lists a service twice' });
  issues.push(...checkAnswers(policy.fields, content.answers));
  if (
    content.plannedStart &&
    content.plannedEnd &&
    !(new Date(content.plannedStart) < new Date(content.plannedEnd))
  ) {
    issues.push({
      path: 'plannedEnd',
      message: `must be after plannedStart (${content.plannedStart})`,
    });
  }
  if (content.plannedEnd && !content.plannedStart)
    issues.push({ path: 'plannedStart', message: 'is required when plannedEnd is given' });
  return issues;
}

export function subjectOf(
  content: Pick<ChangeContent, 'type' | 'services' | 'answers'>,
): ChangeSubject {
  return { type: content.type, services: content.services, answers: content.answers };
}
