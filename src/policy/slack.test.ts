import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './load.js';

const EXAMPLE = readFileSync(
  fileURLToPath(new URL('../../examples/changeboard.yaml', import.meta.url)),
  'utf8',
);
const ENV = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXX' };
const channel = (yaml: string) =>
  EXAMPLE.replace('  audit-sink:\n', `  payments-slack:\n${yaml}  audit-sink:\n`);

describe('the Slack app in the policy', () => {
  it('reads people[].slack and a slack channel by id, and keeps webhook slack channels as they were', () => {
    const result = parsePolicy(
      channel('    type: slack\n    channel: C0PAY\n').replace(
        '    github: leewong\n',
        '    github: leewong\n    slack: U0LEE\n',
      ),
      ENV,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.policy.people.get('lee')?.slack).toBe('U0LEE');
    expect(result.policy.people.get('kim')?.slack).toBeUndefined();
    expect(result.policy.channels.get('payments-slack')).toMatchObject({
      type: 'slack',
      slackChannel: 'C0PAY',
      url: undefined,
    });
    expect(result.policy.channels.get('releases')).toMatchObject({
      type: 'slack',
      url: ENV.SLACK_WEBHOOK_URL,
    });
    expect(result.policy.channels.get('releases')?.slackChannel).toBeUndefined();
  });

  it.each([
    ['    type: slack\n', 'channels.payments-slack.url', 'or channel'],
    [
      '    type: slack\n    channel: C0PAY\n    url: https://hooks.slack.com/services/x\n',
      'channels.payments-slack',
      'not both',
    ],
    ['    type: teams\n    channel: C0PAY\n', 'channels.payments-slack.channel', 'only slack'],
    ['    type: slack\n    channel: "#payments"\n', 'channels.payments-slack.channel', ''],
  ])('refuses a channel that is neither a webhook nor a Slack channel id', (yaml, path, words) => {
    const result = parsePolicy(channel(yaml), ENV);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(words) }),
    );
  });

  it('warns of a Slack app channel that no service posts to', () => {
    const result = parsePolicy(channel('    type: slack\n    channel: C0PAY\n'), ENV);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        path: 'channels.payments-slack',
        message: expect.stringContaining('no service lists it under notify'),
      }),
    );
  });

  it('refuses a Slack user id that is not one', () => {
    const result = parsePolicy(
      EXAMPLE.replace('    github: leewong\n', '    github: leewong\n    slack: "@lee"\n'),
      ENV,
    );
    expect(result.ok).toBe(false);
  });
});
