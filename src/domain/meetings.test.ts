import { describe, expect, it } from 'vitest';
import { decide, requirementsForApproval, submitForApproval } from './approval.js';
import type { Change } from './change.js';
import { aChange } from './change.fixture.js';
import { AppError } from './errors.js';
import { attendeesFor, heldBy, meetingsFor, recordDiscussion, sittingFor } from './meetings.js';
import type { Meeting, Occurrence, Policy } from './policy.js';

const HOUR = 3_600_000;
const NOW = '2026-12-09T10:00:00.000Z'; // a Wednesday

/** Every Thursday 14:00 UTC for an hour: enough schedule for the domain's rules. */
const thursdays = {
  rrule: 'FREQ=WEEKLY;BYDAY=TH',
  at: '14:00',
  timezone: 'UTC',
  durationMs: HOUR,
  next(after: Date, count: number): Occurrence[] {
    const sittings: Occurrence[] = [];
    const start = new Date(Date.UTC(2026, 11, 3, 14)); // Thu 3 Dec 2026
    while (start.getTime() + HOUR <= after.getTime()) start.setUTCDate(start.getUTCDate() + 7);
    for (let i = 0; i < count; i++) {
      const at = new Date(start.getTime() + i * 7 * 24 * HOUR);
      sittings.push({ start: at, end: new Date(at.getTime() + HOUR) });
    }
    return sittings;
  },
  previous(before: Date, count: number): Occurrence[] {
    const start = new Date(Date.UTC(2026, 11, 3, 14));
    while (start.getTime() + 7 * 24 * HOUR <= before.getTime())
      start.setUTCDate(start.getUTCDate() + 7);
    if (start > before) return [];
    return Array.from({ length: count }, (_, i) => {
      const at = new Date(start.getTime() - i * 7 * 24 * HOUR);
      return { start: at, end: new Date(at.getTime() + HOUR) };
    });
  },
  between(from: Date, to: Date): Occurrence[] {
    return thursdays.next(from, 60).filter((sitting) => sitting.start <= to);
  },
};

const supplierCab: Meeting = {
  id: 'acme-hosting-cab',
  name: 'Acme Hosting CAB',
  when: { service: 'edge' },
  schedule: thursdays,
  attendees: ['hosting-supplier', 'kim'],
  agendaLeadTimeMs: 24 * HOUR,
  hold: true,
};
const riskReview: Meeting = {
  id: 'weekly-risk-review',
  name: 'Weekly risk review',
  when: { risk: 'high' },
  attendees: ['change-managers'],
  agendaLeadTimeMs: 24 * HOUR,
  hold: false,
};

const policy = {
  fields: [],
  people: new Map(['priya', 'lee', 'kim', 'olu'].map((id) => [id, { id, name: id }])),
  groups: new Map([
    ['edge-owners', ['lee']],
    ['change-managers', ['kim']],
    ['hosting-supplier', ['olu']],
  ]),
  services: new Map(),
  meetings: [supplierCab, riskReview],
  changeTypes: new Map([
    [
      'normal',
      {
        id: 'normal',
        label: 'Normal',
        distinctApprovers: false,
        approvals: [{ from: 'edge-owners', count: 1 }],
      },
    ],
    ['standard', { id: 'standard', label: 'Standard', distinctApprovers: false, approvals: [] }],
  ]),
} as unknown as Policy;

function submitted(overrides: Partial<Change> = {}): Change {
  const draft = aChange({ id: 7, services: ['edge'], ...overrides });
  return submitForApproval(policy, draft, requirementsForApproval(policy, draft), {
    actor: 'priya',
    now: NOW,
  }).change;
}

const outcome = (change: Change, input: Partial<Parameters<typeof recordDiscussion>[2]> = {}) =>
  recordDiscussion(policy, change, {
    actor: 'olu',
    meeting: 'acme-hosting-cab',
    outcome: 'approve',
    minutes: null,
    url: null,
    now: NOW,
    requirementsMet: true,
    ...input,
  });

describe('which meetings a change needs', () => {
  it('matches conditions, and lists who attends them', () => {
    const change = submitted({ answers: { risk: 'high' } });
    expect(change.meetings).toEqual(['Acme Hosting CAB', 'Weekly risk review']);
    expect(meetingsFor(policy, { type: 'normal', services: ['payments'], answers: {} })).toEqual(
      [],
    );
    expect([...attendeesFor(policy, change)].sort()).toEqual(['kim', 'olu']);
    expect(heldBy(policy, change).map((m) => m.name)).toEqual(['Acme Hosting CAB']);
  });
});

