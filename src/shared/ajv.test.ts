import { describe, expect, it } from 'vitest';
import { createAjv } from './ajv.js';
import { describeAjvErrors, formatPath } from './schema-issues.js';

describe('formatPath', () => {
  it('joins names with dots and indexes with brackets', () => {
    expect(formatPath(['changeTypes', 'normal', 'approvals', 1, 'from'])).toBe(
      'changeTypes.normal.approvals[1].from',
    );
    expect(formatPath(['groups', 'payments-owners', 0])).toBe('groups.payments-owners[0]');
  });

  it('quotes keys that are not plain names', () => {
    expect(formatPath(['services', 'api.v2', 'name'])).toBe('services["api.v2"].name');
    expect(formatPath(['groups', '1st-line'])).toBe('groups["1st-line"]');
    expect(formatPath(['when', 'a b'])).toBe('when["a b"]');
  });

  it('handles the root and a leading index', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath([0, 'id'])).toBe('[0].id');
  });
});

describe('describeAjvErrors', () => {
  const validate = createAjv().compile({
    type: 'object',
    required: ['name', 'when'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1 },
      count: { type: 'integer', minimum: 1 },
      at: { type: 'string', format: 'date-time' },
      tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      'a/b': { type: 'boolean' },
      when: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    },
  });

  function issuesOf(data: unknown) {
    expect(validate(data)).toBe(false);
    return describeAjvErrors(validate.errors).map((issue) => [
      formatPath(issue.segments),
      issue.message,
    ]);
  }

  it('reports every problem as one plain sentence at its path', () => {
    expect(
      issuesOf({ name: '', count: 0, at: 'tomorrow', tags: ['x', 'x'], colour: 'blue', when: 1 }),
    ).toEqual([
      ['colour', 'is not a known setting here'],
      ['name', 'must not be empty'],
      ['count', 'must be at least 1'],
      ['at', 'must be a date and time such as 2026-12-01T10:00:00Z'],
      ['tags', 'must not list the same item twice'],
    ]);
  });

  it('names a missing key at its own path', () => {
    expect(issuesOf({ when: 'x' })).toEqual([['name', 'is required']]);
  });

  it('collapses anyOf branches into one summary', () => {
    expect(issuesOf({ name: 'x', when: true })).toEqual([['when', 'has the wrong shape']]);
  });

  it('unescapes JSON pointer segments', () => {
    expect(issuesOf({ name: 'x', when: 1, 'a/b': 'yes' })).toEqual([
      ['["a/b"]', 'must be true or false'],
    ]);
  });

  it('is empty without errors', () => {
    expect(describeAjvErrors(null)).toEqual([]);
    expect(describeAjvErrors(undefined)).toEqual([]);
  });
});

describe('describeAjvErrors on a value that may also be null', () => {
  const validate = createAjv().compile({
    type: 'object',
    properties: {
      at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    },
  });

  it('says what is wrong with the branch of the value’s type', () => {
    for (const at of ['tomorrow', '2026-12-31T23:59:60Z']) {
      expect(validate({ at })).toBe(false);
      expect(describeAjvErrors(validate.errors)).toEqual([
        { segments: ['at'], message: 'must be a date and time such as 2026-12-01T10:00:00Z' },
      ]);
    }
    expect(validate({ at: 5 })).toBe(false);
    expect(describeAjvErrors(validate.errors)).toEqual([
      { segments: ['at'], message: 'has the wrong shape' },
    ]);
  });
});
