import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../domain/change.js';
import { aChange } from '../../domain/change.fixture.js';
import type { Policy } from '../../domain/policy.js';
import { parsePolicy } from '../../policy/load.js';
import { renderEmail } from './email.js';
import { slackMessage } from './slack.js';
import { headline, summarise, type ChangeSummary } from './summary.js';
import { teamsMessage } from './teams.js';

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

  it('say that a rejection after an early start requires a review', () => {
    const late = (onBehalfOf?: string) =>
      headline(
        policy,
        {
          template: 'event',
          eventType: 'approval-rejected',
          eventId: 1,
          actor: 'kim',
          afterStart: true,
          ...(onBehalfOf && { onBehalfOf }),
        },
        summary,
      );
    expect(late()).toBe(
      'CHG-7 was rejected by Kim Park after the change was started: a review is required',
    );
    expect(late('sam')).toBe(
      'CHG-7 was rejected by Kim Park (for Sam Rivera) after the change was started: a review is required',
    );
  });
});

describe('still needed', () => {
  const loaded = parsePolicy(
    readFileSync(new URL('../../../examples/changeboard.yaml', import.meta.url), 'utf8'),
    {},
  );
  if (!loaded.ok) throw new Error('example policy must load');
  const example = loaded.policy;
  const pending = (requirements: Change['requirements']) =>
    summarise(
      example,
      aChange({ state: 'pending', round: 1, answers: { risk: 'high' }, requirements }),
      [],
      'http://changeboard.test',
    ).stillNeeded;

  it('says why each open requirement is needed', () => {
    expect(
      pending([
        { group: 'payments-owners', count: 1, service: 'payments', reason: 'touches Payments API' },
        { group: 'change-managers', count: 1, reason: 'risk is high' },
      ]),
    ).toEqual([
      'payments-owners (1 more, because touches Payments API): Lee Wong',
      'change-managers (1 more, because risk is high): Kim Park',
    ]);
  });

  it('is said for a change started early while approvals are open, and not once they are in', () => {
    const emergency = (decided: string[]) =>
      summarise(
        example,
        aChange({
          type: 'emergency',
          state: 'in_progress',
          round: 1,
          requirements: [
            { group: 'on-call-leads', count: 1 },
            { group: 'security', count: 1 },
            { group: 'cto', count: 1 },
          ],
        }),
        decided.map((person) => ({
          changeId: 1,
          round: 1,
          person,
          verdict: 'approve' as const,
          comment: null,
          at: '2026-11-02T10:00:00.000Z',
        })),
        'http://changeboard.test',
      ).stillNeeded;
    expect(emergency(['lee']).map((line) => line.split(' (')[0])).toEqual(['security', 'cto']);
    expect(emergency(['lee', 'tom', 'sam'])).toEqual([]);
  });

  it('takes the reason from the policy now for requirements stored without one', () => {
    expect(
      pending([
        { group: 'payments-owners', count: 1, service: 'payments' },
        { group: 'change-managers', count: 1 },
      ]),
    ).toEqual([
      'payments-owners (1 more, because touches Payments API): Lee Wong',
      'change-managers (1 more, because risk is high): Kim Park',
    ]);
  });
});

describe('conflicts', () => {
  const loaded = parsePolicy(
    readFileSync(new URL('../../../examples/changeboard.yaml', import.meta.url), 'utf8'),
    {},
  );
  if (!loaded.ok) throw new Error('example policy must load');
  const example = loaded.policy;
  const other = aChange({
    id: 12,
    title: 'Resize payments DB',
    state: 'approved',
    plannedStart: '2026-11-17T14:00:00.000Z',
    plannedEnd: '2026-11-17T15:00:00.000Z',
  });
  const summary = summarise(
    example,
    aChange({ state: 'pending', round: 1 }),
    [],
    'http://changeboard.test',
    undefined,
    {
      changes: [{ change: other, sharedServices: ['payments'] }],
      freezes: [
        {
          name: 'Year-end freeze',
          from: new Date('2026-12-19T00:00:00Z'),
          to: new Date('2027-01-04T00:00:00Z'),
          allow: [],
          services: [],
        },
      ],
    },
  );

  it('names each overlapping change with the shared services and its window, then the freezes', () => {
    expect(summary.conflicts).toEqual([
      'Overlaps CHG-12 Resize payments DB (Payments API, Tue 17 Nov 14:00–15:00 UTC)',
      'Inside the freeze "Year-end freeze" (Sat 19 Dec 00:00 – Mon 4 Jan 00:00 UTC)',
    ]);
  });

  it('shows them in e-mail, Teams and Slack', () => {
    const line = summary.conflicts[0]!;
    const section = { headline: 'Submitted', summary, detailed: false };
    const email = renderEmail('Kim', [section], 'Example Corp');
    expect(email.text).toContain(line);
    expect(email.html).toContain('Overlaps CHG-12');
    const teams = JSON.stringify(teamsMessage('Submitted', summary));
    expect(teams).toContain('"title":"Conflicts"');
    expect(teams).toContain('Overlaps CHG-12');
    expect(JSON.stringify(slackMessage('Submitted', summary))).toContain('Overlaps CHG-12');
  });
});
