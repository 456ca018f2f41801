import { describe, expect, it } from 'vitest';
import { aChange } from './change.fixture.js';
import type { Policy } from './policy.js';
import { requirementsAddedSince } from './policy-drift.js';

const policy = {
  fields: [],
  groups: new Map([
    ['payments-owners', ['lee']],
    ['security', ['tom']],
  ]),
  services: new Map([['payments', { id: 'payments', approvers: 'payments-owners' }]]),
  changeTypes: new Map([
    [
      'normal',
      {
        id: 'normal',
        approvals: [
          { from: 'service-approvers', count: 1 },
          { from: 'security', count: 2, when: { risk: 'high' } },
        ],
      },
    ],
  ]),
} as unknown as Policy;

const submittedUnder = [{ group: 'payments-owners', count: 1, service: 'payments' }];

describe('what a new policy would ask more of a change in flight', () => {
  it('lists requirements it would add or raise, for pending and approved changes only', () => {
    const risky = aChange({ answers: { risk: 'high' }, requirements: submittedUnder });
    expect(requirementsAddedSince(policy, { ...risky, state: 'pending' })).toEqual([
      expect.objectContaining({ group: 'security', count: 2 }),
    ]);
    expect(requirementsAddedSince(policy, { ...risky, state: 'approved' })).toHaveLength(1);
    for (const state of ['draft', 'in_progress', 'completed', 'rejected'] as const)
      expect(requirementsAddedSince(policy, { ...risky, state })).toEqual([]);
  });

  it('lists nothing when the change already has as much', () => {
    const low = aChange({
      state: 'pending',
      answers: { risk: 'low' },
      requirements: submittedUnder,
    });
    expect(requirementsAddedSince(policy, low)).toEqual([]);
    const raised = aChange({
      state: 'pending',
      answers: { risk: 'high' },
      requirements: [...submittedUnder, { group: 'security', count: 1 }],
    });
    expect(requirementsAddedSince(policy, raised)).toEqual([
      expect.objectContaining({ group: 'security', count: 2 }),
    ]);
  });
});
