import { describe, expect, it } from 'vitest';
import type { ChangeClock } from '../api/types.js';
import { clockLines, elapsedInWords } from './clock.js';

const MINUTE = 60_000;
const at = (minutes: number) =>
  new Date(Date.parse('2026-11-02T10:00:00Z') + minutes * MINUTE).toISOString();
const nameOf = (id: string) => ({ lee: 'Lee Wong' })[id] ?? id;

const open: ChangeClock = {
  createdAt: at(0),
  submittedAt: at(1),
  requestedAt: at(1),
  approvedAt: null,
  startedAt: null,
  completedAt: null,
  verifiedAt: null,
  endedAt: null,
  endState: null,
  totalMs: null,
  submittedToEndMs: null,
  approvals: [],
  approvedAfterMs: null,
  startedAfterRequestMs: null,
};

describe('elapsedInWords', () => {
  it('says minutes, hours and days compactly', () => {
    expect(elapsedInWords(20_000)).toBe('under a minute');
    expect(elapsedInWords(27 * MINUTE)).toBe('27 min');
    expect(elapsedInWords(65 * MINUTE)).toBe('1 h 5 min');
    expect(elapsedInWords(120 * MINUTE)).toBe('2 h');
    expect(elapsedInWords(51 * 60 * MINUTE)).toBe('2 d 3 h');
  });
});

describe('clockLines', () => {
  it("tells the seed's emergency", () => {
    const verified: ChangeClock = {
      ...open,
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
    };
    expect(clockLines(verified, nameOf)).toEqual([
      'Created → verified in 27 min (26 min from submission)',
      'on-call-leads approved after 4 min, security after 9 min, cto after 12 min',
      'fully approved 12 min after the request',
      'started 5 min after the request',
      'completed 14 min after it started',
    ]);
  });

  it('counts an open change to now, and names an approval that counted for no group', () => {
    const pending: ChangeClock = {
      ...open,
      approvals: [{ group: null, person: 'lee', at: at(3), afterRequestMs: 2 * MINUTE }],
    };
    expect(clockLines(pending, nameOf, Date.parse(at(90)))).toEqual([
      'Open for 1 h 30 min (1 h 29 min since submission)',
      'Lee Wong approved after 2 min',
    ]);
  });
});
