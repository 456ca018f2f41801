import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../policy/load.js';
import { parseCadence } from '../../policy/schedule.js';
import type { Change } from '../change.js';
import { aChange } from '../change.fixture.js';
import type { AuditEvent, EventData, EventType } from '../events.js';
import { promotionCandidates } from './candidates.js';
import { meetingCounterfactual } from './counterfactual.js';
import { computeInsights, type DurationFigure } from './figures.js';
import type { ChangeHistory } from './timeline.js';

/**
 * "Is async working?" on a hand-made history of the example policy's teams,
 * two weeks either side of the clocks going forward in London (Sunday
 * 29 March 2026, 01:00 UTC). Every expected value is worked out beside it.
 */
const source = readFileSync(new URL('../../../examples/changeboard.yaml', import.meta.url), 'utf8');
const loaded = parsePolicy(source, {
  TEAMS_WEBHOOK_URL: 'https://example.invalid/hook',
  SLACK_WEBHOOK_URL: 'https://example.invalid/s',
});
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const policy = loaded.policy;
const membersOf = (group: string) => policy.groups.get(group) ?? [];
const isEmergency = (type: string) => type === 'emergency';

let nextEventId = 1;
function ev(
  changeId: number,
  type: EventType,
  at: string,
  actor: string,
  data: EventData = {},
): AuditEvent {
  return {
    id: nextEventId++,
    changeId,
    type,
    actor,
    at,
    data,
    policyHash: '',
    prevHash: '',
    hash: '',
  };
}
const z = (local: string) => `2026-${local}:00.000Z`;

function history(change: Partial<Change> & { id: number }, events: AuditEvent[]): ChangeHistory {
  return { change: aChange({ createdAt: events[0]!.at, ...change }), events };
}

