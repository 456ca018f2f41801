import { describe, expect, it } from 'vitest';
import type { Change } from './change.js';
import { aChange } from './change.fixture.js';
import type { AuditEvent, EventType } from './events.js';
import { checkApprovalOutcomes, compareWithHistory, replayHistory } from './history.js';
import type { Policy } from './policy.js';

const PAYMENTS = [{ group: 'payments-owners', count: 1 }];
let nextId = 1;

/** One event; events of one action share `at` and actor, as use cases write them. */
function event(
  type: EventType,
  actor: string,
  at: string,
  data: Record<string, unknown> = {},
): AuditEvent {
  return {
    id: nextId++,
    changeId: 7,
    type,
    actor,
    at: `2026-11-02T10:${at}:00.000Z`,
    data,
    policyHash: 'p1',
    prevHash: '',
    hash: '',
  };
}

function approvedHistory(): AuditEvent[] {
  nextId = 1;
  return [
    event('created', 'priya', '00', { title: 'Retry limit', type: 'normal' }),
    event('submitted', 'priya', '01', { requirements: PAYMENTS, meetings: [], round: 1 }),
    event('commented', 'tom', '02', { body: 'watching' }),
    event('approval-granted', 'lee', '03', {
      comment: 'ok',
      round: 1,
      countedFor: ['payments-owners'],
    }),
    event('approved', 'lee', '03', { approvers: ['lee'] }),
    event('started', 'priya', '04', { comment: null, from: 'approved' }),
  ];
}

function storedAs(overrides: Partial<Change> = {}): Change {
  return aChange({
    id: 7,
    title: 'Retry limit',
    createdAt: '',
    updatedAt: '',
    state: 'in_progress',
    version: 4,
    round: 1,
    requirements: PAYMENTS,
    ...overrides,
  });
}

const LEE_APPROVED = {
  changeId: 7,
  round: 1,
  person: 'lee',
  verdict: 'approve' as const,
  comment: 'ok',
  at: '2026-11-02T10:03:00.000Z',
};

describe('replayHistory', () => {
  it('gives the state, version, round, requirements and decisions the events imply', () => {
    const replayed = replayHistory(approvedHistory());
    expect(replayed).toEqual({
      ok: true,
      history: {
        changeId: 7,
        state: 'in_progress',
        version: 4,
        type: 'normal',
        requester: 'priya',
        round: 1,
        requirements: PAYMENTS,
        decisions: [LEE_APPROVED],
        approvals: [
          expect.objectContaining({
            type: 'normal',
            requirements: PAYMENTS,
            decisions: [LEE_APPROVED],
          }),
        ],
        review: null,
      },
    });
  });

  it('follows an edit that opens a new round, and one that only records a merge', () => {
    const events = [
      ...approvedHistory().slice(0, 5),
      event('edited', 'github', '05', {
        changes: { headSha: { from: 'a', to: 'b' } },
        round: 2,
        requirements: PAYMENTS,
      }),
      event('approvals-withdrawn', 'github', '05', { withdrawn: ['lee'], requirements: PAYMENTS }),
      event('edited', 'github', '06', { changes: { mergeSha: { from: null, to: 'c' } } }),
    ];
    const replayed = replayHistory(events);
    expect(replayed).toMatchObject({
      ok: true,
      history: { state: 'pending', version: 5, round: 2 },
    });
  });

  it('admits what an older history does not say: a round opened by an edit that did not record it', () => {
    const events = [
      ...approvedHistory().slice(0, 2),
      event('edited', 'priya', '02', { changes: { title: { from: 'a', to: 'b' } } }),
    ];
    const replayed = replayHistory(events);
    expect(replayed.ok && replayed.history).toMatchObject({ state: 'pending', version: 3 });
    expect(replayed.ok && 'round' in replayed.history).toBe(false);
    expect(replayed.ok && 'requirements' in replayed.history).toBe(false);
  });

  it('refuses a history that does not begin with its creation, or moves from a state it was not in', () => {
    expect(replayHistory(approvedHistory().slice(1))).toMatchObject({ ok: false });
    const skipped = approvedHistory().filter((e) => e.type !== 'approved');
    expect(replayHistory(skipped)).toMatchObject({
      ok: false,
      problem: { reason: 'it moves the change from approved, but its history has it pending' },
    });
  });
});

