import type { ChangeState } from './change.js';
import { AppError } from './errors.js';

export const CHANGE_ACTIONS = [
  'edit',
  'submit',
  'approve',
  'reject',
  'withdraw',
  'start',
  'complete',
  'fail',
  'verify',
  'claim',
  'discuss',
  'review',
] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

const ALLOWED_FROM: Record<ChangeAction, readonly ChangeState[]> = {
  edit: ['draft', 'pending'],
  submit: ['draft'],
  approve: ['pending'],
  reject: ['pending'],
  withdraw: ['draft', 'pending', 'approved'],
  start: ['approved'],
  complete: ['in_progress'],
  // A change can fail while it is applied, or be rolled back after it was thought complete.
  fail: ['in_progress', 'completed'],
  verify: ['completed'],
  // Only a draft can be unassigned: submitting needs a requester.
  claim: ['draft'],
  // A meeting's outcome: on what is still to be decided, or decided without it.
  discuss: ['pending', 'approved'],
  // Only while a review is owed: see ALLOWED_BESIDES_STATE.
  review: [],
};

/** The state a lifecycle action leads to; decisions and submit are decided by the approval rules instead. */
export const LIFECYCLE_TARGET = {
  withdraw: 'withdrawn',
  start: 'in_progress',
  complete: 'completed',
  fail: 'failed',
  verify: 'verified',
} as const satisfies Partial<Record<ChangeAction, ChangeState>>;
export type LifecycleAction = keyof typeof LIFECYCLE_TARGET;

/**
 * What, besides its state, lets a change take an action (PRODUCT.md,
 * "Emergencies, reviews and standard changes"): an early start, worked out by
 * domain/approval.ts earlyStartAllowances, and a review it owes
 * (domain/reviews.ts reviewAllowances).
 */
export interface StateAllowances {
  /** Its type allows an early start and that requirement is met: a pending change may start. */
  readonly earlyStart?: boolean;
  /** It started early and approvals are still open: it still takes decisions on them. */
  readonly approvalsOpen?: boolean;
  /** It owes a post-implementation review that is not filed yet. */
  readonly reviewOwed?: boolean;
}

const ALLOWED_BESIDES_STATE: Partial<
  Record<
    ChangeAction,
    { readonly when: keyof StateAllowances; readonly from: readonly ChangeState[] }
  >
> = {
  start: { when: 'earlyStart', from: ['pending'] },
  approve: { when: 'approvalsOpen', from: ['in_progress', 'completed'] },
  reject: { when: 'approvalsOpen', from: ['in_progress', 'completed'] },
  review: { when: 'reviewOwed', from: ['completed', 'failed'] },
};

export function canPerform(
  state: ChangeState,
  action: ChangeAction,
  allowances: StateAllowances = {},
): boolean {
  if (ALLOWED_FROM[action].includes(state)) return true;
  const early = ALLOWED_BESIDES_STATE[action];
  return early !== undefined && allowances[early.when] === true && early.from.includes(state);
}

export function assertCanPerform(
  state: ChangeState,
  action: ChangeAction,
  allowances: StateAllowances = {},
): void {
  if (canPerform(state, action, allowances)) return;
  if (action === 'review')
    throw new AppError(
      'invalid_state',
      `cannot review a change that is ${state.replace('_', ' ')}: it owes no review (one is owed once a change whose type asks for it is completed, once a change fails, or after a rejection of a change started early)`,
    );
  const from = ALLOWED_FROM[action].map((s) => s.replace('_', ' ')).join(' or ');
  throw new AppError(
    'invalid_state',
    `cannot ${action} a change that is ${state.replace('_', ' ')}; ${action} is only possible when it is ${from}`,
  );
}

export function isTerminal(state: ChangeState): boolean {
  switch (state) {
    case 'verified':
    case 'rejected':
    case 'withdrawn':
    case 'failed':
      return true;
    case 'draft':
    case 'pending':
    case 'approved':
    case 'in_progress':
    case 'completed':
      return false;
  }
}
