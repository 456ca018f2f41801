import { describe, expect, it } from 'vitest';
import { presenceAt, recordableAbsence, type Absence } from './absence.js';
import { decide, evaluateChange } from './approval.js';
import type { Change, Decision } from './change.js';
import { aChange } from './change.fixture.js';
import { AppError } from './errors.js';
import type { Person, Policy } from './policy.js';

const NOW = new Date('2026-12-07T10:00:00Z');

function person(id: string, extra: Partial<Person> = {}): [string, Person] {
  return [id, { id, name: id.toUpperCase(), external: false, timezone: 'UTC', ...extra } as Person];
}

/** The example's emergency: three roles, three people; Sam (cto) has Kim as deputy. */
const policy = {
  fields: [],
  people: new Map([
    person('sam', { deputy: 'kim' }),
    person('kim'),
    person('lee'),
    person('ana'),
    person('tom'),
    person('priya'),
  ]),
  groups: new Map([
    ['on-call-leads', ['lee', 'ana']],
    ['security', ['tom']],
    ['cto', ['sam']],
    ['change-managers', ['kim']],
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
      },
    ],
    [
      'normal',
      {
        id: 'normal',
        label: 'Normal',
        distinctApprovers: false,
        approvals: [
          { from: 'change-managers', count: 1 },
          { from: 'cto', count: 1 },
        ],
      },
    ],
  ]),
} as unknown as Policy;

function pending(type: 'emergency' | 'normal', requester = 'priya'): Change {
  const requirements =
    type === 'emergency'
      ? [
          { group: 'on-call-leads', count: 1 },
          { group: 'security', count: 1 },
          { group: 'cto', count: 1 },
        ]
      : [
          { group: 'change-managers', count: 1 },
          { group: 'cto', count: 1 },
        ];
  return aChange({ id: 9, type, requester, state: 'pending', round: 1, requirements });
}

function away(personId: string, extra: Partial<Absence> = {}): Absence {
  return {
    person: personId,
    from: '2026-12-01T00:00:00Z',
    until: '2027-01-12T00:00:00Z',
    delegate: null,
    note: null,
    ...extra,
  };
}

const decideAt = (
  change: Change,
  decisions: Decision[],
  absences: Absence[],
  actor: string,
  onBehalfOf?: string,
) =>
  decide(policy, change, decisions, {
    actor,
    onBehalfOf,
    verdict: 'approve',
    comment: null,
    now: NOW.toISOString(),
    presence: presenceAt(policy, absences, NOW),
  });

const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'allowed';
};

