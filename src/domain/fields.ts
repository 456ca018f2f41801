import type { AnswerValue, ChangeSubject } from './change.js';
import { matchesCondition } from './conditions.js';
import type { Issue } from './errors.js';
import type { Field } from './policy.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why `value` is not a valid answer to `field`, or undefined when it is. */
export function checkAnswer(field: Field, value: unknown): string | undefined {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'text':
      return typeof value === 'string' ? undefined : 'must be text';
    case 'url':
      return typeof value === 'string' && isHttpUrl(value) ? undefined : 'must be an http(s) URL';
    case 'date':
      return typeof value === 'string' && DATE.test(value) && isRealDate(value)
        ? undefined
        : 'must be a date written YYYY-MM-DD';
    case 'choice':
      return typeof value === 'string' && field.options?.includes(value)
        ? undefined
        : `must be one of: ${(field.options ?? []).join(', ')}`;
  }
}

/** Type problems and unknown field ids; says nothing about missing answers (drafts may be incomplete). */
export function checkAnswers(
  fields: readonly Field[],
  answers: Readonly<Record<string, unknown>>,
): Issue[] {
  const byId = new Map(fields.map((field) => [field.id, field]));
  const issues: Issue[] = [];
  for (const [id, value] of Object.entries(answers)) {
    const field = byId.get(id);
    if (!field) {
      issues.push({
        path: `answers.${id}`,
        message: `unknown field; the policy asks: ${[...byId.keys()].join(', ')}`,
      });
      continue;
    }
    const problem = checkAnswer(field, value);
    if (problem) issues.push({ path: `answers.${id}`, message: problem });
  }
  return issues;
}

export function isFieldRequired(field: Field, subject: ChangeSubject): boolean {
  if (typeof field.required === 'boolean') return field.required;
  return matchesCondition(field.required.when, subject);
}

export function isAnswered(value: AnswerValue | undefined): boolean {
  if (value === undefined) return false;
  return typeof value !== 'string' || value.trim() !== '';
}

/** Required (and required-when) questions still unanswered; the path names the question. */
export function findMissingAnswers(fields: readonly Field[], subject: ChangeSubject): Issue[] {
  return fields
    .filter((field) => isFieldRequired(field, subject) && !isAnswered(subject.answers[field.id]))
    .map((field) => ({ path: `answers.${field.id}`, message: 'needs an answer' }));
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isRealDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