describe('compareWithHistory', () => {
  const history = () => {
    const replayed = replayHistory(approvedHistory());
    if (!replayed.ok) throw new Error('bad fixture');
    return replayed.history;
  };

  it('finds nothing to say when the copy agrees', () => {
    expect(compareWithHistory(history(), storedAs(), [LEE_APPROVED])).toEqual([]);
  });

  it('names each field that disagrees', () => {
    expect(
      compareWithHistory(history(), storedAs({ state: 'verified', version: 9, requirements: [] }), [
        LEE_APPROVED,
      ]),
    ).toEqual([
      'CHG-7: its state is stored as "verified", but its history says "in_progress"',
      'CHG-7: its version is stored as 9, but its history says 4',
      'CHG-7: its requirements is stored as [], but its history says [{"group":"payments-owners","count":1}]',
    ]);
  });

  it('catches a review marked filed in its table that the history never recorded', () => {
    const due = '2026-11-04T10:05:00.000Z';
    const failed = [
      ...approvedHistory(),
      event('failed', 'priya', '05', { comment: null, from: 'in_progress', reviewDue: due }),
    ];
    const replayed = replayHistory(failed);
    if (!replayed.ok) throw new Error('bad fixture');
    const owed = { due, doneAt: null, by: null, answers: null };
    expect(replayed.history.review).toEqual(owed);
    const stored = storedAs({ state: 'failed', version: 5, review: owed });
    expect(compareWithHistory(replayed.history, stored, [LEE_APPROVED])).toEqual([]);
    const forged = { ...owed, doneAt: '2026-11-02T10:06:00.000Z', by: 'priya', answers: {} };
    expect(
      compareWithHistory(replayed.history, { ...stored, review: forged }, [LEE_APPROVED]),
    ).toEqual([
      expect.stringMatching(/^CHG-7: its review is stored as .*"doneAt":"2026-11-02T10:06/),
    ]);

    const reviewed = replayHistory([
      ...failed,
      event('reviewed', 'priya', '06', { answers: { whatHappened: 'x' }, due, late: false }),
    ]);
    expect(reviewed).toMatchObject({
      ok: true,
      history: {
        version: 6,
        review: {
          due,
          doneAt: '2026-11-02T10:06:00.000Z',
          by: 'priya',
          answers: { whatHappened: 'x' },
        },
      },
    });
  });

  it('names decisions that were inserted, removed or altered', () => {
    expect(
      compareWithHistory(history(), storedAs(), [
        { ...LEE_APPROVED, comment: 'changed' },
        { ...LEE_APPROVED, person: 'priya' },
      ]),
    ).toEqual([
      'CHG-7: a decision to approve by lee (round 1, 2026-11-02T10:03:00.000Z) is stored but not in its history',
      'CHG-7: a decision to approve by priya (round 1, 2026-11-02T10:03:00.000Z) is stored but not in its history',
      'CHG-7: its history has a decision to approve by lee (round 1) that is not stored',
    ]);
  });
});

describe('checkApprovalOutcomes', () => {
  const policy = (members: string[]) =>
    ({
      groups: new Map([['payments-owners', members]]),
      changeTypes: new Map([['normal', { distinctApprovers: false }]]),
    }) as unknown as Policy;
  const replayed = replayHistory(approvedHistory());
  if (!replayed.ok) throw new Error('bad fixture');

  it('accepts an approval that met the requirements under the policy in force', () => {
    expect(checkApprovalOutcomes(replayed.history, () => policy(['lee']))).toEqual([]);
  });

  it('names an approval the policy in force did not allow', () => {
    expect(checkApprovalOutcomes(replayed.history, () => policy(['ana']))).toEqual([
      'CHG-7: event 5 says it was approved, but under the policy in force (p1…) its requirements were not met: payments-owners (0 of 1)',
    ]);
  });
});