describe('who is away', () => {
  it('counts an absence from its start until (not including) its end', () => {
    const absences = [away('sam', { from: '2026-12-07T10:00:00Z', until: '2026-12-07T11:00:00Z' })];
    expect(presenceAt(policy, absences, new Date('2026-12-07T09:59:59Z')).awayNow('sam')).toBe(
      undefined,
    );
    expect(presenceAt(policy, absences, NOW).awayNow('sam')).toBeDefined();
    expect(presenceAt(policy, absences, new Date('2026-12-07T11:00:00Z')).awayNow('sam')).toBe(
      undefined,
    );
  });

  it('stands the delegate in, else the deputy, and nobody who is away too', () => {
    expect(presenceAt(policy, [away('sam')], NOW).standIn('sam')).toBe('kim');
    expect(presenceAt(policy, [away('sam', { delegate: 'lee' })], NOW).standIn('sam')).toBe('lee');
    expect(presenceAt(policy, [away('sam'), away('kim')], NOW).standIn('sam')).toBe(undefined);
    expect(presenceAt(policy, [], NOW).standIn('sam')).toBe(undefined);
  });

  it('refuses an absence that ends before it starts, in the past, or names a bad delegate', () => {
    const problems = (input: Parameters<typeof recordableAbsence>[2]) => {
      try {
        recordableAbsence(policy, 'sam', input, NOW);
        return [];
      } catch (error) {
        return (error as AppError).details.map((d) => `${d.path}: ${d.message}`);
      }
    };
    expect(problems({ until: '2026-12-06T00:00:00Z' })).toEqual([
      'until: must be after from (2026-12-07T10:00:00.000Z)',
    ]);
    expect(problems({ from: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00Z' })).toEqual([
      'until: is in the past: an absence must end in the future',
    ]);
    expect(problems({ until: '2027-01-01T00:00:00Z', delegate: 'sam' })).toEqual([
      'delegate: must be someone else: you cannot stand in for yourself',
    ]);
    expect(problems({ until: '2027-01-01T00:00:00Z', delegate: 'nobody' })).toEqual([
      'delegate: no person "nobody" in the policy',
    ]);
    expect(
      recordableAbsence(policy, 'sam', { until: '2027-01-01T00:00:00Z', note: '  ' }, NOW),
    ).toEqual({
      person: 'sam',
      from: NOW.toISOString(),
      until: '2027-01-01T00:00:00.000Z',
      delegate: null,
      note: null,
    });
  });
});

describe('deciding for someone away', () => {
  it('lets the deputy approve for the absent person, recording both', () => {
    const { decision, events } = decideAt(pending('emergency'), [], [away('sam')], 'kim');
    expect(decision).toMatchObject({ person: 'sam', standIn: 'kim' });
    expect(events[0]).toMatchObject({
      type: 'approval-granted',
      actor: 'kim',
      data: { onBehalfOf: 'sam', countedFor: ['cto'] },
    });
  });

  it('gives a deputy no power while the person is present', () => {
    expect(code(() => decideAt(pending('emergency'), [], [], 'kim', 'sam'))).toMatch(/^forbidden/);
    const evaluation = evaluateChange(policy, pending('emergency'), []);
    expect(evaluation.eligibleApprovers.has('kim')).toBe(false);
  });

  it('never decides for the requester, and never lets a delegate approve their own change', () => {
    // Sam requested it: nobody approves for Sam, so the cto requirement cannot be met through Kim.
    const bySam = pending('normal', 'sam');
    expect(code(() => decideAt(bySam, [], [away('sam')], 'kim', 'sam'))).toMatch(/^self_approval/);
    // Kim requested it: Kim may not stand in for Sam on it.
    const byKim = pending('normal', 'kim');
    const evaluation = evaluateChange(policy, byKim, [], presenceAt(policy, [away('sam')], NOW));
    expect(evaluation.eligibleApprovers.has('kim')).toBe(false);
    const cto = evaluation.requirements.find((r) => r.group === 'cto')!;
    expect(cto).toMatchObject({ available: false });
    expect(cto.whyUnavailable).toBe('SAM is away until 12 Jan 2027 and has no delegate');
  });

  it('with distinct approvers, one human fills one requirement, in their own name or for someone else', () => {
    const change = pending('emergency');
    const absences = [away('sam'), away('tom', { delegate: 'lee' })];
    // Lee could give either (as an on-call lead, or for Tom), so says which.
    expect(code(() => decideAt(change, [], absences, 'lee'))).toMatch(/^invalid_input/);
    const lee = decideAt(change, [], absences, 'lee', 'lee').decision;
    // Lee is one human: approving for Tom too would fill no second slot, and would use up
    // Tom's one decision for nothing. It is refused.
    expect(code(() => decideAt(change, [lee], absences, 'lee', 'tom'))).toMatch(/^forbidden/);
    const presence = presenceAt(policy, absences, NOW);
    const counted = (decisions: Decision[]) =>
      evaluateChange(policy, change, decisions, presence).requirements.map((r) => r.approvedBy);
    expect(counted([lee])).toEqual([['lee'], [], []]);
    // Kim, Sam's deputy, fills cto; Tom's security waits for Tom, or for Lee if Ana takes on-call.
    const kim = decideAt(change, [lee], absences, 'kim');
    expect(kim.decision).toMatchObject({ person: 'sam', standIn: 'kim' });
    expect(counted([lee, kim.decision])).toEqual([['lee'], [], ['sam']]);
  });

  it('with distinct approvers, a stand-in fills the slot their approval moves to', () => {
    const change = pending('emergency');
    const absences = [away('sam'), away('tom', { delegate: 'lee' })];
    const presence = presenceAt(policy, absences, NOW);
    const counted = (decisions: Decision[]) =>
      evaluateChange(policy, change, decisions, presence).requirements.map((r) => r.approvedBy);
    const ana = decideAt(change, [], absences, 'ana').decision;
    const forTom = decideAt(change, [ana], absences, 'lee', 'tom');
    expect(forTom.decision).toMatchObject({ person: 'tom', standIn: 'lee' });
    expect(forTom.events[0]!.data.countedFor).toEqual(['security']);
    expect(counted([ana, forTom.decision])).toEqual([['ana'], ['tom'], []]);
    const kim = decideAt(change, [ana, forTom.decision], absences, 'kim');
    expect(kim.change.state).toBe('approved');
  });

  it('asks whose decision it is when both readings are possible', () => {
    const change = pending('normal');
    expect(code(() => decideAt(change, [], [away('sam')], 'kim'))).toBe(
      'invalid_input: say whose decision this is (onBehalfOf)',
    );
    expect(decideAt(change, [], [away('sam')], 'kim', 'kim').decision).toMatchObject({
      person: 'kim',
    });
    expect(decideAt(change, [], [away('sam')], 'kim', 'sam').decision).toMatchObject({
      person: 'sam',
      standIn: 'kim',
    });
  });

  it('refuses a second decision for the same person', () => {
    const change = pending('normal');
    const forSam = decideAt(change, [], [away('sam')], 'kim', 'sam').decision;
    expect(code(() => decideAt(change, [forSam], [away('sam')], 'kim', 'sam'))).toMatch(
      /^already_decided/,
    );
  });

  it('shows a requirement nobody available can meet, and why', () => {
    const evaluation = evaluateChange(
      policy,
      pending('emergency'),
      [],
      presenceAt(policy, [away('tom')], NOW),
    );
    expect(evaluation.requirements.map((r) => [r.group, r.available, r.whyUnavailable])).toEqual([
      ['on-call-leads', true, undefined],
      ['security', false, 'TOM is away until 12 Jan 2027 and has no delegate'],
      ['cto', true, undefined],
    ]);
  });
});
