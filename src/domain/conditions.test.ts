import { describe, expect, it } from 'vitest';
import type { ChangeSubject } from './change.js';
import { matchesCondition } from './conditions.js';

const CHANGE: ChangeSubject = {
  type: 'normal',
  services: ['payments', 'website'],
  answers: { risk: 'high', tested: true, attempts: 3, rollbackPlan: 'Revert', dryRun: false },
};

describe('matchesCondition', () => {
  it('matches everything without a condition', () => {
    expect(matchesCondition(undefined, CHANGE)).toBe(true);
  });

  it('compares answers by value and type', () => {
    expect(matchesCondition({ risk: 'high' }, CHANGE)).toBe(true);
    expect(matchesCondition({ risk: 'low' }, CHANGE)).toBe(false);
    expect(matchesCondition({ tested: true }, CHANGE)).toBe(true);
    expect(matchesCondition({ tested: false }, CHANGE)).toBe(false);
    expect(matchesCondition({ dryRun: false }, CHANGE)).toBe(true);
    expect(matchesCondition({ attempts: 3 }, CHANGE)).toBe(true);
    // No coercion: "3" is not 3, "true" is not true.
    expect(matchesCondition({ attempts: '3' }, CHANGE)).toBe(false);
    expect(matchesCondition({ tested: 'true' }, CHANGE)).toBe(false);
  });

  it('never matches an unanswered question, even against false', () => {
    expect(matchesCondition({ approvedByLegal: false }, CHANGE)).toBe(false);
    expect(matchesCondition({ risk: 'high' }, { ...CHANGE, answers: {} })).toBe(false);
  });

  it('treats a list as any of', () => {
    expect(matchesCondition({ risk: ['medium', 'high'] }, CHANGE)).toBe(true);
    expect(matchesCondition({ risk: ['low', 'medium'] }, CHANGE)).toBe(false);
  });

  it('matches the change type', () => {
    expect(matchesCondition({ type: 'normal' }, CHANGE)).toBe(true);
    expect(matchesCondition({ type: 'emergency' }, CHANGE)).toBe(false);
    expect(matchesCondition({ type: ['emergency', 'normal'] }, CHANGE)).toBe(true);
  });

  it('matches when any touched service is named', () => {
    expect(matchesCondition({ service: 'website' }, CHANGE)).toBe(true);
    expect(matchesCondition({ service: 'ledger' }, CHANGE)).toBe(false);
    expect(matchesCondition({ service: ['ledger', 'payments'] }, CHANGE)).toBe(true);
    expect(matchesCondition({ service: 'payments' }, { ...CHANGE, services: [] })).toBe(false);
  });

  it('needs every key to match', () => {
    expect(matchesCondition({ risk: 'high', type: 'normal', service: 'payments' }, CHANGE)).toBe(
      true,
    );
    expect(matchesCondition({ risk: 'high', type: 'standard' }, CHANGE)).toBe(false);
    expect(matchesCondition({ risk: 'low', type: 'normal' }, CHANGE)).toBe(false);
  });

  it('looks up "type" and "service" on the change, not among the answers', () => {
    const subject: ChangeSubject = {
      type: 'normal',
      services: ['payments'],
      answers: { type: 'emergency', service: 'website' },
    };
    expect(matchesCondition({ type: 'emergency' }, subject)).toBe(false);
    expect(matchesCondition({ service: 'website' }, subject)).toBe(false);
  });
});