// CHG-1: normal, payments, low risk. Submitted Mon 23 Mar 09:00, lee approves at 10:00 (60 min), completed at 12:00.
const chg1 = history(
  {
    id: 1,
    state: 'completed',
    round: 1,
    requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
    answers: { risk: 'low' },
  },
  [
    ev(1, 'created', z('03-23T08:00'), 'github', { source: 'github' }),
    ev(1, 'submitted', z('03-23T09:00'), 'priya', { round: 1 }),
    ev(1, 'approval-granted', z('03-23T10:00'), 'lee', {
      round: 1,
      countedFor: ['payments-owners'],
    }),
    ev(1, 'approved', z('03-23T10:00'), 'lee'),
    ev(1, 'started', z('03-23T11:00'), 'priya'),
    ev(1, 'completed', z('03-23T12:00'), 'priya'),
  ],
);
// CHG-2: normal, payments, high risk: payments-owners (lee, 60 min) and change-managers (kim, 240 min);
// the Weekly risk review discussed it; it failed; its review (due 27 Mar) is overdue.
const chg2 = history(
  {
    id: 2,
    state: 'failed',
    round: 1,
    requirements: [
      { group: 'payments-owners', count: 1, service: 'payments' },
      { group: 'change-managers', count: 1 },
    ],
    answers: { risk: 'high' },
    review: { due: z('03-27T09:00'), doneAt: null, by: null, answers: null },
  },
  [
    ev(2, 'created', z('03-24T08:00'), 'priya'),
    ev(2, 'submitted', z('03-24T09:30'), 'priya', { round: 1 }),
    ev(2, 'approval-granted', z('03-24T10:30'), 'lee', {
      round: 1,
      countedFor: ['payments-owners'],
    }),
    ev(2, 'discussed', z('03-24T13:00'), 'kim', {
      meeting: 'Weekly risk review',
      occurrence: z('03-24T10:00'),
      outcome: 'approve',
    }),
    ev(2, 'approval-granted', z('03-24T13:30'), 'kim', {
      round: 1,
      countedFor: ['change-managers'],
    }),
    ev(2, 'approved', z('03-24T13:30'), 'kim'),
    ev(2, 'started', z('03-25T08:00'), 'priya'),
    ev(2, 'failed', z('03-25T09:00'), 'priya'),
  ],
);
// CHG-3: normal, website, needs two web owners: dev approves after 60 min, ana rejects after 120.
const chg3 = history(
  {
    id: 3,
    type: 'normal',
    services: ['website'],
    state: 'rejected',
    round: 1,
    requester: 'lee',
    requirements: [{ group: 'web-owners', count: 2, service: 'website' }],
  },
  [
    ev(3, 'created', z('03-25T10:00'), 'lee'),
    ev(3, 'submitted', z('03-25T10:00'), 'lee', { round: 1 }),
    ev(3, 'approval-granted', z('03-25T11:00'), 'dev', { round: 1, countedFor: ['web-owners'] }),
    ev(3, 'approval-rejected', z('03-25T12:00'), 'ana', { round: 1 }),
    ev(3, 'rejected', z('03-25T12:00'), 'ana'),
  ],
);
// CHG-4: an emergency at night, after the clocks went forward: started early after the on-call lead (20 min),
// security at 60 min, the CTO's approval (120 min) meets the last requirement; verified 32 h after it was raised.
const chg4 = history(
  {
    id: 4,
    type: 'emergency',
    state: 'verified',
    round: 1,
    requirements: [
      { group: 'on-call-leads', count: 1 },
      { group: 'security', count: 1 },
      { group: 'cto', count: 1 },
    ],
    review: { due: z('04-01T03:30'), doneAt: z('03-31T09:00'), by: 'priya', answers: {} },
  },
  [
    ev(4, 'created', z('03-30T02:00'), 'priya'),
    ev(4, 'submitted', z('03-30T02:10'), 'priya', { round: 1 }),
    ev(4, 'approval-granted', z('03-30T02:30'), 'lee', { round: 1, countedFor: ['on-call-leads'] }),
    ev(4, 'started', z('03-30T02:40'), 'priya'),
    ev(4, 'approval-granted', z('03-30T03:10'), 'tom', { round: 1, countedFor: ['security'] }),
    ev(4, 'completed', z('03-30T03:30'), 'priya'),
    ev(4, 'approval-granted', z('03-30T04:10'), 'sam', {
      round: 1,
      countedFor: ['cto'],
      requirementsMet: true,
    }),
    ev(4, 'reviewed', z('03-31T09:00'), 'priya'),
    ev(4, 'verified', z('03-31T10:00'), 'priya'),
  ],
);
// CHG-5: a draft, never submitted.
const chg5 = history({ id: 5, services: ['website'], state: 'draft' }, [
  ev(5, 'created', z('03-26T10:00'), 'ana'),
]);

const FROM = z('03-23T00:00');
const TO = z('04-06T00:00');
const figures = computeInsights({
  histories: [chg1, chg2, chg3, chg4, chg5],
  from: FROM,
  to: TO,
  now: z('04-02T00:00'),
  membersOf,
  isEmergency,
});

const stats = (f: DurationFigure) => ({ ids: f.ids, p50: f.p50, p90: f.p90, mean: f.mean });

