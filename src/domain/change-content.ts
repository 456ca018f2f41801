import type { Answers, ChangeSubject, Link } from './change.js';
import type { Issue } from './errors.js';
import { checkAnswers } from './fields.js';
import type { ChangeType, Policy } from './policy.js';

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

/**
 * On submit: a type with `requirePlannedWindow` needs a planned start and end.
 * Pure: the form runs it too.
 */
export function findMissingPlan(
  changeType: Pick<ChangeType, 'label' | 'requirePlannedWindow'> | undefined,
  content: Pick<ChangeContent, 'plannedStart' | 'plannedEnd'>,
): Issue[] {
  if (!changeType?.requirePlannedWindow) return [];
  const needs = `a ${changeType.label} change needs a planned window`;
  return [
    ...(content.plannedStart ? [] : [{ path: 'plannedStart', message: needs }]),
    ...(content.plannedEnd ? [] : [{ path: 'plannedEnd', message: needs }]),
  ];
}

/**
 * What is wrong with the planned window of a change not yet started, at `now`:
 * it is over, or it has begun. Said in the answer and on the page, not refused:
 * an emergency is often planned for a time that has already come.
 */
export function plannedWindowWarning(
  change: Pick<ChangeContent, 'plannedStart' | 'plannedEnd'> & { readonly state: string },
  now: Date,
): string | null {
  if (!['draft', 'pending', 'approved'].includes(change.state) || !change.plannedStart) return null;
  const end = change.plannedEnd ? new Date(change.plannedEnd) : undefined;
  if (end && end <= now) return 'The planned window is over: plan it again before it starts.';
  if (new Date(change.plannedStart) <= now)
    return 'The planned window has begun, and the change has not started.';
  return null;
}

export function subjectOf(
  content: Pick<ChangeContent, 'type' | 'services' | 'answers'>,
): ChangeSubject {
  return { type: content.type, services: content.services, answers: content.answers };
}
