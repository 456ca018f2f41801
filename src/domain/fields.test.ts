import { describe, expect, it } from 'vitest';
import type { Answers } from './change.js';
import {
  checkAnswer,
  checkAnswers,
  findMissingAnswers,
  isAnswered,
  isFieldRequired,
} from './fields.js';
import type { Field, FieldType } from './policy.js';

function field(type: FieldType, extra: Partial<Field> = {}): Field {
  return { id: 'f', label: 'A question', type, required: false, ...extra };
}

/** The example policy's questions. */
const FIELDS: Field[] = [
  { id: 'tested', label: 'Has this change been tested?', type: 'boolean', required: true },
  {
    id: 'testResults',
    label: 'Where are the test results?',
    type: 'url',
    required: { when: { tested: true } },
  },
  {
    id: 'consequenceOfNotReleasing',
    label: 'What is the consequence of not releasing this now?',
    type: 'text',
    required: true,
  },
  { id: 'rollbackPlan', label: 'How do we roll it back?', type: 'text', required: true },
  { id: 'risk', label: 'Risk', type: 'choice', options: ['low', 'medium', 'high'], required: true },
  { id: 'notes', label: 'Anything else?', type: 'text', required: false },
];

const COMPLETE: Answers = {
  tested: true,
  testResults: 'https://ci.example.com/run/9',
  consequenceOfNotReleasing: 'Retries keep failing',
  rollbackPlan: 'Revert the PR',
  risk: 'low',
};

function subject(answers: Answers, type = 'normal', services: string[] = ['payments']) {
  return { type, services, answers };
}

describe('checkAnswer', () => {
  it('boolean: true and false only', () => {
    expect(checkAnswer(field('boolean'), true)).toBeUndefined();
    expect(checkAnswer(field('boolean'), false)).toBeUndefined();
    for (const value of ['true', 1, 0, null, undefined, 'yes']) {
      expect(checkAnswer(field('boolean'), value)).toBe('must be true or false');
    }
  });

  it('url: absolute http and https URLs only', () => {
    expect(checkAnswer(field('url'), 'https://ci.example.com/run/9')).toBeUndefined();
    expect(checkAnswer(field('url'), 'http://localhost:8080/x?y=1')).toBeUndefined();
    for (const value of [
      'ci.example.com/run/9',
      'ftp://example.com/file',
      'javascript:alert(1)',
      'https://',
      '',
      42,
      true,
    ]) {
      expect(checkAnswer(field('url'), value)).toBe('must be an http(s) URL');
    }
  });

  it('text: any string, including an empty one (missing answers are checked separately)', () => {
    expect(checkAnswer(field('text'), 'Revert the PR')).toBeUndefined();
    expect(checkAnswer(field('text'), '')).toBeUndefined();
    expect(checkAnswer(field('text'), 12)).toBe('must be text');
    expect(checkAnswer(field('text'), false)).toBe('must be text');
  });

  it('choice: one of the options, exactly', () => {
    const risk = field('choice', { options: ['low', 'medium', 'high'] });
    expect(checkAnswer(risk, 'high')).toBeUndefined();
    expect(checkAnswer(risk, 'High')).toBe('must be one of: low, medium, high');
    expect(checkAnswer(risk, 'hgh')).toBe('must be one of: low, medium, high');
    expect(checkAnswer(risk, ['high'])).toBe('must be one of: low, medium, high');
    expect(checkAnswer(field('choice'), 'anything')).toBe('must be one of: ');
  });

  it('number: finite numbers only', () => {
    expect(checkAnswer(field('number'), 0)).toBeUndefined();
    expect(checkAnswer(field('number'), -3.5)).toBeUndefined();
    for (const value of ['3', Number.NaN, Number.POSITIVE_INFINITY, true, null]) {
      expect(checkAnswer(field('number'), value)).toBe('must be a number');
    }
  });

  it('date: a real calendar date written YYYY-MM-DD', () => {
    expect(checkAnswer(field('date'), '2026-12-01')).toBeUndefined();
    expect(checkAnswer(field('date'), '2028-02-29')).toBeUndefined();
    for (const value of [
      '2026-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-04-31',
      '2026-12-1',
      '01.12.2026',
      '2026-12-01T10:00:00Z',
      20261201,
    ]) {
      expect(checkAnswer(field('date'), value), String(value)).toBe(
        'must be a date written YYYY-MM-DD',
      );
    }
  });
});

