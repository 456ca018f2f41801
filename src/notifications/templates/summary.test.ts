import { describe, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import { headline, type ChangeSummary } from './summary.js';

const policy = {
  people: new Map([
    ['kim', { name: 'Kim Park' }],
    ['sam', { name: 'Sam Rivera' }],
  ]),
} as unknown as Policy;
const summary = { id: 'CHG-7' } as ChangeSummary;
const event = (eventType: string, onBehalfOf?: string) =>
  headline(
    policy,
    { template: 'event', eventType, eventId: 1, actor: 'kim', ...(onBehalfOf && { onBehalfOf }) },
    summary,
  );

describe('headlines', () => {
  it('say who decided for whom when a stand-in decided', () => {
    expect(event('approval-granted', 'sam')).toBe('Kim Park, for Sam Rivera, approved CHG-7');
    expect(event('rejected', 'sam')).toBe('CHG-7 was rejected by Kim Park, for Sam Rivera');
    expect(event('approval-granted')).toBe('Kim Park approved CHG-7');
  });
});
