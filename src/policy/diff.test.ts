import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyHolder } from '../app/policy-holder.js';
import { describePolicyChange } from './diff.js';
import { parsePolicy } from './load.js';

const EXAMPLE = readFileSync(new URL('../../examples/changeboard.yaml', import.meta.url), 'utf8');
const ENV = {
  TEAMS_WEBHOOK_URL: 'https://teams.example.com/h',
  SLACK_WEBHOOK_URL: 'https://s.example.com/h',
};

function load(source: string) {
  const result = parsePolicy(source, ENV);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

const base = load(EXAMPLE).policy;
const variant = (...edits: [string, string][]) => {
  let text = EXAMPLE;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return load(text).policy;
};

describe('what changed from one policy to the next', () => {
  it('says nothing for a comment', () => {
    expect(
      describePolicyChange(base, variant(['# Who hears what.', '# Who hears what, and how.'])),
    ).toEqual([]);
  });

  it('names group members, approvals, reviews, freezes and meetings', () => {
    const next = variant(
      ['  change-managers: [kim]', '  change-managers: [kim, ana]'],
      [
        '    earlyStart: { from: on-call-leads, count: 1 }',
        '    earlyStart: { from: security, count: 1 }',
      ],
      ['      within: 2d', '      within: 3d'],
      ['  - name: Year-end freeze\n', '  - name: Winter freeze\n'],
      ['    hold: true', '    hold: false'],
    );
    expect(describePolicyChange(base, next)).toEqual([
      'group change-managers: added ana',
      'change type emergency: may start early once 1 from security approved',
      'change type emergency: reviewed within 3d, asking whatHappened, followUps',
      'freeze Winter freeze: added',
      'freeze Year-end freeze: removed',
      'meeting Acme Hosting CAB: no longer holds its changes',
    ]);
  });

  it('names a service whose approvers changed and a question that is new', () => {
    const next = variant(
      ['    approvers: web-owners', '    approvers: payments-owners'],
      ['fields:\n', 'fields:\n  - id: ticket\n    label: Ticket\n    type: url\n'],
    );
    expect(describePolicyChange(base, next)).toEqual([
      'question ticket: added',
      'service website: approvers web-owners → payments-owners',
    ]);
  });
});

describe('the policy in force', () => {
  it('reads through to whichever policy was swapped in last', () => {
    const first = load(EXAMPLE);
    const second = load(
      EXAMPLE.replace('  change-managers: [kim]', '  change-managers: [kim, ana]'),
    );
    const holder = new PolicyHolder(first);
    const { policy } = holder;
    const seen: string[] = [];
    holder.onSwap((next, previous) => seen.push(`${previous.policy.hash}→${next.policy.hash}`));
    expect(policy.groups.get('change-managers')).toEqual(['kim']);
    holder.swap(second);
    expect(policy.hash).toBe(second.policy.hash);
    expect(policy.groups.get('change-managers')).toEqual(['kim', 'ana']);
    expect(Object.keys(policy)).toEqual(Object.keys(second.policy));
    holder.swap(second);
    expect(seen).toEqual([`${first.policy.hash}→${second.policy.hash}`]);
  });
});
