import { aChange } from './change.fixture.js';
import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  askDenial,
  authorize,
  GITHUB_ACTOR,
  type AuthorizationFacts,
} from './authorization.js';
import type { Change, Decision, RequirementSpec } from './change.js';
import { AppError } from './errors.js';
import { CHANGE_ACTIONS, type ChangeAction } from './lifecycle.js';
import { DEFAULT_WORKING_HOURS, type Person } from './policy.js';
import { evaluateApprovals } from './requirements.js';

const GROUPS: Record<string, readonly string[]> = {
  'payments-owners': ['priya', 'lee'],
  'change-managers': ['kim'],
  'on-call-leads': ['lee', 'ana'],
};

function person(id: string, admin = false): Person {
  return {
    id,
    name: id,
    email: `${id}@example.com`,
    timezone: 'UTC',
    workingHours: DEFAULT_WORKING_HOURS,
    admin,
    external: false,
  };
}

const REQUIREMENTS: RequirementSpec[] = [
  { group: 'payments-owners', count: 1, service: 'payments' },
  { group: 'change-managers', count: 1 },
];

function change(overrides: Partial<Change> = {}): Change {
  return aChange({
    state: 'pending',
    version: 3,
    round: 1,
    requirements: REQUIREMENTS,
    submittedAt: '2026-11-02T10:00:00Z',
    requestedAt: '2026-11-02T10:00:00Z',
    ...overrides,
  });
}

function facts(
  options: { decisions?: Decision[]; approvers?: string[]; change?: Change } = {},
): AuthorizationFacts {
  const subject = options.change ?? change();
  const decisions = options.decisions ?? [];
  return {
    change: subject,
    decisions,
    evaluation: evaluateApprovals(subject.requirements, decisions, {
      requester: subject.requester,
      distinctApprovers: false,
      membersOf: (group) => GROUPS[group] ?? [],
    }),
    approvers: options.approvers ?? [],
  };
}

function approval(person: string): Decision {
  return {
    changeId: 42,
    round: 1,
    person,
    verdict: 'approve',
    comment: null,
    at: '2026-11-02T11:00:00Z',
  };
}

function errorOf(run: () => void): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError, but nothing was thrown');
}

const priya = person('priya');
const lee = person('lee');
const kim = person('kim');
const tom = person('tom');
const dev = person('dev', true);

describe('authorize: requester-only actions', () => {
  it.each(['edit', 'submit', 'start', 'complete', 'fail'] as const)(
    '%s is for the requester',
    (action) => {
      expect(() => authorize(priya, action, facts())).not.toThrow();
      const error = errorOf(() => authorize(lee, action, facts()));
      expect(error.code).toBe('forbidden');
      expect(error.message).toBe(`only the requester (priya) may ${action} this change`);
    },
  );

  it('does not let an admin act as the requester', () => {
    expect(errorOf(() => authorize(dev, 'start', facts())).code).toBe('forbidden');
    expect(errorOf(() => authorize(dev, 'edit', facts())).code).toBe('forbidden');
  });
});

describe('authorize: withdraw', () => {
  it('is for the requester or an admin', () => {
    expect(() => authorize(priya, 'withdraw', facts())).not.toThrow();
    expect(() => authorize(dev, 'withdraw', facts())).not.toThrow();
    const error = errorOf(() => authorize(lee, 'withdraw', facts()));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('only the requester (priya) or an admin may withdraw this change');
  });
});

describe('authorize: verify', () => {
  it('is for the requester or someone who approved the change', () => {
    const done = facts({ change: change({ state: 'completed' }), approvers: ['lee', 'kim'] });
    expect(() => authorize(priya, 'verify', done)).not.toThrow();
    expect(() => authorize(lee, 'verify', done)).not.toThrow();
    expect(() => authorize(kim, 'verify', done)).not.toThrow();
    const error = errorOf(() => authorize(tom, 'verify', done));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'only the requester or someone who approved this change may verify it',
    );
    expect(errorOf(() => authorize(dev, 'verify', done)).code).toBe('forbidden');
  });
});

describe('authorize: approve and reject (separation of duties)', () => {
  it.each(['approve', 'reject'] as const)(
    'lets a member of a group with an open requirement %s',
    (action) => {
      expect(() => authorize(lee, action, facts())).not.toThrow();
      expect(() => authorize(kim, action, facts())).not.toThrow();
    },
  );

  it.each(['approve', 'reject'] as const)(
    'never lets the requester %s, even as a member of the group',
    (action) => {
      const error = errorOf(() => authorize(priya, action, facts()));
      expect(error.code).toBe('self_approval');
      expect(error.message).toBe(`you requested this change, so you cannot ${action} it`);
    },
  );

  it('refuses self-approval even for an admin requester', () => {
    const own = facts({ change: change({ requester: 'dev' }) });
    expect(errorOf(() => authorize(dev, 'approve', own)).code).toBe('self_approval');
  });

  it('refuses an outsider, naming the groups with open requirements', () => {
    const error = errorOf(() => authorize(tom, 'approve', facts()));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'you are not a member of a group with an open requirement (open: payments-owners, change-managers)',
    );
  });

  it('names only the groups still open', () => {
    const error = errorOf(() => authorize(tom, 'reject', facts({ decisions: [approval('lee')] })));
    expect(error.message).toBe(
      'you are not a member of a group with an open requirement (open: change-managers)',
    );
  });

  it('refuses a member of a group whose requirement is already met', () => {
    // sam asked; priya's approval met payments-owners, so lee (payments-owners, undecided) has nothing to approve.
    const error = errorOf(() =>
      authorize(
        lee,
        'approve',
        facts({ change: change({ requester: 'sam' }), decisions: [approval('priya')] }),
      ),
    );
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'you are not a member of a group with an open requirement (open: change-managers)',
    );
  });

  it('says so when no approval is open at all', () => {
    const done = facts({ decisions: [approval('lee'), approval('kim')] });
    const error = errorOf(() => authorize(tom, 'approve', done));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('no approval is open on this change');
  });

  it('refuses a second decision by the same person', () => {
    const error = errorOf(() => authorize(lee, 'reject', facts({ decisions: [approval('lee')] })));
    expect(error.code).toBe('already_decided');
  });

  it('gives an admin no approval power', () => {
    const error = errorOf(() => authorize(dev, 'approve', facts()));
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('open: payments-owners, change-managers');
  });
});

