import { describe, expect, it } from 'vitest';
import type { Change } from '../../domain/change.js';
import { CHANGE_STATES } from '../../domain/change.js';
import { commitStatusFor } from './commit-status.js';
import { outcomeOf } from './status-deliverer.js';

const NOW = new Date('2026-11-02T10:00:00Z');

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), { status, response: { headers } });
}

describe('outcomeOf (GitHub errors)', () => {
  it('treats a 4xx as final', () => {
    for (const status of [400, 401, 403, 404, 410, 422])
      expect(outcomeOf(httpError(status), NOW)).toMatchObject({ ok: false, permanent: true });
  });

  it('retries 408, 429 and 5xx, honouring Retry-After', () => {
    expect(outcomeOf(httpError(408), NOW)).toMatchObject({ permanent: false });
    expect(outcomeOf(httpError(429, { 'retry-after': '30' }), NOW)).toMatchObject({
      permanent: false,
      retryAfterMs: 30_000,
    });
    expect(
      outcomeOf(httpError(503, { 'retry-after': 'Mon, 02 Nov 2026 10:01:00 GMT' }), NOW),
    ).toMatchObject({
      permanent: false,
      retryAfterMs: 60_000,
    });
    expect(outcomeOf(httpError(500), NOW)).toMatchObject({
      permanent: false,
      retryAfterMs: undefined,
    });
  });

  it('retries GitHub’s 403 rate limits until the reset', () => {
    const reset = String(NOW.getTime() / 1000 + 90);
    expect(
      outcomeOf(httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), NOW),
    ).toMatchObject({ permanent: false, retryAfterMs: 90_000 });
    expect(outcomeOf(httpError(403, { 'retry-after': '60' }), NOW)).toMatchObject({
      permanent: false,
      retryAfterMs: 60_000,
    });
    expect(outcomeOf(httpError(403, { 'x-ratelimit-remaining': '12' }), NOW)).toMatchObject({
      permanent: true,
    });
  });

  it('retries an error without a status (no answer at all)', () => {
    expect(outcomeOf(new Error('socket hang up'), NOW)).toMatchObject({ permanent: false });
    expect(outcomeOf('weird', NOW)).toMatchObject({ permanent: false });
  });
});

describe('commitStatusFor', () => {
  it('is pending before approval, success from approval on, failure when it will never be approved', () => {
    const change = { id: 7, state: 'draft' } as Change;
    const states = Object.fromEntries(
      CHANGE_STATES.map((state) => [
        state,
        commitStatusFor({ ...change, state }, 'https://cb.example').state,
      ]),
    );
    expect(states).toEqual({
      draft: 'pending',
      pending: 'pending',
      approved: 'success',
      in_progress: 'success',
      completed: 'success',
      verified: 'success',
      failed: 'success',
      rejected: 'failure',
      withdrawn: 'failure',
    });
    const status = commitStatusFor({ ...change, state: 'rejected' }, 'https://cb.example');
    expect(status.targetUrl).toBe('https://cb.example/changes/CHG-7');
    for (const state of CHANGE_STATES)
      expect(commitStatusFor({ ...change, state }, 'x').description.length).toBeLessThanOrEqual(
        140,
      );
  });
});