describe('insights figures', () => {
  it('counts per state and type', () => {
    expect(figures.total.ids).toEqual([1, 2, 3, 4, 5]);
    expect(figures.byState.map((s) => [s.state, s.ids])).toEqual([
      ['draft', [5]],
      ['completed', [1]],
      ['verified', [4]],
      ['rejected', [3]],
      ['failed', [2]],
    ]);
    expect(figures.byType.map((t) => [t.type, t.ids])).toEqual([
      ['emergency', [4]],
      ['normal', [1, 2, 3, 5]],
    ]);
  });

  it('measures time to decision by nearest rank, overall and per type and service', () => {
    // Submitted → approved or rejected: 60, 240, 120, 120 min; sorted 60 120 120 240:
    // p50 is the 2nd (⌈0.5·4⌉), p90 the 4th (⌈0.9·4⌉); mean 540 / 4.
    expect(stats(figures.timeToDecision.overall)).toEqual({
      ids: [1, 2, 3, 4],
      p50: 120,
      p90: 240,
      mean: 135,
    });
    expect(figures.timeToDecision.byType.map((t) => [t.type, t.p50, t.p90])).toEqual([
      ['emergency', 120, 120],
      ['normal', 120, 240], // 60 120 240
    ]);
    expect(figures.timeToDecision.byService.map((s) => [s.service, s.ids, s.p50, s.p90])).toEqual([
      ['payments', [1, 2, 4], 120, 240],
      ['website', [3], 120, 120],
    ]);
  });

  it("measures each approver group from the request to that group's decision, and its first response", () => {
    expect(figures.timeToDecision.byGroup.map((g) => [g.group, g.ids, g.minutes])).toEqual([
      ['change-managers', [2], [240]],
      ['cto', [4], [120]],
      ['on-call-leads', [4], [20]],
      ['payments-owners', [1, 2], [60, 60]],
      ['security', [4], [60]],
      ['web-owners', [3], [120]], // ana's rejection decides for the group
    ]);
    // web-owners first answered after 60 min (dev's approval, one of the two it needed).
    expect(figures.firstResponseByGroup.find((g) => g.group === 'web-owners')?.minutes).toEqual([
      60,
    ]);
  });

  it('gives approval, rejection and change failure rates', () => {
    expect(figures.approvalRate).toMatchObject({ numerator: [1, 2, 4], denominator: [1, 2, 3, 4] });
    expect(figures.approvalRate.rate).toBe(0.75);
    expect(figures.rejectionRate.numerator).toEqual([3]);
    expect(figures.rejectionRate.rate).toBe(0.25);
    // failed ÷ (completed + failed): CHG-2 of CHG-1, 2 and 4.
    expect(figures.changeFailureRate).toMatchObject({ numerator: [2], denominator: [1, 2, 4] });
    expect(figures.changeFailureRate.rate).toBeCloseTo(1 / 3);
  });

  it('measures emergency lead time from created to verified', () => {
    // 30 Mar 02:00 → 31 Mar 10:00 = 32 h.
    expect(stats(figures.emergencyLeadTime)).toEqual({
      ids: [4],
      p50: 1920,
      p90: 1920,
      mean: 1920,
    });
  });

  it('gives deployment frequency and DORA lead time', () => {
    expect(figures.deployments.ids).toEqual([1, 2, 4]);
    expect(figures.deployments.perWeek).toBe(1.5); // 3 over two weeks
    // CHG-1: PR approved (drafted from GitHub) 08:00 → completed 12:00 = 240; CHG-4 02:00 → 03:30 = 90.
    expect(stats(figures.deployments.leadTime)).toEqual({
      ids: [1, 4],
      p50: 90,
      p90: 240,
      mean: 165,
    });
  });

  it('counts reviews done and overdue, and meetings against async decisions', () => {
    expect(figures.reviews.done.ids).toEqual([4]);
    expect(figures.reviews.overdue.ids).toEqual([2]);
    expect(figures.reviews.owed.ids).toEqual([2]);
    expect(figures.meetings.sittingsHeld).toBe(1);
    expect(figures.meetings.discussed.ids).toEqual([2]);
    expect(figures.meetings.decidedInMeeting.ids).toEqual([2]);
    expect(figures.meetings.decidedAsync.ids).toEqual([1, 3, 4]);
  });

  it('gives a weekly series, weeks from Monday 00:00 UTC', () => {
    expect(
      figures.weekly.map((w) => ({
        weekStart: w.weekStart,
        created: w.created,
        submitted: w.submitted,
        approved: w.approved,
        rejected: w.rejected,
        completed: w.completed,
        failed: w.failed,
        p50: w.timeToDecision.p50,
      })),
    ).toEqual([
      {
        weekStart: z('03-23T00:00'),
        created: 4,
        submitted: 3,
        approved: 2,
        rejected: 1,
        completed: 1,
        failed: 1,
        p50: 120,
      },
      {
        weekStart: z('03-30T00:00'),
        created: 1,
        submitted: 1,
        approved: 1,
        rejected: 0,
        completed: 1,
        failed: 0,
        p50: 120,
      },
    ]);
  });
});

