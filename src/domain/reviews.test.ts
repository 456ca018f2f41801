import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/load.js';
import type { Change, Decision } from './change.js';
import { aChange } from './change.fixture.js';
import { AppError } from './errors.js';
import { canPerform } from './lifecycle.js';
import {
  assertReviewed,
  fileReview,
  reviewAfter,
  reviewAfterLateRejection,
  reviewAllowances,
  reviewPolicyFor,
} from './reviews.js';

/** PRODUCT.md, "Post-implementation review", against the example policy (emergencies have `review: within 2d`). */
const source = readFileSync(new URL('../../examples/changeboard.yaml', import.meta.url), 'utf8');
const ENV = {
  TEAMS_WEBHOOK_URL: 'https://example.invalid/hook',
  SLACK_WEBHOOK_URL: 'https://example.invalid/s',
};
const loaded = parsePolicy(source, ENV);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const policy = loaded.policy;

const NOW = '2026-11-02T10:00:00.000Z';
const DAY = 86_400_000;
const emergencyReview = policy.changeTypes.get('emergency')!.review!;

function rejection(change: Change): Decision {
  return {
    changeId: change.id,
    round: change.round,
    person: 'tom',
    verdict: 'reject',
    comment: 'no',
    at: NOW,
  };
}

function expectError(run: () => unknown, code: string): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    return error as AppError;
  }
  throw new Error(`expected ${code}`);
}

describe('when a review is due', () => {
  it('counts whole days on the requester’s calendar across the clocks going back', () => {
    // London leaves summer time on Sun 25 Oct 2026: Fri 16:00 + 2d is Sun 16:00 GMT, 49 hours on.
    const due = emergencyReview.within.dueAfter('2026-10-23T15:00:00.000Z', 'Europe/London');
    expect(due).toBe('2026-10-25T16:00:00.000Z');
  });

  it('and across the clocks going forward', () => {
    // Summer time starts Sun 28 Mar 2027: Sat 09:00 GMT + 2d is Mon 09:00 BST, 47 hours on.
    const due = emergencyReview.within.dueAfter('2027-03-27T09:00:00.000Z', 'Europe/London');
    expect(due).toBe('2027-03-29T08:00:00.000Z');
  });

  it('adds hours exactly', () => {
    const loaded36h = parsePolicy(source.replace('within: 2d', 'within: 1d12h'), ENV);
    if (!loaded36h.ok) throw new Error('the variant must load');
    const within = loaded36h.policy.changeTypes.get('emergency')!.review!.within;
    expect(within).toMatchObject({ text: '1d12h', days: 1, ms: 12 * 3_600_000 });
    expect(within.dueAfter(NOW, 'Asia/Kolkata')).toBe('2026-11-03T22:00:00.000Z');
  });

  it('is the emergency type’s 2d in the requester’s zone, and the default for a failed normal change', () => {
    expect(reviewPolicyFor(policy, { type: 'emergency' }).within.text).toBe('2d');
    expect(reviewPolicyFor(policy, { type: 'normal' }).fields[0]!.id).toBe('whatHappened');
  });
});

