import { describe, expect, it } from 'vitest';
import type { AuditEvent, EventType } from './events.js';
import { collectDecisions, collectRounds } from './evidence.js';

const PAYMENTS = { group: 'payments-owners', count: 1, reason: 'touches Payments API' };
const MANAGERS = { group: 'change-managers', count: 1, reason: 'risk is high' };
const GROUPS: Record<string, string[]> = {
  'payments-owners': ['priya', 'lee'],
  'change-managers': ['kim'],
};

let nextId = 1;
function event(
  type: EventType,
  actor: string,
  data: Record<string, unknown> = {},
  policyHash = 'p1',
): AuditEvent {
  const id = nextId++;
  return {
    id,
    changeId: 7,
    type,
    actor,
    at: `2026-11-02T10:${String(id).padStart(2, '0')}:00.000Z`,
    data,
    policyHash,
    prevHash: '',
    hash: '',
  };
}

const membersUnder = (hash: string) =>
  hash === 'p1' ? (group: string) => GROUPS[group] ?? [] : undefined;

describe('what a change’s events say about how it was decided', () => {
  it('reads each round once, with the requirements it last asked for', () => {
    nextId = 1;
    const submitted = event('submitted', 'priya', { requirements: [PAYMENTS], round: 1 });
    const edited = event('edited', 'priya', {
      changes: { 'answers.risk': { from: 'low', to: 'high' } },
      round: 2,
      requirements: [PAYMENTS, MANAGERS],
    });
    const events = [
      event('created', 'priya', { type: 'normal' }),
      submitted,
      event('approval-granted', 'lee', { round: 1, comment: null, countedFor: [] }),
      edited,
      event('approvals-withdrawn', 'priya', {
        reason: 'edited: answers.risk',
        withdrawn: ['lee'],
        requirements: [PAYMENTS, MANAGERS],
      }),
    ];
    expect(collectRounds(events)).toEqual([
      { round: 1, openedBy: submitted, requirements: [PAYMENTS] },
      { round: 2, openedBy: edited, requirements: [PAYMENTS, MANAGERS] },
    ]);
  });

  it('numbers the rounds of submissions recorded before rounds were', () => {
    nextId = 1;
    const events = [
      event('submitted', 'priya', { requirements: [PAYMENTS] }),
      event('withdrawn', 'priya'),
      event('submitted', 'priya', { requirements: [MANAGERS] }),
    ];
    expect(collectRounds(events).map((r) => [r.round, r.requirements])).toEqual([
      [1, [PAYMENTS]],
      [2, [MANAGERS]],
    ]);
  });

  it('tells whose decision it was, who gave it, how, and which requirement asked for it', () => {
    nextId = 1;
    const events = [
      event('submitted', 'priya', { requirements: [PAYMENTS, MANAGERS], round: 1 }),
      event('approval-granted', 'lee', {
        round: 1,
        comment: 'fine',
        countedFor: ['payments-owners'],
        via: 'external-link',
      }),
      event('started', 'priya', { from: 'pending' }),
      // Tom stands in for Kim; the rejection names no requirement, Kim's group says which.
      event('approval-rejected', 'tom', {
        round: 1,
        comment: 'not now',
        onBehalfOf: 'kim',
        afterStart: true,
      }),
      // Under a policy that is not stored, a rejection's requirement cannot be told.
      event('approval-rejected', 'priya', { round: 1, comment: 'no' }, 'p2'),
    ];
    const decisions = collectDecisions(events, collectRounds(events), membersUnder);
    expect(
      decisions.map((d) => ({
        person: d.person,
        standIn: d.standIn,
        via: d.via,
        verdict: d.verdict,
        afterStart: d.afterStart,
        requirements: d.requirements.map((r) => r.group),
      })),
    ).toEqual([
      {
        person: 'lee',
        standIn: undefined,
        via: 'external-link',
        verdict: 'approve',
        afterStart: false,
        requirements: ['payments-owners'],
      },
      {
        person: 'kim',
        standIn: 'tom',
        via: undefined,
        verdict: 'reject',
        afterStart: true,
        requirements: ['change-managers'],
      },
      {
        person: 'priya',
        standIn: undefined,
        via: undefined,
        verdict: 'reject',
        afterStart: true,
        requirements: [],
      },
    ]);
    expect(decisions[1]!.event.policyHash).toBe('p1');
    expect(decisions[1]!.comment).toBe('not now');
  });
});
