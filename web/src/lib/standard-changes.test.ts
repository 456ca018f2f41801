import { describe, expect, it } from 'vitest';
import { checkStandardChange } from '../../../src/domain/standard-changes.js';
import { AppError } from '../../../src/domain/errors.js';
import { BUNDLED_POLICY } from '../../../src/config/config.js';
import { presentPolicy } from '../../../src/http/presenters.js';
import { loadPolicyFile } from '../../../src/policy/load.js';
import type { PolicyInfo } from '../api/types.js';
import type { ChangeContent } from './policy.js';
import {
  applyTemplate,
  findTemplate,
  isLocked,
  needsTemplate,
  templateIssues,
  templateOffers,
} from './standard-changes.js';

const loaded = await loadPolicyFile(BUNDLED_POLICY, {});
if (!loaded.ok) throw new Error('the bundled policy does not load');
const server = loaded.policy;
// What the browser gets: GET /api/v1/policy, through JSON.
const policy = JSON.parse(JSON.stringify(presentPolicy(server))) as PolicyInfo;
const TLS = findTemplate(policy, 'rotate-tls-cert')!;

const rotation: ChangeContent = {
  title: 'Rotate the payments certificate',
  description: '',
  type: 'standard',
  services: ['payments'],
  answers: { ...TLS.answers },
  plannedStart: null,
  plannedEnd: null,
  links: [],
};

/** What the server says about the same content: its details, or none. */
function serverIssues(content: ChangeContent, template: string) {
  try {
    checkStandardChange(server, content, template || undefined);
    return [];
  } catch (error) {
    if (error instanceof AppError) return error.details;
    throw error;
  }
}

describe('the catalog in the form', () => {
  it('asks for a template only for a pre-approved type', () => {
    expect(needsTemplate(policy, 'standard')).toBe(true);
    expect(needsTemplate(policy, 'normal')).toBe(false);
    expect(needsTemplate({ ...policy, standardChanges: null }, 'standard')).toBe(false);
  });

  it('offers the templates the person may raise, and shows the others disabled with why', () => {
    expect(templateOffers(policy, ['payments-owners'])).toEqual([{ template: TLS, allowed: true }]);
    expect(templateOffers(policy, ['security'])).toEqual([
      {
        template: TLS,
        allowed: false,
        why: 'Only for members of web-owners, payments-owners, on-call-leads',
      },
    ]);
  });

  it('fills in the template’s services and answers over what was typed, and knows what it locks', () => {
    const state = {
      template: 'rotate-tls-cert',
      services: ['edge'],
      answers: { risk: 'high', testResults: 'https://ci.example.com/run/1' } as Record<
        string,
        string | boolean | undefined
      >,
    };
    expect(applyTemplate(state, TLS)).toEqual({
      template: 'rotate-tls-cert',
      services: ['website', 'payments'],
      answers: {
        tested: true,
        testResults: 'https://ci.example.com/run/1',
        consequenceOfNotReleasing: 'The certificate expires and the site goes down',
        rollbackPlan: 'Re-deploy the previous certificate',
        risk: 'low',
      },
    });
    expect(isLocked(TLS, 'risk')).toBe(true);
    expect(isLocked(TLS, 'rollbackPlan')).toBe(false);
    expect(isLocked(undefined, 'risk')).toBe(false);
  });

  it('finds what the server finds about services and locked answers, in the same words', () => {
    const content = {
      ...rotation,
      services: ['payments', 'edge'],
    };
    expect(templateIssues(policy, content, 'rotate-tls-cert')).toEqual(
      serverIssues(content, 'rotate-tls-cert'),
    );
    const locked = { ...rotation, answers: { ...rotation.answers, risk: 'high' } };
    expect(templateIssues(policy, locked, 'rotate-tls-cert')).toEqual(
      serverIssues(locked, 'rotate-tls-cert'),
    );
    expect(templateIssues(policy, locked, 'rotate-tls-cert').map((i) => i.path)).toEqual([
      'answers.risk',
    ]);
    expect(templateIssues(policy, rotation, 'rotate-tls-cert')).toEqual([]);
  });

  it('says a template must be chosen, at the template', () => {
    expect(templateIssues(policy, rotation, '')).toEqual([
      { path: 'template', message: 'choose the standard change this is' },
    ]);
    expect(templateIssues(policy, { ...rotation, type: 'normal' }, '')).toEqual([]);
  });
});