describe('which changes owe a review', () => {
  const inProgress = (type: string) =>
    aChange({ type, state: 'in_progress', round: 1, requester: 'priya' });

  it('every emergency once completed; a normal change only when it fails', () => {
    expect(reviewAfter(policy, inProgress('emergency'), 'complete', [], NOW)).toEqual({
      due: new Date(Date.parse(NOW) + 2 * DAY).toISOString(),
      doneAt: null,
      by: null,
      answers: null,
    });
    expect(reviewAfter(policy, inProgress('normal'), 'complete', [], NOW)).toBeUndefined();
    expect(reviewAfter(policy, inProgress('normal'), 'fail', [], NOW)).toMatchObject({
      doneAt: null,
    });
  });

  it('a change of any type rejected after it started', () => {
    const change = inProgress('normal');
    expect(reviewAfter(policy, change, 'complete', [rejection(change)], NOW)).toBeDefined();
    // A rejection of an earlier round (before an edit) is not this change's.
    expect(
      reviewAfter(policy, change, 'complete', [{ ...rejection(change), round: 0 }], NOW),
    ).toBeUndefined();
  });

  it('a rejection after completion makes it owed from then, once', () => {
    const completed = aChange({ type: 'normal', state: 'completed', round: 1 });
    const owed = reviewAfterLateRejection(policy, completed, NOW);
    expect(owed?.due).toBe(new Date(Date.parse(NOW) + 2 * DAY).toISOString());
    const later = new Date(Date.parse(NOW) + DAY).toISOString();
    expect(reviewAfterLateRejection(policy, { ...completed, review: owed }, later)).toBe(owed);
    expect(reviewAfterLateRejection(policy, inProgress('normal'), NOW)).toBeUndefined();
    // Filed before the rejection came: the rejection needs looking at, so another is owed.
    const filed = { ...owed!, doneAt: later, by: 'priya', answers: { whatHappened: 'x' } };
    const again = reviewAfterLateRejection(policy, { ...completed, review: filed }, later);
    expect(again).toMatchObject({
      doneAt: null,
      due: new Date(Date.parse(later) + 2 * DAY).toISOString(),
    });
  });

  it('keeps the due date of a review already owed; a failure after a filed review owes a new one', () => {
    const owed = { due: '2026-11-04T10:00:00.000Z', doneAt: null, by: null, answers: null };
    const completed = aChange({ type: 'emergency', state: 'completed', review: owed });
    expect(reviewAfter(policy, completed, 'fail', [], '2026-11-03T10:00:00.000Z')).toBe(owed);
    const filed = { ...owed, doneAt: '2026-11-03T09:00:00.000Z', by: 'priya', answers: {} };
    const rolledBack = reviewAfter(
      policy,
      { ...completed, review: filed },
      'fail',
      [],
      '2026-11-03T10:00:00.000Z',
    );
    expect(rolledBack).toMatchObject({ due: '2026-11-05T10:00:00.000Z', doneAt: null });
  });
});

describe('filing a review', () => {
  const owed = { due: '2026-11-04T10:00:00.000Z', doneAt: null, by: null, answers: null };
  const completed = aChange({ type: 'emergency', state: 'completed', review: owed });

  it('is allowed while owed, and verify waits for it', () => {
    expect(canPerform('completed', 'review', reviewAllowances(completed))).toBe(true);
    expect(canPerform('failed', 'review', reviewAllowances(completed))).toBe(true);
    expect(canPerform('completed', 'review', reviewAllowances(aChange()))).toBe(false);
    expectError(() => assertReviewed(completed), 'review_required');
  });

  it('checks its answers and records them with a reviewed event', () => {
    expect(
      expectError(
        () => fileReview(policy, completed, { actor: 'priya', answers: { risk: 'low' }, now: NOW }),
        'invalid_input',
      ).details,
    ).toEqual([{ path: 'answers.risk', message: expect.stringContaining('unknown field') }]);
    expectError(
      () => fileReview(policy, completed, { actor: 'priya', answers: {}, now: NOW }),
      'answers_incomplete',
    );
    const filed = fileReview(policy, completed, {
      actor: 'priya',
      answers: { whatHappened: 'Checkout timed out', followUps: ' ' },
      now: '2026-11-05T10:00:00.000Z',
    });
    expect(filed.change.review).toEqual({
      due: owed.due,
      doneAt: '2026-11-05T10:00:00.000Z',
      by: 'priya',
      answers: { whatHappened: 'Checkout timed out' },
    });
    expect(filed.events).toEqual([
      {
        changeId: completed.id,
        type: 'reviewed',
        actor: 'priya',
        data: { answers: { whatHappened: 'Checkout timed out' }, due: owed.due, late: true },
      },
    ]);
    expect(() => assertReviewed(filed.change)).not.toThrow();
    expect(canPerform('completed', 'review', reviewAllowances(filed.change))).toBe(false);
  });
});
