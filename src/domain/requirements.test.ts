import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision, RequirementSpec, Verdict } from './change.js';
import {
  DEFAULT_EXTERNAL_LINK_TTL_MS,
  type ApprovalRule,
  type ChangeType,
  type Field,
  type Policy,
  type Service,
} from './policy.js';
import {
  computeRequirements,
  evaluateApprovals,
  explainRequirements,
  findUnsatisfiable,
  requirementsFor,
} from './requirements.js';
import { FAILURE_REVIEW_FIXTURE } from './policy.fixture.js';

const GROUPS: Record<string, readonly string[]> = {
  'payments-owners': ['priya', 'lee'],
  'web-owners': ['ana', 'dev'],
  security: ['tom'],
  'change-managers': ['kim'],
  'on-call-leads': ['lee', 'ana'],
  cto: ['sam'],
};

function changeType(id: string, approvals: ApprovalRule[], distinctApprovers = false): ChangeType {
  return {
    id,
    label: id,
    approvals,
    distinctApprovers,
    notifyOutsideWorkingHours: false,
    keepApprovalsOnPush: false,
  };
}

function service(id: string, approvers?: string): Service {
  return { id, name: id, repositories: [], environments: [], approvers, notify: [] };
}

function makePolicy(
  types: ChangeType[],
  services: Service[] = [service('payments', 'payments-owners'), service('website', 'web-owners')],
): Policy {
  return {
    version: 1,
    organization: 'Test',
    externalLinkTtlMs: DEFAULT_EXTERNAL_LINK_TTL_MS,
    hash: 'h',
    people: new Map(),
    groups: new Map(Object.entries(GROUPS)),
    channels: new Map(),
    fields: [],
    services: new Map(services.map((s) => [s.id, s])),
    changeTypes: new Map(types.map((t) => [t.id, t])),
    notifications: [],
    freezes: [],
    recurringFreezes: [],
    meetings: [],
    failureReview: FAILURE_REVIEW_FIXTURE,
  };
}

const NORMAL = changeType('normal', [
  { from: 'service-approvers', count: 1 },
  { from: 'change-managers', count: 1, when: { risk: 'high' } },
]);

function decision(person: string, verdict: Verdict = 'approve'): Decision {
  return { changeId: 1, round: 1, person, verdict, comment: null, at: '2026-11-02T10:00:00Z' };
}

function approvals(...people: string[]): Decision[] {
  return people.map((person) => decision(person));
}

const membersOf = (group: string) => GROUPS[group] ?? [];

function options(requester: string, distinctApprovers = false) {
  return { requester, distinctApprovers, membersOf };
}

