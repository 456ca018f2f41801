import { describe, expect, it } from 'vitest';
import {
  decide,
  earlyStartAllowances,
  evaluateChange,
  requirementsForApproval,
  statesTakingDecisions,
  submitForApproval,
  takesDecisions,
} from './approval.js';
import { allowedActions, type AuthorizationFacts } from './authorization.js';
import type { Change, Decision } from './change.js';
import { aChange } from './change.fixture.js';
import type { AuditEvent, NewEvent } from './events.js';
import { compareWithHistory, replayHistory } from './history.js';
import { assertCanPerform, canPerform } from './lifecycle.js';
import type { Person, Policy } from './policy.js';

/** PRODUCT.md, "Emergencies, reviews and standard changes": the early start. */

const NOW = '2026-11-02T10:00:00.000Z';

const policy = {
  fields: [],
  groups: new Map([
    ['on-call-leads', ['dana', 'omar']],
    ['security', ['sam']],
    ['cto', ['carla']],
  ]),
  services: new Map(),
  meetings: [],
  changeTypes: new Map([
    [
      'emergency',
      {
        id: 'emergency',
        label: 'Emergency',
        distinctApprovers: true,
        approvals: [
          { from: 'on-call-leads', count: 1 },
          { from: 'security', count: 1 },
          { from: 'cto', count: 1 },
        ],
        earlyStart: { from: 'on-call-leads', count: 1 },
      },
    ],
    [
      'normal',
      {
        id: 'normal',
        label: 'Normal',
        distinctApprovers: true,
        approvals: [
          { from: 'on-call-leads', count: 1 },
          { from: 'security', count: 1 },
        ],
      },
    ],
  ]),
} as unknown as Policy;

const person = (id: string): Person => ({ id, name: id, admin: false }) as unknown as Person;

function submitted(type = 'emergency'): Change {
  const draft = aChange({ id: 7, type, services: [] });
  return submitForApproval(policy, draft, requirementsForApproval(policy, draft), {
    actor: 'priya',
    now: NOW,
  }).change;
}

function approval(who: string, verdict: Decision['verdict'] = 'approve'): Decision {
  return {
    changeId: 7,
    round: 1,
    person: who,
    verdict,
    comment: verdict === 'reject' ? 'no' : null,
    at: NOW,
  };
}

function factsOf(change: Change, decisions: readonly Decision[]): AuthorizationFacts {
  const evaluation = evaluateChange(policy, change, decisions);
  return {
    change,
    decisions,
    evaluation,
    approvers: decisions.filter((d) => d.verdict === 'approve').map((d) => d.person),
    allowances: earlyStartAllowances(policy, change, evaluation),
  };
}

const allowancesOf = (change: Change, decisions: readonly Decision[]) =>
  earlyStartAllowances(policy, change, evaluateChange(policy, change, decisions));

describe('starting early', () => {
  it('lets the requester start once the early-start requirement is met, and not before', () => {
    const change = submitted();
    expect(allowancesOf(change, []).earlyStart).toBe(false);
    expect(allowedActions(person('priya'), factsOf(change, []))).not.toContain('start');
    expect(() => assertCanPerform(change.state, 'start', allowancesOf(change, []))).toThrow(
      /cannot start a change that is pending/,
    );

    const decisions = [approval('dana')];
    expect(allowancesOf(change, decisions)).toEqual({ earlyStart: true, approvalsOpen: false });
    expect(allowedActions(person('priya'), factsOf(change, decisions))).toContain('start');
    // Only the requester starts it, early or not.
    expect(allowedActions(person('sam'), factsOf(change, decisions))).not.toContain('start');
  });

  it('is not met by approvals from the other groups', () => {
    const decisions = [approval('sam'), approval('carla')];
    expect(allowancesOf(submitted(), decisions).earlyStart).toBe(false);
  });

  it('is not possible for a type without earlyStart', () => {
    const change = submitted('normal');
    const decisions = [approval('dana')];
    expect(allowancesOf(change, decisions)).toEqual({});
    expect(canPerform('pending', 'start', allowancesOf(change, decisions))).toBe(false);
    expect(allowedActions(person('priya'), factsOf(change, decisions))).not.toContain('start');
  });

  it('keeps a started change from taking decisions once every approval is in', () => {
    const started: Change = { ...submitted(), state: 'in_progress' };
    const all = [approval('dana'), approval('sam'), approval('carla')];
    expect(allowancesOf(started, all)).toEqual({ earlyStart: false, approvalsOpen: false });
    expect(canPerform('in_progress', 'approve', allowancesOf(started, all))).toBe(false);
  });
});

