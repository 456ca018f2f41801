import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { checkContent, type ChangeContent } from '../../../src/domain/change-content.js';
import { findMissingAnswers } from '../../../src/domain/fields.js';
import { BUNDLED_POLICY } from '../../../src/config/config.js';
import { presentPolicy } from '../../../src/http/presenters.js';
import { loadPolicyFile } from '../../../src/policy/load.js';
import type { PolicyInfo } from '../api/types.js';
import { toFormPolicy, validateChange } from './policy.js';

const loaded = await loadPolicyFile(BUNDLED_POLICY, {});
if (!loaded.ok) throw new Error('the bundled policy does not load');
const server = loaded.policy;
// What the browser gets: GET /api/v1/policy, through JSON.
const client = toFormPolicy(JSON.parse(JSON.stringify(presentPolicy(server))) as PolicyInfo);

function serverIssues(content: ChangeContent) {
  return [...checkContent(server, content), ...findMissingAnswers(server.fields, content)];
}

const base: ChangeContent = {
  title: 'Raise payment retry limit',
  description: '',
  type: 'normal',
  services: ['payments'],
  answers: {},
  plannedStart: null,
  plannedEnd: null,
  links: [],
};

describe('the form’s validation', () => {
  it('finds what the server finds, in the same words', () => {
    const content: ChangeContent = {
      ...base,
      title: ' ',
      services: ['payments', 'nope'],
      answers: { tested: true, testResults: 'see CI', risk: 'extreme' },
      plannedStart: '2026-12-01T11:00:00.000Z',
      plannedEnd: '2026-12-01T10:00:00.000Z',
    };
    const issues = validateChange(client, content, { forSubmit: true });
    expect(issues).toEqual(serverIssues(content));
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'title',
        'services[1]',
        'answers.testResults',
        'answers.risk',
        'plannedEnd',
        'answers.rollbackPlan',
      ]),
    );
  });

  it('asks only what a draft must have when saving a draft', () => {
    expect(validateChange(client, base, { forSubmit: false })).toEqual(checkContent(server, base));
    expect(validateChange(client, base, { forSubmit: false })).toEqual([]);
  });

  const answer = fc.oneof(
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(
      '',
      ' ',
      'low',
      'high',
      'https://ci.example.com/run/9',
      'not a url',
      '2026-12-01',
    ),
  );
  test.prop([
    fc.constantFrom('normal', 'standard', 'emergency', 'unknown'),
    fc.subarray(['payments', 'website', 'nope']),
    fc.dictionary(
      fc.constantFrom(
        'tested',
        'testResults',
        'consequenceOfNotReleasing',
        'rollbackPlan',
        'risk',
        'colour',
      ),
      answer,
    ),
  ])('agrees with the server on any answers', (type, services, answers) => {
    const content: ChangeContent = { ...base, type, services, answers };
    expect(validateChange(client, content, { forSubmit: true })).toEqual(serverIssues(content));
  });
});
