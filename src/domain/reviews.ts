import type { Answers, Change, ChangeReview, Decision } from './change.js';
import { subjectOf } from './change-content.js';
import { AppError, invalidInput, type Issue } from './errors.js';
import type { NewEvent } from './events.js';
import type { StateAllowances } from './lifecycle.js';
import { checkAnswers, isAnswered, isFieldRequired } from './fields.js';
import type { Policy, ReviewPolicy } from './policy.js';

/**
 * Post-implementation reviews (PRODUCT.md, "Post-implementation review"): a
 * change looks back on itself after it is over. Its type may ask for a review
 * of every change; a failed change owes one whatever its type, and so does a
 * change that an approver rejected after it had started early.
 */

/** The questions a change's review asks: its type's, else the default a failed change answers. */
export function reviewPolicyFor(policy: Policy, change: Pick<Change, 'type'>): ReviewPolicy {
  return policy.changeTypes.get(change.type)?.review ?? policy.failureReview;
}

/** Somebody rejected an approval of this round after the change started: only an early start allows that. */
export function rejectedAfterStart(change: Change, decisions: readonly Decision[]): boolean {
  return (
    (change.state === 'in_progress' || change.state === 'completed') &&
    decisions.some((d) => d.round === change.round && d.verdict === 'reject')
  );
}

/** Whether the change owes a review once it is completed (or failed). */
function owesReview(
  policy: Policy,
  change: Change,
  action: 'complete' | 'fail',
  decisions: readonly Decision[],
): boolean {
  return (
    action === 'fail' ||
    policy.changeTypes.get(change.type)?.review !== undefined ||
    rejectedAfterStart(change, decisions)
  );
}

function owed(policy: Policy, change: Change, now: string): ChangeReview {
  const { within } = reviewPolicyFor(policy, change);
  const zone = (change.requester && policy.people.get(change.requester)?.timezone) || 'UTC';
  return { due: within.dueAfter(now, zone), doneAt: null, by: null, answers: null };
}

/**
 * The review a change owes after it is completed or fails at `now`. A review
 * already owed keeps its due date; a failure after a review was filed (a
 * rollback of something thought complete) owes a new one.
 */
export function reviewAfter(
  policy: Policy,
  change: Change,
  action: 'complete' | 'fail',
  decisions: readonly Decision[],
  now: string,
): ChangeReview | undefined {
  if (change.review && (change.review.doneAt === null || action !== 'fail')) return change.review;
  return owesReview(policy, change, action, decisions) ? owed(policy, change, now) : undefined;
}

/**
 * A rejection that arrives after the change was completed makes a review owed
 * from then: a new one if the review was already filed, since the rejection is
 * something that review never looked at.
 */
export function reviewAfterLateRejection(
  policy: Policy,
  change: Change,
  now: string,
): ChangeReview | undefined {
  if (change.state !== 'completed' || isReviewPending(change)) return change.review;
  return owed(policy, change, now);
}

/** What a review owed allows a change (domain/lifecycle.ts): to be reviewed. */
export function reviewAllowances(change: Pick<Change, 'review'>): StateAllowances {
  return { reviewOwed: isReviewPending(change) };
}

/** Owed and not yet filed: what `verify` waits for and the board's `reviewDue` lists. */
export function isReviewPending(change: Pick<Change, 'review'>): boolean {
  return change.review !== undefined && change.review.doneAt === null;
}

/** 422 `review_required` while the change owes a review. */
export function assertReviewed(change: Change): void {
  if (!isReviewPending(change)) return;
  throw new AppError(
    'review_required',
    `CHG-${change.id} owes a post-implementation review (due ${change.review?.due}); file it before verifying`,
    [{ path: 'review', message: 'not filed yet' }],
  );
}

/** The review's answers, checked as a change's answers are: types first (400), then what is missing (422). */
export function checkReviewAnswers(
  policy: Policy,
  change: Change,
  answers: Readonly<Record<string, unknown>>,
): Answers {
  const { fields } = reviewPolicyFor(policy, change);
  const wrong = checkAnswers(fields, answers);
  if (wrong.length > 0) throw invalidInput(wrong);
  const given = answers as Answers;
  const subject = subjectOf(change);
  const missing: Issue[] = fields
    .filter((field) => isFieldRequired(field, subject) && !isAnswered(given[field.id]))
    .map((field) => ({ path: `answers.${field.id}`, message: 'needs an answer' }));
  if (missing.length > 0)
    throw new AppError(
      'answers_incomplete',
      `${missing.length} review question(s) unanswered`,
      missing,
    );
  return Object.fromEntries(Object.entries(given).filter(([, value]) => isAnswered(value)));
}

/** Files the review: the change records it, and a `reviewed` event carries the answers. */
export function fileReview(
  policy: Policy,
  change: Change,
  input: { actor: string; answers: Readonly<Record<string, unknown>>; now: string },
): { change: Change; events: NewEvent[] } {
  const review = change.review;
  if (!review || review.doneAt !== null)
    throw new AppError('invalid_state', `CHG-${change.id} owes no review now`);
  const answers = checkReviewAnswers(policy, change, input.answers);
  return {
    change: {
      ...change,
      review: { ...review, doneAt: input.now, by: input.actor, answers },
    },
    events: [
      {
        changeId: change.id,
        type: 'reviewed',
        actor: input.actor,
        data: { answers, due: review.due, late: input.now > review.due },
      },
    ],
  };
}
