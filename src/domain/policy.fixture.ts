import { FAILURE_REVIEW_FIELDS, type ReviewPolicy } from './policy.js';

/** A failed change's review for hand-made test policies: due two days on, counted exactly. */
export const FAILURE_REVIEW_FIXTURE: ReviewPolicy = {
  within: {
    text: '2d',
    days: 2,
    ms: 0,
    dueAfter: (from) => new Date(Date.parse(from) + 2 * 86_400_000).toISOString(),
  },
  fields: FAILURE_REVIEW_FIELDS,
};
