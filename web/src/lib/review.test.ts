import { describe, expect, it } from 'vitest';
import type { Change, PolicyField } from '../api/types.js';
import { reviewAnswers, reviewIssues } from './review.js';

const fields: PolicyField[] = [
  { id: 'whatHappened', label: 'What happened?', type: 'text', required: true },
  { id: 'minutesDown', label: 'Minutes down', type: 'number', required: false },
  {
    id: 'customerImpact',
    label: 'Customer impact',
    type: 'text',
    required: false,
    requiredWhen: { risk: 'high' },
  },
];
const change = {
  type: 'emergency',
  services: ['payments'],
  answers: { risk: 'high' },
} as unknown as Change;

describe('the review form', () => {
  it('sends numbers as numbers and leaves blanks out', () => {
    expect(
      reviewAnswers(fields, {
        whatHappened: '  Pool exhausted ',
        minutesDown: '12',
        customerImpact: ' ',
      }),
    ).toEqual({ whatHappened: 'Pool exhausted', minutesDown: 12 });
  });

  it('checks as the server does: types first, then what this change must answer', () => {
    expect(reviewIssues(fields, change, { whatHappened: 'x', minutesDown: 'lots' })).toEqual([
      { path: 'answers.minutesDown', message: 'must be a number' },
    ]);
    expect(reviewIssues(fields, change, {})).toEqual([
      { path: 'answers.whatHappened', message: 'needs an answer' },
      { path: 'answers.customerImpact', message: 'needs an answer' },
    ]);
    const lowRisk = { ...change, answers: { risk: 'low' } } as Change;
    expect(reviewIssues(fields, lowRisk, { whatHappened: 'x' })).toEqual([]);
  });
});