describe('checkAnswers', () => {
  it('accepts well-typed answers and reports nothing about missing ones', () => {
    expect(checkAnswers(FIELDS, COMPLETE)).toEqual([]);
    expect(checkAnswers(FIELDS, {})).toEqual([]);
  });

  it('lists every wrong answer with its path', () => {
    expect(
      checkAnswers(FIELDS, { tested: 'yes', testResults: 'not a url', risk: 'extreme' }),
    ).toEqual([
      { path: 'answers.tested', message: 'must be true or false' },
      { path: 'answers.testResults', message: 'must be an http(s) URL' },
      { path: 'answers.risk', message: 'must be one of: low, medium, high' },
    ]);
  });

  it('lists unknown field ids with the fields the policy asks', () => {
    const issues = checkAnswers(FIELDS, { tested: true, colour: 'blue', tset: false });
    expect(issues).toEqual([
      {
        path: 'answers.colour',
        message:
          'unknown field; the policy asks: tested, testResults, consequenceOfNotReleasing, rollbackPlan, risk, notes',
      },
      {
        path: 'answers.tset',
        message:
          'unknown field; the policy asks: tested, testResults, consequenceOfNotReleasing, rollbackPlan, risk, notes',
      },
    ]);
  });
});

describe('isAnswered', () => {
  it('treats false and 0 as answers, blank text and undefined as missing', () => {
    expect(isAnswered(false)).toBe(true);
    expect(isAnswered(0)).toBe(true);
    expect(isAnswered('x')).toBe(true);
    expect(isAnswered('')).toBe(false);
    expect(isAnswered('  \n\t')).toBe(false);
    expect(isAnswered(undefined)).toBe(false);
  });
});

describe('isFieldRequired', () => {
  it('follows a fixed flag or a condition on the change', () => {
    expect(isFieldRequired(FIELDS[0]!, subject({}))).toBe(true);
    expect(isFieldRequired(FIELDS[5]!, subject({}))).toBe(false);
    expect(isFieldRequired(FIELDS[1]!, subject({ tested: true }))).toBe(true);
    expect(isFieldRequired(FIELDS[1]!, subject({ tested: false }))).toBe(false);
    expect(isFieldRequired(FIELDS[1]!, subject({}))).toBe(false);
    const byService = field('text', {
      required: { when: { service: 'payments', type: 'normal' } },
    });
    expect(isFieldRequired(byService, subject({}, 'normal', ['website', 'payments']))).toBe(true);
    expect(isFieldRequired(byService, subject({}, 'standard', ['payments']))).toBe(false);
    expect(isFieldRequired(byService, subject({}, 'normal', ['website']))).toBe(false);
  });
});

describe('findMissingAnswers', () => {
  it('is empty for a complete set of answers', () => {
    expect(findMissingAnswers(FIELDS, subject(COMPLETE))).toEqual([]);
  });

  it('lists every required question, with its label, when nothing is answered', () => {
    expect(findMissingAnswers(FIELDS, subject({}))).toEqual([
      { path: 'answers.tested', message: 'needs an answer' },
      {
        path: 'answers.consequenceOfNotReleasing',
        message: 'needs an answer',
      },
      { path: 'answers.rollbackPlan', message: 'needs an answer' },
      { path: 'answers.risk', message: 'needs an answer' },
    ]);
  });

  it('requires testResults when tested is true, and not when it is false', () => {
    const { testResults: _, ...withoutResults } = COMPLETE;
    expect(findMissingAnswers(FIELDS, subject(withoutResults))).toEqual([
      { path: 'answers.testResults', message: 'needs an answer' },
    ]);
    expect(findMissingAnswers(FIELDS, subject({ ...withoutResults, tested: false }))).toEqual([]);
  });

  it('counts false as an answer', () => {
    const answers = { ...COMPLETE, tested: false };
    expect(findMissingAnswers(FIELDS, subject(answers))).toEqual([]);
  });

  it('counts blank text as missing', () => {
    const answers = { ...COMPLETE, rollbackPlan: '   ', testResults: '' };
    expect(findMissingAnswers(FIELDS, subject(answers)).map((i) => i.path)).toEqual([
      'answers.testResults',
      'answers.rollbackPlan',
    ]);
  });
});
