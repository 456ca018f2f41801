import type { Issue } from '../../../src/domain/errors.js';
import { checkAnswers, isAnswered, isFieldRequired } from '../../../src/domain/fields.js';
import type { Change, PolicyField } from '../api/types.js';

type Answers = Change['answers'];
import { toDomainField } from './policy.js';

/** What the review form holds: text as typed, yes/no and choices as chosen. */
export type ReviewValues = Readonly<Record<string, string | boolean | undefined>>;

/** The form's values as the API takes them: numbers as numbers, blanks left out. */
export function reviewAnswers(fields: readonly PolicyField[], values: ReviewValues): Answers {
  const answers: Record<string, string | number | boolean> = {};
  for (const field of fields) {
    const value = values[field.id];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    answers[field.id] =
      field.type === 'number' && typeof value === 'string' && Number.isFinite(Number(value))
        ? Number(value)
        : typeof value === 'string'
          ? value.trim()
          : value;
  }
  return answers;
}

/** Whether the review asks this question of this change: required, or required under a condition it meets. */
export function isReviewQuestionRequired(field: PolicyField, change: Change): boolean {
  return isFieldRequired(toDomainField(field), change);
}

/** The server's own checks (src/domain/fields.ts), run before sending: wrong types, then what is missing. */
export function reviewIssues(
  fields: readonly PolicyField[],
  change: Change,
  answers: Answers,
): Issue[] {
  const wrong = checkAnswers(fields.map(toDomainField), answers);
  if (wrong.length > 0) return wrong;
  return fields
    .filter((field) => isReviewQuestionRequired(field, change) && !isAnswered(answers[field.id]))
    .map((field) => ({ path: `answers.${field.id}`, message: 'needs an answer' }));
}