describe('authorize: every action has a rule', () => {
  it('lets the requester do everything except approve and reject', () => {
    const all: ChangeAction[] = [
      'edit',
      'submit',
      'approve',
      'reject',
      'withdraw',
      'start',
      'complete',
      'fail',
      'verify',
    ];
    const allowed = all.filter((action) => {
      try {
        authorize(priya, action, facts());
        return true;
      } catch {
        return false;
      }
    });
    expect(allowed).toEqual(['edit', 'submit', 'withdraw', 'start', 'complete', 'fail', 'verify']);
  });
});

describe('allowedActions', () => {
  it('gives the requester of a pending change edit, withdraw and comment, never approve', () => {
    expect(allowedActions(person('priya'), facts())).toEqual(['edit', 'withdraw', 'comment']);
  });

  it('gives an approver with an open requirement approve and reject, and a question to the requester', () => {
    expect(allowedActions(person('lee'), facts())).toEqual(['approve', 'reject', 'comment', 'ask']);
  });

  it('gives someone in no open group only comment, and an admin withdraw as well', () => {
    expect(allowedActions(person('tom'), facts())).toEqual(['comment', 'ask']);
    expect(allowedActions(person('dev', true), facts())).toEqual(['withdraw', 'comment', 'ask']);
  });

  it('takes approve away once the person has decided', () => {
    expect(allowedActions(person('lee'), facts({ decisions: [approval('lee')] }))).toEqual([
      'comment',
      'ask',
    ]);
  });

  it('offers verify on a completed change to the requester and to whoever approved it', () => {
    const completed = change({ state: 'completed' });
    expect(allowedActions(person('priya'), facts({ change: completed }))).toEqual([
      'fail',
      'verify',
      'comment',
    ]);
    expect(allowedActions(person('kim'), facts({ change: completed, approvers: ['kim'] }))).toEqual(
      ['verify', 'comment', 'ask'],
    );
  });

  it('lets anyone but the requester ask a question, once there is a requester to ask', () => {
    expect(askDenial(person('lee'), change())).toBeUndefined();
    expect(askDenial(person('priya'), change())?.code).toBe('forbidden');
    expect(askDenial(person('lee'), change({ requester: null }))?.message).toBe(
      'CHG-42 has no requester yet to ask: comment instead, or claim it',
    );
    expect(
      allowedActions(person('lee'), facts({ change: change({ requester: null, state: 'draft' }) })),
    ).not.toContain('ask');
  });
});

describe('authorize: unassigned drafts', () => {
  const unassigned = () => facts({ change: change({ requester: null, state: 'draft' }) });

  it('lets anyone claim one, and nobody claim a change that has a requester', () => {
    for (const someone of [priya, lee, tom, dev])
      expect(() => authorize(someone, 'claim', unassigned())).not.toThrow();
    const error = errorOf(() => authorize(lee, 'claim', facts()));
    expect(error.code).toBe('already_claimed');
    expect(error.message).toBe('CHG-42 already has a requester (priya)');
  });

  it.each(['edit', 'submit', 'start', 'complete', 'fail'] as const)(
    'lets nobody %s it before it is claimed',
    (action) => {
      for (const someone of [priya, dev]) {
        const error = errorOf(() => authorize(someone, action, unassigned()));
        expect(error.code).toBe('forbidden');
        expect(error.message).toContain('CHG-42 is unassigned: claim it first');
      }
    },
  );

  it('lets only an admin withdraw it', () => {
    expect(() => authorize(dev, 'withdraw', unassigned())).not.toThrow();
    const error = errorOf(() => authorize(lee, 'withdraw', unassigned()));
    expect(error.message).toContain('only an admin may withdraw it');
  });
});

describe('authorize: the GitHub system actor', () => {
  it('may start, complete and fail a change (from deployment statuses) and nothing else', () => {
    const allowed = CHANGE_ACTIONS.filter((action) => {
      try {
        authorize(GITHUB_ACTOR, action, facts());
        return true;
      } catch {
        return false;
      }
    });
    expect(allowed).toEqual(['start', 'complete', 'fail']);
    const error = errorOf(() => authorize(GITHUB_ACTOR, 'approve', facts()));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('github may not approve a change; only people may');
  });
});
