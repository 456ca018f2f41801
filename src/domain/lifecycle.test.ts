import { describe, expect, it } from 'vitest';
import { CHANGE_STATES, type ChangeState } from './change.js';
import { AppError } from './errors.js';
import {
  assertCanPerform,
  canPerform,
  CHANGE_ACTIONS,
  isTerminal,
  LIFECYCLE_TARGET,
  type ChangeAction,
} from './lifecycle.js';

/** The lifecycle of PRODUCT.md, written out independently of the implementation's table. */
const ALLOWED: Record<ChangeAction, ChangeState[]> = {
  edit: ['draft', 'pending'],
  submit: ['draft'],
  approve: ['pending'],
  reject: ['pending'],
  withdraw: ['draft', 'pending', 'approved'],
  start: ['approved'],
  complete: ['in_progress'],
  fail: ['in_progress', 'completed'],
  verify: ['completed'],
  claim: ['draft'],
  discuss: ['pending', 'approved'],
  // Only with a review owed (allowances), never by state alone.
  review: [],
};

describe('canPerform', () => {
  const cases = CHANGE_ACTIONS.flatMap((action) =>
    CHANGE_STATES.map((state) => [action, state] as const),
  );

  it.each(cases)('%s from %s', (action, state) => {
    expect(canPerform(state, action)).toBe(ALLOWED[action].includes(state));
  });

  it('may not start a change before it is approved', () => {
    expect(canPerform('draft', 'start')).toBe(false);
    expect(canPerform('pending', 'start')).toBe(false);
    expect(canPerform('approved', 'start')).toBe(true);
  });

  it('allows nothing once a change is in a terminal state', () => {
    for (const state of CHANGE_STATES.filter(isTerminal)) {
      expect(
        CHANGE_ACTIONS.filter((action) => canPerform(state, action)),
        state,
      ).toEqual([]);
    }
  });
});

describe('assertCanPerform', () => {
  it('passes silently for an allowed action', () => {
    expect(() => assertCanPerform('approved', 'start')).not.toThrow();
  });

  it('throws invalid_state saying which states would allow the action', () => {
    let caught: unknown;
    try {
      assertCanPerform('in_progress', 'withdraw');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('invalid_state');
    expect((caught as AppError).message).toBe(
      'cannot withdraw a change that is in progress; withdraw is only possible when it is draft or pending or approved',
    );
  });

  it('names the single allowed state', () => {
    expect(() => assertCanPerform('pending', 'verify')).toThrow(
      'cannot verify a change that is pending; verify is only possible when it is completed',
    );
  });
});

describe('LIFECYCLE_TARGET', () => {
  it('leads each lifecycle action to its state', () => {
    expect(LIFECYCLE_TARGET).toEqual({
      withdraw: 'withdrawn',
      start: 'in_progress',
      complete: 'completed',
      fail: 'failed',
      verify: 'verified',
    });
  });

  it('walks the happy path draft → … → verified', () => {
    let state: ChangeState = 'approved';
    for (const action of ['start', 'complete', 'verify'] as const) {
      expect(canPerform(state, action)).toBe(true);
      state = LIFECYCLE_TARGET[action];
    }
    expect(state).toBe('verified');
    expect(isTerminal(state)).toBe(true);
  });
});

describe('isTerminal', () => {
  it('is true for verified, rejected, withdrawn and failed only', () => {
    expect(CHANGE_STATES.filter(isTerminal)).toEqual([
      'verified',
      'rejected',
      'withdrawn',
      'failed',
    ]);
  });
});
