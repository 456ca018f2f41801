import { describe, expect, it } from 'vitest';
import { waitingFor, whoMustDecide } from './approvals.js';

const names: Record<string, string> = {
  lee: 'Lee Wong',
  ana: 'Ana Costa',
  dev: 'Dev Kumar',
  kim: 'Kim Park',
};
const nameOf = (id: string) => names[id] ?? id;
const requirement = (from: string, canApprove: string[], extra: object = {}) => ({
  from,
  count: 1,
  reason: 'Normal changes need it',
  met: false,
  approvedBy: [],
  canApprove,
  available: true,
  ...extra,
});

describe('who must decide', () => {
  it('tells who must from who may', () => {
    const change = {
      requirements: [
        requirement('payments-owners', ['lee'], { service: 'payments' }),
        requirement('on-call-leads', ['ana', 'dev']),
        requirement('change-managers', [], { met: true, approvedBy: ['kim'] }),
      ],
    };
    expect(waitingFor(change, nameOf)).toBe('Lee Wong and one of Ana Costa or Dev Kumar');
    expect(whoMustDecide(change.requirements[0]!, nameOf)).toBe('Lee Wong must approve');
    expect(whoMustDecide(change.requirements[1]!, nameOf)).toBe(
      'One of Ana Costa or Dev Kumar must approve',
    );
  });

  it('counts what is still needed of a requirement for several', () => {
    const r = requirement('reviewers', ['ana', 'dev', 'kim'], { count: 3, approvedBy: ['lee'] });
    expect(whoMustDecide(r, nameOf)).toBe(
      '2 more of Ana Costa, Dev Kumar or Kim Park must approve',
    );
    const all = requirement('reviewers', ['ana', 'dev'], { count: 2 });
    expect(whoMustDecide(all, nameOf)).toBe('Ana Costa and Dev Kumar must approve');
    expect(whoMustDecide(requirement('security', []), nameOf)).toBe('Nobody left who can approve');
  });
});