describe('after an early start', () => {
  const started = (): Change => ({ ...submitted(), state: 'in_progress' });

  it('still asks the open approvals, and takes them on an in-progress or completed change', () => {
    const decisions = [approval('dana')];
    for (const state of ['in_progress', 'completed'] as const) {
      const change = { ...started(), state };
      expect(allowancesOf(change, decisions).approvalsOpen).toBe(true);
      expect(allowedActions(person('sam'), factsOf(change, decisions))).toEqual(
        expect.arrayContaining(['approve', 'reject']),
      );
    }
    expect(allowedActions(person('dana'), factsOf(started(), decisions))).not.toContain('approve');
  });

  it('records an approval without moving the change, even the last one', () => {
    const change = started();
    const second = decide(policy, change, [approval('dana')], {
      actor: 'sam',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(second.change.state).toBe('in_progress');
    expect(second.events.map((e) => e.type)).toEqual(['approval-granted']);

    const last = decide(policy, change, [approval('dana'), approval('sam')], {
      actor: 'carla',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(last.change.state).toBe('in_progress');
    expect(last.events.map((e) => e.type)).toEqual(['approval-granted']);
    expect(
      evaluateChange(policy, change, [approval('dana'), approval('sam'), last.decision]).allMet,
    ).toBe(true);
  });

  it('marks the approval that met the last requirement, since no `approved` follows it', () => {
    const change = started();
    const second = decide(policy, change, [approval('dana')], {
      actor: 'sam',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(second.events[0]!.data).not.toHaveProperty('requirementsMet');
    const last = decide(policy, change, [approval('dana'), approval('sam')], {
      actor: 'carla',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(last.events[0]!.data).toMatchObject({ countedFor: ['cto'], requirementsMet: true });
    // Before the start, `approved` says it: the approval itself is not marked.
    const pending = decide(policy, submitted(), [approval('dana'), approval('sam')], {
      actor: 'carla',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(pending.events.map((e) => e.type)).toEqual(['approval-granted', 'approved']);
    expect(pending.events[0]!.data).not.toHaveProperty('requirementsMet');
  });

  it('still takes decisions (asked, reminded, decided by link) only while approvals are open', () => {
    const open = [approval('dana')];
    const all = [approval('dana'), approval('sam'), approval('carla')];
    const takes = (change: Change, decisions: readonly Decision[]) =>
      takesDecisions(policy, change, evaluateChange(policy, change, decisions));
    expect(takes(submitted(), [])).toBe(true);
    expect(takes(started(), open)).toBe(true);
    expect(takes({ ...started(), state: 'completed' }, open)).toBe(true);
    expect(takes(started(), all)).toBe(false);
    expect(takes({ ...started(), state: 'verified' }, open)).toBe(false);
    expect(takes({ ...started(), state: 'failed' }, open)).toBe(false);
    // A type without earlyStart started with every approval in: nothing is open.
    expect(takes({ ...submitted('normal'), state: 'in_progress' }, [])).toBe(false);
    expect(statesTakingDecisions(policy, 'emergency')).toEqual([
      'pending',
      'in_progress',
      'completed',
    ]);
    expect(statesTakingDecisions(policy, 'normal')).toEqual(['pending']);
  });

  it('records a rejection, marked as after the start, and keeps the change in its implementation', () => {
    const { change, events, decision } = decide(policy, started(), [approval('dana')], {
      actor: 'sam',
      verdict: 'reject',
      comment: 'this opens port 22',
      now: NOW,
    });
    expect(change.state).toBe('in_progress');
    expect(decision.verdict).toBe('reject');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'approval-rejected',
        data: expect.objectContaining({ afterStart: true, round: 1 }),
      }),
    ]);
    // A rejection does not meet the requirement: it cannot be verified on it.
    expect(allowancesOf(change, [approval('dana'), decision]).approvalsOpen).toBe(true);
  });

  it('replays from the audit trail: a start from pending, decisions after it', () => {
    let id = 1;
    const change = started();
    const ev = (type: NewEvent['type'], actor: string, data: Record<string, unknown>) =>
      ({
        id: id++,
        changeId: 7,
        type,
        actor,
        at: NOW,
        data,
        policyHash: 'p1',
        prevHash: '',
        hash: '',
      }) as AuditEvent;
    const events = [
      ev('created', 'priya', { type: 'emergency' }),
      ev('submitted', 'priya', { requirements: change.requirements, meetings: [], round: 1 }),
      ev('approval-granted', 'dana', { comment: null, round: 1 }),
      ev('started', 'priya', { comment: null, from: 'pending' }),
      ev('approval-granted', 'sam', { comment: null, round: 1 }),
      ev('approval-rejected', 'carla', { comment: 'no', round: 1, afterStart: true }),
    ];
    const replayed = replayHistory(events);
    expect(replayed.ok).toBe(true);
    if (!replayed.ok) return;
    expect(replayed.history.state).toBe('in_progress');
    expect(replayed.history.approvals).toEqual([]);
    const stored = { ...change, version: 6 };
    const decisions = [approval('dana'), approval('sam'), { ...approval('carla', 'reject') }];
    expect(compareWithHistory(replayed.history, stored, decisions)).toEqual([]);
  });
});
