import type { Change } from './change.js';

/** A change for unit tests: a draft of the example policy's payments service; override what matters. */
export function aChange(overrides: Partial<Change> = {}): Change {
  return {
    id: 42,
    title: 'Raise payment retry limit',
    description: '',
    type: 'normal',
    services: ['payments'],
    answers: {},
    plannedStart: null,
    plannedEnd: null,
    links: [],
    requester: 'priya',
    state: 'draft',
    version: 1,
    round: 0,
    requirements: [],
    meetings: [],
    createdAt: '2026-11-02T10:00:00Z',
    updatedAt: '2026-11-02T10:00:00Z',
    submittedAt: null,
    requestedAt: null,
    ...overrides,
  };
}
