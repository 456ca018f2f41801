import { describe, expect, it } from 'vitest';
import {
  decide,
  evaluateChange,
  reopenRound,
  requirementsForApproval,
  submitForApproval,
} from './approval.js';
import type { Change, Decision } from './change.js';
import { aChange } from './change.fixture.js';
import { AppError } from './errors.js';
import type { NewEvent } from './events.js';
import type { Policy } from './policy.js';

const NOW = '2026-11-02T10:00:00.000Z';

const policy = {
  fields: [],
  groups: new Map([
    ['payments-owners', ['priya', 'lee']],
    ['change-managers', ['kim']],
  ]),
  services: new Map(),
  meetings: [],
  changeTypes: new Map([
    [
      'normal',
      {
        id: 'normal',
        label: 'Normal',
        distinctApprovers: false,
        approvals: [
          { from: 'payments-owners', count: 1 },
          { from: 'change-managers', count: 1, when: { risk: 'high' } },
        ],
      },
    ],
    ['standard', { id: 'standard', label: 'Standard', distinctApprovers: false, approvals: [] }],
  ]),
} as unknown as Policy;

function draft(overrides: Partial<Change> = {}): Change {
  return aChange({ id: 7, version: 2, answers: { risk: 'high' }, ...overrides });
}

const pending = () =>
  submitForApproval(policy, draft(), requirementsForApproval(policy, draft()), {
    actor: 'priya',
    now: NOW,
  }).change;

function approval(person: string, round = 1): Decision {
  return { changeId: 7, round, person, verdict: 'approve', comment: null, at: NOW };
}

describe('submitting', () => {
  it('opens round 1 with the requirements its answers call for', () => {
    const { change, events } = submitForApproval(
      policy,
      draft(),
      requirementsForApproval(policy, draft()),
      {
        actor: 'priya',
        now: NOW,
      },
    );
    expect(change).toMatchObject({
      state: 'pending',
      round: 1,
      submittedAt: NOW,
      requestedAt: NOW,
    });
    expect(change.requirements).toEqual([
      { group: 'payments-owners', count: 1, reason: 'Normal changes need it' },
      { group: 'change-managers', count: 1, reason: 'risk is high' },
    ]);
    expect(events.map((e) => e.type)).toEqual(['submitted']);
    expect(events[0]!.data).toMatchObject({ round: 1 });
  });

  it('approves at once what needs no approval', () => {
    const standard = draft({ type: 'standard' });
    const { change, events } = submitForApproval(policy, standard, [], {
      actor: 'priya',
      now: NOW,
    });
    expect(change.state).toBe('approved');
    expect(events.map((e) => e.type)).toEqual(['submitted', 'approved']);
    expect(events[1]!.data).toEqual({ reason: 'Standard changes are pre-approved' });
  });

  it('refuses what nobody but the requester could approve, naming the group', () => {
    const lonely = {
      ...policy,
      groups: new Map([
        ['payments-owners', ['priya']],
        ['change-managers', ['kim']],
      ]),
    } as Policy;
    expect(() => requirementsForApproval(lonely, draft())).toThrow(
      expect.objectContaining({ code: 'unsatisfiable_requirement' }),
    );
  });
});

describe('deciding', () => {
  it('approves when the last requirement is met, and says who counted where', () => {
    const first = decide(policy, pending(), [], {
      actor: 'lee',
      verdict: 'approve',
      comment: 'ok',
      now: NOW,
    });
    expect(first.change.state).toBe('pending');
    expect(first.events.map((e) => e.type)).toEqual(['approval-granted']);
    expect(first.events[0]!.data).toEqual({
      comment: 'ok',
      round: 1,
      countedFor: ['payments-owners'],
    });

    const second = decide(policy, pending(), [first.decision], {
      actor: 'kim',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(second.change.state).toBe('approved');
    expect(second.events.map((e) => e.type)).toEqual(['approval-granted', 'approved']);
    expect(second.events[1]!.data).toEqual({ approvers: ['lee', 'kim'] });
  });

  it('rejects with one rejection, which needs a comment', () => {
    expect(() =>
      decide(policy, pending(), [], { actor: 'lee', verdict: 'reject', comment: null, now: NOW }),
    ).toThrow(AppError);
    const rejected = decide(policy, pending(), [], {
      actor: 'lee',
      verdict: 'reject',
      comment: 'not now',
      now: NOW,
    });
    expect(rejected.change.state).toBe('rejected');
    expect(rejected.events.map((e) => e.type)).toEqual(['approval-rejected', 'rejected']);
  });
});

describe('reopening a round', () => {
  const edited: NewEvent = { changeId: 7, type: 'edited', actor: 'priya', data: { changes: {} } };
  const reopen = (change: Change, decisions: Decision[]) =>
    reopenRound(policy, change, decisions, {
      edited,
      requirements: change.requirements,
      now: NOW,
      withdrawnBecause: 'edited: title',
      approvedBecause: 'nothing to approve',
    });

  it('starts the next round, recording it on the edit, and withdraws the approvals given', () => {
    const { change, events } = reopen(pending(), [approval('lee')]);
    expect(change).toMatchObject({ state: 'pending', round: 2, requestedAt: NOW });
    expect(events.map((e) => e.type)).toEqual(['edited', 'approvals-withdrawn']);
    expect(events[0]!.data).toMatchObject({ round: 2, requirements: change.requirements });
    expect(events[1]!.data).toMatchObject({ withdrawn: ['lee'], reason: 'edited: title' });
    expect(evaluateChange(policy, change, []).allMet).toBe(false);
  });

  it('sends an approved change back to pending even without approvals to withdraw', () => {
    const { change, events } = reopen({ ...pending(), state: 'approved' }, []);
    expect(change.state).toBe('pending');
    expect(events.map((e) => e.type)).toEqual(['edited', 'approvals-withdrawn']);
  });

  it('approves in the same step what needs nothing any more', () => {
    const { change, events } = reopen({ ...pending(), requirements: [] }, []);
    expect(change.state).toBe('approved');
    expect(events.map((e) => e.type)).toEqual(['edited', 'approved']);
    expect(events[1]!.data).toEqual({ reason: 'nothing to approve' });
  });
});