describe('meeting counterfactual', () => {
  const schedule = parseCadence('FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London');
  if (typeof schedule === 'string') throw new Error(schedule);
  const cf = meetingCounterfactual({
    changes: [chg1, chg2, chg3, chg4, chg5].map((h) => h.change),
    timelines: figures.timelines,
    schedule,
    agendaLeadTimeMs: 24 * 3_600_000,
    isEmergency,
    from: FROM,
    to: TO,
  });

  it('replays a weekly CAB across the clocks going forward', () => {
    // Sittings: Tue 24 Mar 10:00 GMT = 10:00Z; Tue 31 Mar 10:00 BST = 09:00Z.
    expect(
      cf.items.map((i) => [i.id, i.cabAt, i.missedAgenda, i.savedMinutes, i.emergency]),
    ).toEqual([
      // Submitted 23 Mar 09:00, on the agenda a day before 24 Mar's sitting; decided 24 h before it.
      [1, z('03-24T10:00'), false, 1440, false],
      // Submitted 24 Mar 09:30, half an hour before a sitting: too late for its agenda, waits for
      // 31 Mar 09:00Z; decided 24 Mar 13:30: 7 days − 1 h (BST) − 4 h 30 = 163 h 30 = 9810 min.
      [2, z('03-31T09:00'), true, 9810, false],
      // Rejected 25 Mar 12:00; the CAB would have sat 31 Mar 09:00Z: 6 days − 3 h = 8460 min.
      [3, z('03-31T09:00'), false, 8460, false],
      // Decided 30 Mar 04:10; next sitting 31 Mar 09:00Z: 28 h 50 = 1730 min.
      [4, z('03-31T09:00'), false, 1730, true],
    ]);
    expect(cf.totalSavedMinutes).toBe(1440 + 9810 + 8460 + 1730);
    expect(cf.medianSavedMinutes).toBe(1730); // 1440 1730 8460 9810: the 2nd
    expect(cf.faster).toBe(4);
    expect(cf.sittings).toBe(2); // 24 and 31 March
    expect(cf.ecab).toEqual([4]); // the emergency could not have waited for the CAB
  });
});