describe('hold', () => {
  it('keeps a change pending when every approval is in', () => {
    const change = submitted();
    const { change: after, events } = decide(policy, change, [], {
      actor: 'lee',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(after.state).toBe('pending');
    expect(events.map((e) => e.type)).toEqual(['approval-granted']);
  });

  it('keeps a pre-approved change pending until the meeting sits', () => {
    expect(submitted({ type: 'standard' }).state).toBe('pending');
    expect(submitted({ type: 'standard', services: ['payments'] }).state).toBe('approved');
  });

  it('is released by approve and by noted, which approve the change when its approvals are in', () => {
    for (const result of ['approve', 'noted'] as const) {
      const { change, events, discussion } = outcome(submitted(), { outcome: result });
      expect(change.state).toBe('approved');
      expect(change.meetings).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(['discussed', 'approved']);
      expect(discussion).toMatchObject({ meeting: 'Acme Hosting CAB', outcome: result });
    }
  });

  it('once released, leaves a change with approvals still open pending', () => {
    const { change, events } = outcome(submitted(), { requirementsMet: false });
    expect(change.state).toBe('pending');
    expect(change.meetings).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['discussed']);
    // ...and the last approval then approves it.
    const approved = decide(policy, change, [], {
      actor: 'lee',
      verdict: 'approve',
      comment: null,
      now: NOW,
    });
    expect(approved.change.state).toBe('approved');
  });
});

describe('outcomes', () => {
  it('reject rejects the change, with the minutes as its reason', () => {
    const { change, events } = outcome(submitted(), {
      outcome: 'reject',
      minutes: 'Clashes with our DC move',
    });
    expect(change.state).toBe('rejected');
    expect(events[1]).toMatchObject({
      type: 'rejected',
      data: { comment: 'Clashes with our DC move', meeting: 'Acme Hosting CAB' },
    });
  });

  it('reject without minutes is refused, naming the field', () => {
    expect(() => outcome(submitted(), { outcome: 'reject' })).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        details: [expect.objectContaining({ path: 'minutes' })],
      }),
    );
  });

  it('defer keeps the change on the agenda and its hold on', () => {
    const { change, events, discussion } = outcome(submitted(), { outcome: 'defer' });
    expect(change.state).toBe('pending');
    expect(change.meetings).toContain('Acme Hosting CAB');
    expect(events.map((e) => e.type)).toEqual(['discussed']);
    expect(discussion.occurrence).toBe('2026-12-10T14:00:00.000Z');
  });

  it('a meeting that only informs leaves the state alone', () => {
    const change = submitted({ answers: { risk: 'high' }, services: ['payments'] });
    const { change: after } = outcome(change, {
      actor: 'kim',
      meeting: 'Weekly risk review',
      outcome: 'noted',
    });
    expect(after.state).toBe('pending');
    expect(after.meetings).toEqual([]);
  });

  it('is refused from someone who does not attend, or for a meeting that does not have the change', () => {
    expect(() => outcome(submitted(), { actor: 'lee' })).toThrow(AppError);
    const done = outcome(submitted()).change;
    expect(() => outcome(done)).toThrow(/no meeting has CHG-7 on its agenda/);
    expect(() => outcome(submitted(), { meeting: 'Nope' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});

describe('the sitting an outcome belongs to', () => {
  it('is the one sitting or just over, else the next one', () => {
    const sitting = (at: string) => sittingFor(supplierCab, new Date(at))?.start.toISOString();
    // Between sittings: an outcome given ahead of the next one.
    expect(sitting('2026-12-07T10:00:00Z')).toBe('2026-12-10T14:00:00.000Z');
    expect(sitting('2026-12-09T10:00:00Z')).toBe('2026-12-10T14:00:00.000Z');
    // During the sitting, and written up until a day after it.
    expect(sitting('2026-12-10T14:30:00Z')).toBe('2026-12-10T14:00:00.000Z');
    expect(sitting('2026-12-11T14:59:00Z')).toBe('2026-12-10T14:00:00.000Z');
    expect(sitting('2026-12-11T15:01:00Z')).toBe('2026-12-17T14:00:00.000Z');
    expect(sittingFor(riskReview, new Date(NOW))).toBeUndefined();
  });
});
