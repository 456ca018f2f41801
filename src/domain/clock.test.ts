import { describe, expect, it } from 'vitest';
import { aChange } from './change.fixture.js';
import { changeClock } from './clock.js';
import type { AuditEvent, EventType } from './events.js';

const MINUTE = 60_000;
let nextId = 1;

/** One event at 10:`minute`, as the store keeps it. */
function event(
  type: EventType,
  actor: string,
  minute: number,
  data: Record<string, unknown> = {},
): AuditEvent {
  return {
    id: nextId++,
    changeId: 42,
    type,
    actor,
    at: at(minute),
    data,
    policyHash: 'p1',
    prevHash: '',
    hash: '',
  };
}

function at(minute: number): string {
  return new Date(Date.parse('2026-11-02T10:00:00.000Z') + minute * MINUTE).toISOString();
}

const created = { createdAt: at(0), submittedAt: at(1), requestedAt: at(1) };

describe('changeClock', () => {
  it("tells the seed's emergency story: three roles approved, verified within 27 minutes", () => {
    const change = aChange({ type: 'emergency', state: 'verified', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1, requirements: [] }),
      event('approval-granted', 'lee', 5, { round: 1, countedFor: ['on-call-leads'] }),
      event('started', 'priya', 6),
      event('approval-granted', 'tom', 10, { round: 1, countedFor: ['security'] }),
      event('approval-granted', 'kim', 13, {
        round: 1,
        onBehalfOf: 'sam',
        countedFor: ['cto'],
      }),
      event('approved', 'kim', 13),
      event('completed', 'priya', 20),
      event('verified', 'lee', 27),
    ]);
    expect(clock).toEqual({
      createdAt: at(0),
      submittedAt: at(1),
      requestedAt: at(1),
      approvedAt: at(13),
      startedAt: at(6),
      completedAt: at(20),
      verifiedAt: at(27),
      endedAt: at(27),
      endState: 'verified',
      totalMs: 27 * MINUTE,
      submittedToEndMs: 26 * MINUTE,
      approvals: [
        { group: 'on-call-leads', person: 'lee', at: at(5), afterRequestMs: 4 * MINUTE },
        { group: 'security', person: 'tom', at: at(10), afterRequestMs: 9 * MINUTE },
        { group: 'cto', person: 'sam', at: at(13), afterRequestMs: 12 * MINUTE },
      ],
      approvedAfterMs: 12 * MINUTE,
      startedAfterRequestMs: 5 * MINUTE,
    });
  });

  it('after an early start, counts as approved when the approval that met the last requirement came', () => {
    // The change never passes through `approved`: the last approval says it met every requirement.
    const change = aChange({ type: 'emergency', state: 'verified', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1, requirements: [] }),
      event('approval-granted', 'lee', 5, { round: 1, countedFor: ['on-call-leads'] }),
      event('started', 'priya', 6, { from: 'pending' }),
      event('approval-granted', 'tom', 10, { round: 1, countedFor: ['security'] }),
      event('completed', 'priya', 12, { from: 'in_progress' }),
      event('approval-granted', 'sam', 19, {
        round: 1,
        countedFor: ['cto'],
        requirementsMet: true,
      }),
      event('verified', 'lee', 27, { from: 'completed' }),
    ]);
    expect(clock).toMatchObject({
      approvedAt: at(19),
      approvedAfterMs: 18 * MINUTE,
      startedAt: at(6),
      startedAfterRequestMs: 5 * MINUTE,
      completedAt: at(12),
      verifiedAt: at(27),
      totalMs: 27 * MINUTE,
    });
    expect(clock.approvals.map((a) => a.group)).toEqual(['on-call-leads', 'security', 'cto']);
  });

  it('after an early start with approvals still open, is not approved yet', () => {
    const change = aChange({ type: 'emergency', state: 'in_progress', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1, requirements: [] }),
      event('approval-granted', 'lee', 5, { round: 1, countedFor: ['on-call-leads'] }),
      event('started', 'priya', 6, { from: 'pending' }),
      event('approval-rejected', 'tom', 8, { round: 1, comment: 'no', afterStart: true }),
    ]);
    expect(clock).toMatchObject({
      approvedAt: null,
      approvedAfterMs: null,
      startedAfterRequestMs: 5 * MINUTE,
      endState: null,
    });
  });

  it('keeps running for a change still pending: no end, and only the approvals given', () => {
    const change = aChange({ state: 'pending', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1 }),
      event('approval-granted', 'lee', 3, { round: 1, countedFor: [] }),
    ]);
    expect(clock).toMatchObject({
      approvedAt: null,
      startedAt: null,
      endedAt: null,
      endState: null,
      totalMs: null,
      submittedToEndMs: null,
      approvedAfterMs: null,
      startedAfterRequestMs: null,
      approvals: [{ group: null, person: 'lee', at: at(3), afterRequestMs: 2 * MINUTE }],
    });
  });

  it('ends at a rejection', () => {
    const change = aChange({ state: 'rejected', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1 }),
      event('approval-granted', 'lee', 2, { round: 1, countedFor: ['payments-owners'] }),
      event('approval-rejected', 'tom', 8, { round: 1, comment: 'No' }),
      event('rejected', 'tom', 8, { comment: 'No' }),
    ]);
    expect(clock).toMatchObject({
      endedAt: at(8),
      endState: 'rejected',
      verifiedAt: null,
      totalMs: 8 * MINUTE,
      submittedToEndMs: 7 * MINUTE,
      approvedAfterMs: null,
      approvals: [{ group: 'payments-owners', person: 'lee', afterRequestMs: MINUTE }],
    });
  });

  it('counts only the last round: an edit asks again and restarts the approvals', () => {
    const change = aChange({ state: 'approved', round: 2, ...created, requestedAt: at(10) });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1 }),
      event('approval-granted', 'lee', 4, { round: 1, countedFor: ['payments-owners'] }),
      event('approved', 'lee', 4),
      event('edited', 'priya', 10, { round: 2, requirements: [] }),
      event('approvals-withdrawn', 'priya', 10, { withdrawn: ['lee'] }),
      event('approval-granted', 'lee', 16, { round: 2, countedFor: ['payments-owners'] }),
      event('approved', 'lee', 16),
    ]);
    expect(clock).toMatchObject({
      submittedAt: at(1),
      requestedAt: at(10),
      approvedAt: at(16),
      approvedAfterMs: 6 * MINUTE,
      approvals: [
        { group: 'payments-owners', person: 'lee', at: at(16), afterRequestMs: 6 * MINUTE },
      ],
      totalMs: null,
    });
  });

  it('has no approvals or submission for a draft, and a withdrawn draft ends', () => {
    const draft = aChange();
    expect(changeClock(draft, [event('created', 'priya', 0)])).toMatchObject({
      submittedAt: null,
      requestedAt: null,
      approvals: [],
      totalMs: null,
    });
    const withdrawn = changeClock({ ...draft, state: 'withdrawn' }, [
      event('created', 'priya', 0),
      event('withdrawn', 'priya', 30, { from: 'draft' }),
    ]);
    expect(withdrawn).toMatchObject({
      endState: 'withdrawn',
      totalMs: 30 * MINUTE,
      submittedToEndMs: null,
    });
  });

  it('says a failed change failed, even after it was completed', () => {
    const change = aChange({ state: 'failed', round: 1, ...created });
    const clock = changeClock(change, [
      event('created', 'priya', 0),
      event('submitted', 'priya', 1, { round: 1 }),
      event('approved', 'priya', 1),
      event('started', 'priya', 2),
      event('completed', 'priya', 3),
      event('failed', 'priya', 9, { from: 'completed' }),
    ]);
    expect(clock).toMatchObject({
      approvedAfterMs: 0,
      completedAt: at(3),
      endState: 'failed',
      endedAt: at(9),
      totalMs: 9 * MINUTE,
    });
  });
});