describe('promotion candidates', () => {
  let id = 100;
  function decided(risk: string, outcome: 'approved' | 'rejected', failed = false): ChangeHistory {
    const n = ++id;
    const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h) + n * 3_600_000).toISOString();
    const events = [
      ev(n, 'created', at(0), 'priya'),
      ev(n, 'submitted', at(1), 'priya', { round: 1 }),
      ev(n, outcome, at(2), 'lee'),
      ...(outcome === 'approved' ? [ev(n, failed ? 'failed' : 'completed', at(3), 'priya')] : []),
    ];
    return history(
      {
        id: n,
        title: `Rotate payment keys ${risk}`,
        state: outcome === 'rejected' ? 'rejected' : failed ? 'failed' : 'completed',
        answers: { risk, tested: true, rollbackPlan: 'Restore the old key' },
      },
      events,
    );
  }
  const histories = [
    decided('low', 'approved'),
    decided('low', 'approved'),
    decided('low', 'approved'),
    decided('high', 'approved'),
    decided('high', 'rejected'), // the one rejection that keeps its class out
    decided('high', 'approved'),
  ];
  const timelines = computeInsights({
    histories,
    from: z('03-01T00:00'),
    to: z('04-01T00:00'),
    now: z('04-01T00:00'),
    membersOf,
    isEmergency,
  }).timelines;

  it('offers a class that was always approved, not the one with a rejection', () => {
    const result = promotionCandidates({
      changes: histories.map((h) => h.change),
      timelines,
      policy,
      minChanges: 3,
      today: '2026-04-01',
    });
    // `risk` drives a requirement of a normal change (change-managers when high) and a meeting.
    expect(result.candidates).toHaveLength(1);
    const [candidate] = result.candidates;
    expect(candidate).toMatchObject({
      type: 'normal',
      services: ['payments'],
      answers: { risk: 'low' },
      ids: [101, 102, 103],
    });
    expect(candidate!.entry).toEqual({
      id: 'normal-payments-low',
      title: 'Rotate payment keys low',
      services: ['payments'],
      answers: { risk: 'low', tested: true, rollbackPlan: 'Restore the old key' },
      locked: ['risk'],
      requesters: ['payments-owners'], // priya's groups
      approvedBy: null,
      approvedOn: '2026-04-01',
    });
    expect(result.nearMisses).toHaveLength(1);
    expect(result.nearMisses[0]).toMatchObject({
      answers: { risk: 'high' },
      ids: [104, 105, 106],
      rejected: [105],
      reason: '1 rejected (CHG-105)',
    });
  });

  it('leaves out classes with fewer changes than asked, and keeps a failure out', () => {
    const fewer = promotionCandidates({
      changes: histories.map((h) => h.change),
      timelines,
      policy,
      minChanges: 4,
      today: '2026-04-01',
    });
    expect(fewer.candidates).toEqual([]);
    const failing = [decided('low', 'approved'), decided('low', 'approved', true)];
    const withFailure = promotionCandidates({
      changes: failing.map((h) => h.change),
      timelines: computeInsights({
        histories: failing,
        from: z('03-01T00:00'),
        to: z('04-01T00:00'),
        now: z('04-01T00:00'),
        membersOf,
        isEmergency,
      }).timelines,
      policy,
      minChanges: 2,
      today: '2026-04-01',
    });
    expect(withFailure.candidates).toEqual([]);
    expect(withFailure.nearMisses[0]?.reason).toMatch(/^1 failed/);
  });
});