describe('computeRequirements', () => {
  it('expands service-approvers into one requirement per touched service, in service order', () => {
    const policy = makePolicy([NORMAL]);
    expect(
      computeRequirements(policy, {
        type: 'normal',
        services: ['website', 'payments'],
        answers: { risk: 'low' },
      }),
    ).toStrictEqual([
      { group: 'web-owners', count: 1, service: 'website', reason: 'touches website' },
      { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches payments' },
    ]);
  });

  it('adds a named group only when its condition matches the answers, without a service', () => {
    const policy = makePolicy([NORMAL]);
    expect(
      computeRequirements(policy, {
        type: 'normal',
        services: ['payments'],
        answers: { risk: 'high' },
      }),
    ).toStrictEqual([
      { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches payments' },
      { group: 'change-managers', count: 1, reason: 'risk is high' },
    ]);
    expect(
      computeRequirements(policy, {
        type: 'normal',
        services: ['payments'],
        answers: { risk: 'medium' },
      }),
    ).toStrictEqual([
      { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches payments' },
    ]);
    // An unanswered question never satisfies a condition.
    expect(
      computeRequirements(policy, { type: 'normal', services: ['payments'], answers: {} }),
    ).toHaveLength(1);
  });

  it('carries the count of each rule, also into every per-service requirement', () => {
    const policy = makePolicy([
      changeType('big', [
        { from: 'service-approvers', count: 2 },
        { from: 'on-call-leads', count: 2 },
      ]),
    ]);
    expect(
      computeRequirements(policy, { type: 'big', services: ['payments', 'website'], answers: {} }),
    ).toStrictEqual([
      { group: 'payments-owners', count: 2, service: 'payments', reason: 'touches payments' },
      { group: 'web-owners', count: 2, service: 'website', reason: 'touches website' },
      { group: 'on-call-leads', count: 2, reason: 'big changes need it' },
    ]);
  });

  it('evaluates conditions on the change type and on the services touched (a list means any of)', () => {
    const policy = makePolicy([
      changeType('normal', [
        { from: 'security', count: 1, when: { service: 'payments' } },
        { from: 'cto', count: 1, when: { type: ['emergency', 'normal'] } },
        { from: 'change-managers', count: 1, when: { type: 'emergency' } },
        {
          from: 'on-call-leads',
          count: 1,
          when: { service: ['website', 'payments'], risk: 'high' },
        },
      ]),
    ]);
    const groupsFor = (services: string[], answers: Record<string, string>) =>
      computeRequirements(policy, { type: 'normal', services, answers }).map((r) => r.group);
    expect(groupsFor(['website'], {})).toEqual(['cto']);
    expect(groupsFor(['website', 'payments'], {})).toEqual(['security', 'cto']);
    expect(groupsFor(['website'], { risk: 'high' })).toEqual(['cto', 'on-call-leads']);
  });

  it('skips services without an approvers group and services the policy does not know', () => {
    const policy = makePolicy([NORMAL], [service('payments', 'payments-owners'), service('docs')]);
    expect(
      computeRequirements(policy, {
        type: 'normal',
        services: ['docs', 'nope', 'payments'],
        answers: {},
      }),
    ).toStrictEqual([
      { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches payments' },
    ]);
  });

  it('needs nothing for a type without approvals, or for an unknown type', () => {
    const policy = makePolicy([NORMAL, changeType('standard', [])]);
    expect(
      computeRequirements(policy, {
        type: 'standard',
        services: ['payments'],
        answers: { risk: 'high' },
      }),
    ).toEqual([]);
    expect(
      computeRequirements(policy, { type: 'unheard-of', services: ['payments'], answers: {} }),
    ).toEqual([]);
  });
});

describe('the reason of each requirement', () => {
  const field = (id: string, label: string, type: Field['type'] = 'choice'): Field => ({
    id,
    label,
    type,
    required: false,
  });
  const named = (id: string, name: string, approvers?: string): Service => ({
    ...service(id, approvers),
    name,
  });
  const policyWith = (type: ChangeType): Policy => ({
    ...makePolicy(
      // The type under test last: it replaces the stand-in of the same id.
      [{ ...changeType('emergency', []), label: 'Emergency (ECAB)' }, type],
      [
        named('payments', 'Payments API', 'payments-owners'),
        named('website', 'Marketing website', 'web-owners'),
        named('edge', 'Edge'),
      ],
    ),
    fields: [
      field('risk', 'Risk'),
      field('tested', 'Has this change been tested?', 'boolean'),
      field('dataMigration', 'Data migration', 'boolean'),
      field('slaTier', 'SLA tier'),
    ],
  });
  const reasonsFor = (
    type: ChangeType,
    subject: { services?: string[]; answers?: Record<string, string | boolean> } = {},
  ) =>
    computeRequirements(policyWith(type), {
      type: type.id,
      services: subject.services ?? ['payments'],
      answers: subject.answers ?? {},
    }).map((r) => r.reason);

  it('names the service for service approvers, with the rule’s condition when it has one', () => {
    const type = {
      ...changeType('normal', [
        { from: 'service-approvers', count: 1 },
        { from: 'service-approvers', count: 1, when: { risk: 'high' } },
      ]),
      label: 'Normal',
    };
    expect(
      reasonsFor(type, { services: ['website', 'payments'], answers: { risk: 'high' } }),
    ).toEqual([
      'touches Marketing website',
      'touches Payments API',
      'touches Marketing website and risk is high',
      'touches Payments API and risk is high',
    ]);
  });

  it('says a condition in words: one value, a list, a yes/no field, the type and the services', () => {
    const type = {
      ...changeType('normal', [
        { from: 'change-managers', count: 1, when: { risk: 'high' } },
        { from: 'security', count: 1, when: { risk: ['high', 'medium'] } },
        { from: 'cto', count: 1, when: { risk: ['low', 'medium', 'high'], dataMigration: true } },
        { from: 'on-call-leads', count: 1, when: { tested: false } },
        { from: 'web-owners', count: 1, when: { slaTier: 'gold' } },
        { from: 'payments-owners', count: 1, when: { type: ['normal', 'emergency'] } },
        { from: 'security', count: 1, when: { service: 'edge' } },
        { from: 'cto', count: 1, when: { service: ['edge', 'payments'], team: 'core' } },
      ]),
      label: 'Normal',
    };
    expect(
      reasonsFor(type, {
        services: ['edge', 'payments'],
        answers: {
          risk: 'high',
          dataMigration: true,
          tested: false,
          slaTier: 'gold',
          team: 'core',
        },
      }),
    ).toEqual([
      'risk is high',
      'risk is high or medium',
      'risk is low, medium or high and data migration is yes',
      // A label that is a question does not read as a subject: the field's id does.
      'tested is no',
      'SLA tier is gold',
      'type is Normal or Emergency (ECAB)',
      'touches Edge',
      // Not a field the policy declares: its key names it.
      'touches Edge or Payments API and team is core',
    ]);
  });

  it('says the type needs it when the rule has no condition, and that the approvers must differ', () => {
    const normal = {
      ...changeType('normal', [{ from: 'change-managers', count: 1 }]),
      label: 'Normal',
    };
    expect(reasonsFor(normal)).toEqual(['Normal changes need it']);
    const emergency = {
      ...changeType(
        'emergency',
        [
          { from: 'on-call-leads', count: 1 },
          { from: 'cto', count: 1 },
        ],
        true,
      ),
      label: 'Emergency (ECAB)',
    };
    expect(reasonsFor(emergency)).toEqual([
      'Emergency (ECAB) changes need it, from different people',
      'Emergency (ECAB) changes need it, from different people',
    ]);
  });

  it('gives requirements stored without a reason the current policy’s, or what is still known', () => {
    const type = {
      ...changeType('normal', [
        { from: 'service-approvers', count: 1 },
        { from: 'change-managers', count: 1, when: { risk: 'high' } },
      ]),
      label: 'Normal',
    };
    const policy = policyWith(type);
    const subject = { type: 'normal', services: ['payments'], answers: { risk: 'low' } };
    const stored: RequirementSpec[] = [
      { group: 'payments-owners', count: 1, service: 'payments' },
      // The answers (or the policy) changed since: no current rule gives this one.
      { group: 'change-managers', count: 1 },
      { group: 'web-owners', count: 1, service: 'website' },
    ];
    expect(explainRequirements(policy, subject, stored)).toEqual([
      { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches Payments API' },
      {
        group: 'change-managers',
        count: 1,
        reason: 'the policy required it when the change was submitted',
      },
      {
        group: 'web-owners',
        count: 1,
        service: 'website',
        reason: 'touches Marketing website',
      },
    ]);
    const explained = computeRequirements(policy, subject);
    expect(explainRequirements(policy, subject, explained)).toBe(explained);
  });
});

describe('evaluateApprovals without distinct approvers', () => {
  const requirements: RequirementSpec[] = [
    { group: 'payments-owners', count: 1, service: 'payments' },
    { group: 'on-call-leads', count: 1 },
  ];

  it('counts one approval for every requirement whose group holds the approver', () => {
    const evaluation = evaluateApprovals(requirements, approvals('lee'), options('sam'));
    expect(evaluation.allMet).toBe(true);
    expect(evaluation.requirements.map((r) => [r.met, r.approvedBy])).toEqual([
      [true, ['lee']],
      [true, ['lee']],
    ]);
    expect(evaluation.requirements[0]).toMatchObject({
      group: 'payments-owners',
      count: 1,
      service: 'payments',
    });
    expect(evaluation.eligibleApprovers.size).toBe(0);
  });

  it('starts with nothing met and everyone in the groups able to approve', () => {
    const evaluation = evaluateApprovals(requirements, [], options('sam'));
    expect(evaluation.allMet).toBe(false);
    expect(evaluation.requirements.map((r) => r.canApprove)).toEqual([
      ['priya', 'lee'],
      ['lee', 'ana'],
    ]);
    expect([...evaluation.eligibleApprovers].sort()).toEqual(['ana', 'lee', 'priya']);
  });

  it('is approved only when every requirement is met', () => {
    const evaluation = evaluateApprovals(requirements, approvals('priya'), options('sam'));
    expect(evaluation.allMet).toBe(false);
    expect(evaluation.requirements.map((r) => r.met)).toEqual([true, false]);
    expect(evaluation.requirements[0]!.canApprove).toEqual([]);
    expect(evaluation.requirements[1]!.canApprove).toEqual(['lee', 'ana']);
  });

  it('needs `count` distinct members of the group', () => {
    const two: RequirementSpec[] = [{ group: 'payments-owners', count: 2 }];
    const one = evaluateApprovals(two, approvals('lee'), options('sam'));
    expect(one.requirements[0]).toMatchObject({
      met: false,
      approvedBy: ['lee'],
      canApprove: ['priya'],
    });
    const both = evaluateApprovals(two, approvals('lee', 'priya'), options('sam'));
    expect(both.requirements[0]).toMatchObject({
      met: true,
      approvedBy: ['lee', 'priya'],
      canApprove: [],
    });
    expect(both.allMet).toBe(true);
  });

  it("never counts the requester's approval, and never offers them as an approver", () => {
    const evaluation = evaluateApprovals(
      [{ group: 'payments-owners', count: 1 }],
      approvals('priya'),
      options('priya'),
    );
    expect(evaluation.allMet).toBe(false);
    expect(evaluation.requirements[0]).toMatchObject({
      met: false,
      approvedBy: [],
      canApprove: ['lee'],
    });
    expect(evaluation.eligibleApprovers.has('priya')).toBe(false);
  });

  it('ignores approvals from people outside the group and rejections', () => {
    const evaluation = evaluateApprovals(
      [{ group: 'payments-owners', count: 1 }],
      [decision('tom'), decision('lee', 'reject')],
      options('sam'),
    );
    expect(evaluation.requirements[0]).toMatchObject({ met: false, approvedBy: [] });
    // lee decided (rejected), so lee may not decide again; priya still can.
    expect(evaluation.requirements[0]!.canApprove).toEqual(['priya']);
  });

  it('reports approvals in the order they were given', () => {
    const evaluation = evaluateApprovals(
      [{ group: 'on-call-leads', count: 1 }],
      approvals('ana', 'lee'),
      options('sam'),
    );
    expect(evaluation.requirements[0]!.approvedBy).toEqual(['ana', 'lee']);
  });

  it('is trivially approved with no requirements', () => {
    const evaluation = evaluateApprovals([], [], options('sam'));
    expect(evaluation.allMet).toBe(true);
    expect(evaluation.requirements).toEqual([]);
  });
});

describe('evaluateApprovals with distinct approvers', () => {
  it('counts one approval towards one requirement only', () => {
    const requirements: RequirementSpec[] = [
      { group: 'payments-owners', count: 1 },
      { group: 'on-call-leads', count: 1 },
    ];
    const lee = evaluateApprovals(requirements, approvals('lee'), options('sam', true));
    expect(lee.allMet).toBe(false);
    expect(lee.requirements.flatMap((r) => r.approvedBy)).toEqual(['lee']);
    expect(lee.requirements.filter((r) => r.met)).toHaveLength(1);

    const leeAndAna = evaluateApprovals(
      requirements,
      approvals('lee', 'ana'),
      options('sam', true),
    );
    expect(leeAndAna.allMet).toBe(true);
    expect(leeAndAna.requirements.map((r) => r.approvedBy)).toEqual([['lee'], ['ana']]);
  });

  it('re-assigns an earlier approval when a later one can only count in its place', () => {
    // lee can count for either; priya only for payments-owners. Greedy would leave lee on payments-owners.
    const requirements: RequirementSpec[] = [
      { group: 'payments-owners', count: 1 },
      { group: 'on-call-leads', count: 1 },
    ];
    const groups: Record<string, string[]> = {
      'payments-owners': ['priya', 'lee'],
      'on-call-leads': ['lee'],
    };
    const evaluation = evaluateApprovals(requirements, approvals('lee', 'priya'), {
      requester: 'sam',
      distinctApprovers: true,
      membersOf: (g) => groups[g] ?? [],
    });
    expect(evaluation.allMet).toBe(true);
    expect(evaluation.requirements.map((r) => r.approvedBy)).toEqual([['priya'], ['lee']]);
  });

  it('lets a member of an already met group approve when that frees someone for an open requirement', () => {
    // x is the only member of g2, but x's approval landed on g1. y's approval must still be possible:
    // otherwise approving in the order x, y would get stuck while y, x approves the change.
    const groups: Record<string, string[]> = { g1: ['x', 'y'], g2: ['x'] };
    const opts = {
      requester: 'r',
      distinctApprovers: true,
      membersOf: (g: string) => groups[g] ?? [],
    };
    const requirements: RequirementSpec[] = [
      { group: 'g1', count: 1 },
      { group: 'g2', count: 1 },
    ];
    expect(findUnsatisfiable(requirements, opts)).toEqual([]);

    const afterX = evaluateApprovals(requirements, approvals('x'), opts);
    expect(afterX.allMet).toBe(false);
    expect([...afterX.eligibleApprovers]).toEqual(['y']);
    expect(afterX.requirements.find((r) => !r.met)!.canApprove).toEqual(['y']);

    expect(evaluateApprovals(requirements, approvals('x', 'y'), opts).allMet).toBe(true);
    expect(evaluateApprovals(requirements, approvals('y', 'x'), opts).allMet).toBe(true);
  });

  it('does not offer people whose approval could not fill any open slot', () => {
    const groups: Record<string, string[]> = { g1: ['x', 'y'], g2: ['z'] };
    const opts = {
      requester: 'r',
      distinctApprovers: true,
      membersOf: (g: string) => groups[g] ?? [],
    };
    const evaluation = evaluateApprovals(
      [
        { group: 'g1', count: 1 },
        { group: 'g2', count: 1 },
      ],
      approvals('x'),
      opts,
    );
    expect([...evaluation.eligibleApprovers]).toEqual(['z']);
    expect(evaluation.requirements.map((r) => r.canApprove)).toEqual([[], ['z']]);
  });

  it('fills a count-2 requirement with two different people', () => {
    const requirements: RequirementSpec[] = [
      { group: 'on-call-leads', count: 2 },
      { group: 'security', count: 1 },
    ];
    const evaluation = evaluateApprovals(
      requirements,
      approvals('tom', 'lee', 'ana'),
      options('sam', true),
    );
    expect(evaluation.allMet).toBe(true);
    expect(evaluation.requirements.map((r) => r.approvedBy)).toEqual([['lee', 'ana'], ['tom']]);
  });

  it("never counts the requester's approval", () => {
    const evaluation = evaluateApprovals(
      [{ group: 'on-call-leads', count: 1 }],
      approvals('lee'),
      options('lee', true),
    );
    expect(evaluation.allMet).toBe(false);
    expect(evaluation.requirements[0]).toMatchObject({ approvedBy: [], canApprove: ['ana'] });
  });
});

describe('evaluateApprovals properties', () => {
  const POOL = ['a', 'b', 'c', 'd', 'e'] as const;
  const GROUP_IDS = ['g0', 'g1', 'g2', 'g3'] as const;

  const scenario = fc.record({
    groups: fc.tuple(...GROUP_IDS.map(() => fc.subarray([...POOL]))),
    requirements: fc.array(
      fc.record({ group: fc.constantFrom(...GROUP_IDS), count: fc.integer({ min: 1, max: 2 }) }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    requester: fc.constantFrom(...POOL),
    approvers: fc.shuffledSubarray([...POOL]),
    rejecters: fc.subarray([...POOL], { maxLength: 1 }),
    distinct: fc.boolean(),
    order: fc.array(fc.double({ noNaN: true }), { minLength: POOL.length, maxLength: POOL.length }),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function setUp(s: Scenario) {
    const groups = new Map(GROUP_IDS.map((id, i) => [id as string, s.groups[i]!]));
    const opts = {
      requester: s.requester,
      distinctApprovers: s.distinct,
      membersOf: (g: string) => groups.get(g) ?? [],
    };
    const decisions = [
      ...s.approvers.filter((p) => !s.rejecters.includes(p)).map((p) => decision(p)),
      ...s.rejecters.map((p) => decision(p, 'reject')),
    ];
    return { groups, opts, decisions };
  }

  it('gives the same outcome whatever the order of approvals', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { opts, decisions } = setUp(s);
        const rank = (d: Decision) => s.order[POOL.indexOf(d.person as (typeof POOL)[number])]!;
        const shuffled = [...decisions].sort((x, y) => rank(x) - rank(y));
        const a = evaluateApprovals(s.requirements, decisions, opts);
        const b = evaluateApprovals(s.requirements, shuffled, opts);
        const filled = (e: typeof a) =>
          e.requirements.reduce((n, r) => n + Math.min(r.approvedBy.length, r.count), 0);
        expect(b.allMet).toBe(a.allMet);
        expect(filled(b)).toBe(filled(a));
        expect([...b.eligibleApprovers].sort()).toEqual([...a.eligibleApprovers].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('is met exactly when some assignment of approvals to requirements meets everything', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { groups, opts, decisions } = setUp(s);
        const approving = decisions
          .filter((d) => d.verdict === 'approve' && d.person !== s.requester)
          .map((d) => d.person);
        const eligibleFor = (group: string) =>
          (groups.get(group) ?? []).filter((p) => approving.includes(p));
        let expected: boolean;
        if (!s.distinct) {
          expected = s.requirements.every((r) => eligibleFor(r.group).length >= r.count);
        } else {
          // Brute force: fill slots one by one with unused approvers.
          const slots = s.requirements.flatMap((r) => Array<string>(r.count).fill(r.group));
          const fill = (i: number, used: Set<string>): boolean =>
            i === slots.length ||
            eligibleFor(slots[i]!).some((p) => !used.has(p) && fill(i + 1, new Set([...used, p])));
          expected = fill(0, new Set());
        }
        expect(evaluateApprovals(s.requirements, decisions, opts).allMet).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('only counts approvals by group members other than the requester, each once when distinct', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { groups, opts, decisions } = setUp(s);
        const evaluation = evaluateApprovals(s.requirements, decisions, opts);
        const approvedBy = new Set(
          decisions.filter((d) => d.verdict === 'approve').map((d) => d.person),
        );
        const decided = new Set(decisions.map((d) => d.person));
        evaluation.requirements.forEach((r) => {
          for (const person of r.approvedBy) {
            expect(groups.get(r.group)).toContain(person);
            expect(approvedBy.has(person)).toBe(true);
            expect(person).not.toBe(s.requester);
          }
          expect(r.met).toBe(r.approvedBy.length >= r.count);
          if (r.met) expect(r.canApprove).toEqual([]);
          for (const person of r.canApprove) {
            expect(person).not.toBe(s.requester);
            expect(decided.has(person)).toBe(false);
          }
        });
        if (s.distinct) {
          const counted = evaluation.requirements.flatMap((r) => r.approvedBy);
          expect(new Set(counted).size).toBe(counted.length);
        }
        expect(evaluation.allMet).toBe(evaluation.requirements.every((r) => r.met));
        expect([...evaluation.eligibleApprovers].sort()).toEqual(
          [...new Set(evaluation.requirements.flatMap((r) => r.canApprove))].sort(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('always reaches approval when the requirements are satisfiable and eligible people approve, one by one, in any order', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.nat(), { minLength: POOL.length, maxLength: POOL.length }),
        (s, picks) => {
          const { opts } = setUp(s);
          fc.pre(findUnsatisfiable(s.requirements, opts).length === 0);
          const decisions: Decision[] = [];
          for (const pick of picks) {
            const evaluation = evaluateApprovals(s.requirements, decisions, opts);
            if (evaluation.allMet) break;
            const eligible = [...evaluation.eligibleApprovers];
            expect(eligible.length).toBeGreaterThan(0);
            decisions.push(decision(eligible[pick % eligible.length]!));
          }
          expect(evaluateApprovals(s.requirements, decisions, opts).allMet).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with findUnsatisfiable: satisfiable exactly when approval by everyone but the requester meets everything', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { opts } = setUp(s);
        const everyone = approvals(...POOL);
        const allMet = evaluateApprovals(s.requirements, everyone, opts).allMet;
        expect(findUnsatisfiable(s.requirements, opts).length === 0).toBe(allMet);
      }),
      { numRuns: 500 },
    );
  });
});

describe('findUnsatisfiable', () => {
  it('names a group whose only member is the requester', () => {
    expect(findUnsatisfiable([{ group: 'security', count: 1 }], options('tom'))).toEqual([
      'security',
    ]);
    expect(findUnsatisfiable([{ group: 'security', count: 1 }], options('tom', true))).toEqual([
      'security',
    ]);
  });

  it('does not count the requester towards a group that needs more approvals than the others can give', () => {
    const requirements: RequirementSpec[] = [{ group: 'payments-owners', count: 2 }];
    expect(findUnsatisfiable(requirements, options('priya'))).toEqual(['payments-owners']);
    expect(findUnsatisfiable(requirements, options('sam'))).toEqual([]);
    expect(findUnsatisfiable([{ group: 'payments-owners', count: 1 }], options('priya'))).toEqual(
      [],
    );
  });

  it('with distinct approvers, finds two requirements that share their only eligible person', () => {
    const requirements: RequirementSpec[] = [
      { group: 'security', count: 1 },
      { group: 'security-leads', count: 1 },
    ];
    const groups: Record<string, string[]> = {
      security: ['tom'],
      'security-leads': ['tom', 'kim'],
    };
    const membersOfHere = (g: string) => groups[g] ?? [];
    // kim is the requester: tom alone cannot fill both.
    const unsatisfiable = findUnsatisfiable(requirements, {
      requester: 'kim',
      distinctApprovers: true,
      membersOf: membersOfHere,
    });
    expect(unsatisfiable).toHaveLength(1);
    expect(['security', 'security-leads']).toContain(unsatisfiable[0]);
    // Without distinct approvers tom's one approval counts for both.
    expect(
      findUnsatisfiable(requirements, {
        requester: 'kim',
        distinctApprovers: false,
        membersOf: membersOfHere,
      }),
    ).toEqual([]);
    // With someone else requesting, kim and tom can cover one each.
    expect(
      findUnsatisfiable(requirements, {
        requester: 'sam',
        distinctApprovers: true,
        membersOf: membersOfHere,
      }),
    ).toEqual([]);
  });

  it('names an empty or unknown group', () => {
    expect(findUnsatisfiable([{ group: 'nobody', count: 1 }], options('sam'))).toEqual(['nobody']);
    expect(findUnsatisfiable([{ group: 'nobody', count: 1 }], options('sam', true))).toEqual([
      'nobody',
    ]);
  });

  it('is empty for no requirements', () => {
    expect(findUnsatisfiable([], options('sam', true))).toEqual([]);
  });
});

describe('requirementsFor', () => {
  it("reads the type's distinctApprovers and the policy's groups", () => {
    const policy = makePolicy([NORMAL, changeType('emergency', [], true)]);
    const emergency = requirementsFor(policy, policy.changeTypes.get('emergency'));
    expect(emergency.distinctApprovers).toBe(true);
    expect(emergency.membersOf('on-call-leads')).toEqual(['lee', 'ana']);
    expect(emergency.membersOf('no-such-group')).toEqual([]);
    expect(requirementsFor(policy, policy.changeTypes.get('normal')).distinctApprovers).toBe(false);
    expect(requirementsFor(policy, undefined).distinctApprovers).toBe(false);
  });
});