describe('a change decided more than once', () => {
  // CHG-201: approved, then edited (round 2: the approval withdrawn), then rejected.
  const reworked = history(
    {
      id: 201,
      state: 'rejected',
      round: 2,
      requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
      answers: { risk: 'low' },
    },
    [
      ev(201, 'created', z('03-23T08:00'), 'priya'),
      ev(201, 'submitted', z('03-23T09:00'), 'priya', {
        round: 1,
        requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
      }),
      ev(201, 'approval-granted', z('03-23T10:00'), 'lee', {
        round: 1,
        countedFor: ['payments-owners'],
        requirementsMet: true,
      }),
      ev(201, 'approved', z('03-23T10:00'), 'lee'),
      ev(201, 'edited', z('03-23T11:00'), 'priya', {
        round: 2,
        requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
      }),
      ev(201, 'approvals-withdrawn', z('03-23T11:00'), 'priya', { withdrawn: ['lee'] }),
      ev(201, 'approval-rejected', z('03-23T12:00'), 'lee', { round: 2, comment: 'no' }),
      ev(201, 'rejected', z('03-23T12:00'), 'lee'),
    ],
  );
  const approvedLow = (n: number) =>
    history(
      {
        id: n,
        state: 'completed',
        round: 1,
        requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
        answers: { risk: 'low' },
      },
      [
        ev(n, 'created', z('03-24T08:00'), 'priya'),
        ev(n, 'submitted', z('03-24T09:00'), 'priya', { round: 1 }),
        ev(n, 'approved', z('03-24T10:00'), 'lee'),
        ev(n, 'completed', z('03-24T11:00'), 'priya'),
      ],
    );
  const histories = [reworked, approvedLow(202), approvedLow(203)];
  const result = computeInsights({
    histories,
    from: FROM,
    to: TO,
    now: z('04-02T00:00'),
    membersOf,
    isEmergency,
  });

  it('measures time to its first decision, but rates it by its final one', () => {
    const tl = result.timelines.get(201)!;
    expect([tl.outcome, tl.decidedAt, tl.finalOutcome, tl.everRejected]).toEqual([
      'approved',
      z('03-23T10:00'),
      'rejected',
      true,
    ]);
    expect(result.timeToDecision.overall.ids).toEqual([201, 202, 203]);
    expect(result.timeToDecision.overall.minutes).toEqual([60, 60, 60]);
    expect(result.approvalRate).toMatchObject({
      numerator: [202, 203],
      denominator: [201, 202, 203],
    });
    // The rejection link (states=rejected) lists CHG-201: the figure has it too.
    expect(result.rejectionRate).toMatchObject({ numerator: [201], states: ['rejected'] });
  });

  it('keeps its class out of the promotion candidates', () => {
    const promoted = promotionCandidates({
      changes: histories.map((h) => h.change),
      timelines: result.timelines,
      policy,
      minChanges: 3,
      today: '2026-04-01',
    });
    expect(promoted.candidates).toEqual([]);
    expect(promoted.nearMisses[0]).toMatchObject({
      ids: [201, 202, 203],
      approved: [202, 203],
      rejected: [201],
      reason: '1 rejected (CHG-201)',
    });
  });

  it('keeps out a class an approver rejected after its change started', () => {
    const started = history(
      { id: 204, type: 'emergency', state: 'completed', round: 1, answers: { risk: 'low' } },
      [
        ev(204, 'created', z('03-25T08:00'), 'priya'),
        ev(204, 'submitted', z('03-25T08:00'), 'priya', {
          round: 1,
          requirements: [{ group: 'cto', count: 1 }],
        }),
        ev(204, 'started', z('03-25T08:10'), 'priya'),
        ev(204, 'approval-rejected', z('03-25T08:20'), 'sam', {
          round: 1,
          comment: 'no',
          afterStart: true,
        }),
        ev(204, 'approval-granted', z('03-25T08:30'), 'tom', { round: 1, requirementsMet: true }),
      ],
    );
    const tl = computeInsights({
      histories: [started],
      from: FROM,
      to: TO,
      now: z('04-02T00:00'),
      membersOf,
      isEmergency,
    }).timelines;
    expect(tl.get(204)).toMatchObject({ finalOutcome: 'approved', everRejected: true });
    const promoted = promotionCandidates({
      changes: [started.change],
      timelines: tl,
      policy,
      minChanges: 1,
      today: '2026-04-01',
    });
    expect(promoted.candidates).toEqual([]);
    expect(promoted.nearMisses[0]).toMatchObject({ rejected: [204] });
  });
});

describe('changes that needed no approval', () => {
  // CHG-301: a standard change raised from the catalog; CHG-302: a type with no requirements.
  // Both were approved the instant they were submitted: nobody waited for them.
  const fromTemplate = history(
    {
      id: 301,
      type: 'standard',
      state: 'completed',
      round: 1,
      template: { id: 'rotate-keys', version: '1' },
    },
    [
      ev(301, 'created', z('03-24T08:00'), 'priya'),
      ev(301, 'submitted', z('03-24T09:00'), 'priya', { round: 1, requirements: [] }),
      ev(301, 'approved', z('03-24T09:00'), 'priya'),
      ev(301, 'completed', z('03-24T10:00'), 'priya'),
    ],
  );
  const noRequirements = history({ id: 302, type: 'standard', state: 'approved', round: 1 }, [
    ev(302, 'created', z('03-25T08:00'), 'priya'),
    ev(302, 'submitted', z('03-25T09:00'), 'priya', { round: 1, requirements: [] }),
    ev(302, 'approved', z('03-25T09:00'), 'priya'),
  ]);
  const all = [chg1, chg2, chg3, chg4, chg5, fromTemplate, noRequirements];
  const result = computeInsights({
    histories: all,
    from: FROM,
    to: TO,
    now: z('04-02T00:00'),
    membersOf,
    isEmergency,
  });

  it('counts them apart, out of time to decision and the rates', () => {
    expect(result.preApproved.ids).toEqual([301, 302]);
    // As without them (see "insights figures").
    expect(stats(result.timeToDecision.overall)).toEqual({
      ids: [1, 2, 3, 4],
      p50: 120,
      p90: 240,
      mean: 135,
    });
    expect(result.approvalRate).toMatchObject({ numerator: [1, 2, 4], denominator: [1, 2, 3, 4] });
    expect(result.rejectionRate.rate).toBe(0.25);
    expect(result.weekly[0]!.timeToDecision.ids).toEqual([1, 2, 3]);
    expect(result.meetings.decidedAsync.ids).toEqual([1, 3, 4]);
  });

  it('leaves them out of the meeting counterfactual', () => {
    const schedule = parseCadence('FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London');
    if (typeof schedule === 'string') throw new Error(schedule);
    const cf = meetingCounterfactual({
      changes: all.map((h) => h.change),
      timelines: result.timelines,
      schedule,
      agendaLeadTimeMs: 24 * 3_600_000,
      isEmergency,
      from: FROM,
      to: TO,
    });
    expect(cf.items.map((i) => i.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('meeting counterfactual at scale', () => {
  /** The schedule, counting how often it is asked. */
  function counted(text: string) {
    const schedule = parseCadence(text);
    if (typeof schedule === 'string') throw new Error(schedule);
    const calls = { next: 0, between: 0 };
    return {
      calls,
      schedule: {
        ...schedule,
        next: (after: Date, count: number) => {
          calls.next++;
          return schedule.next(after, count);
        },
        between: (from: Date, to: Date) => {
          calls.between++;
          return schedule.between(from, to);
        },
      },
    };
  }
  // 2,000 changes over 90 days, each decided two hours after it was submitted.
  const from = '2026-01-01T00:00:00.000Z';
  const to = '2026-04-01T00:00:00.000Z';
  const many = Array.from({ length: 2000 }, (_, i) => {
    const id = 1000 + i;
    const at = (h: number) =>
      new Date(Date.parse(from) + i * 3_888_000 + h * 3_600_000).toISOString();
    return history(
      {
        id,
        state: 'approved',
        round: 1,
        requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
      },
      [
        ev(id, 'created', at(0), 'priya'),
        ev(id, 'submitted', at(1), 'priya', { round: 1 }),
        ev(id, 'approved', at(3), 'lee'),
      ],
    );
  });
  const timelines = computeInsights({
    histories: many,
    from,
    to,
    now: to,
    membersOf,
    isEmergency,
  }).timelines;
  const run = (schedule: ReturnType<typeof counted>['schedule']) =>
    meetingCounterfactual({
      changes: many.map((h) => h.change),
      timelines,
      schedule,
      agendaLeadTimeMs: 24 * 3_600_000,
      isEmergency,
      from,
      to,
    });

  it('walks the cadence once for the whole period, with the answers of asking it per change', () => {
    const { schedule, calls } = counted('FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London');
    const cf = run(schedule);
    expect(calls).toEqual({ next: 0, between: 1 });
    expect(cf.items).toHaveLength(2000);
    expect(cf.sittings).toBe(13); // the Tuesdays from 6 Jan to 31 Mar
    // Each as the first sitting at or after its agenda deadline, asked one by one.
    for (const item of cf.items.filter((_, i) => i % 97 === 0)) {
      const deadline = new Date(Date.parse(item.submittedAt) + 24 * 3_600_000);
      const first = schedule.next(deadline, 3).find((o) => o.start >= deadline)!;
      expect(item.cabAt).toBe(first.start.toISOString());
    }
  });

  it('asks a cadence that never sits once, over a bounded horizon', () => {
    const { schedule, calls } = counted('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30@10:00 UTC');
    const cf = run(schedule);
    expect(calls).toEqual({ next: 0, between: 1 });
    expect(cf.items).toEqual([]);
    expect(cf.sittings).toBe(0);
  });
});
