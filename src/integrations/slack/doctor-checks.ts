import type { Config } from '../../config/config.js';
import type { Policy } from '../../domain/policy.js';
import { createSlackClient, slackFailure } from './api.js';

/** A finding of `changeboard doctor` (cli/commands/doctor.ts); a problem names the setting to fix. */
interface Finding {
  readonly status: 'ok' | 'problem' | 'skipped';
  readonly setting?: string;
  readonly message: string;
}

interface Ctx {
  readonly config: Pick<Config, 'slack'>;
  readonly policy: Policy;
}

/** Whether anything asks for the Slack app: its token, or a policy channel it posts to. */
function slackWanted(ctx: Ctx): boolean {
  return (
    ctx.config.slack.botToken !== undefined ||
    ctx.config.slack.signingSecret !== undefined ||
    [...ctx.policy.channels.values()].some((c) => c.slackChannel !== undefined)
  );
}

/** `auth.test` with SLACK_BOT_TOKEN at SLACK_API_URL: the token works, and for which workspace and bot. */
export async function botToken(ctx: Ctx): Promise<Finding[]> {
  const client = await createSlackClient(ctx.config.slack);
  if (!client)
    return slackWanted(ctx)
      ? [
          {
            status: 'problem',
            setting: 'SLACK_BOT_TOKEN',
            message:
              'SLACK_BOT_TOKEN is not set, so nothing is posted to Slack (the Bot User OAuth Token, xoxb-…)',
          },
        ]
      : [
          {
            status: 'skipped',
            message: 'the Slack app is not set up (SLACK_BOT_TOKEN is not set)',
          },
        ];
  try {
    const answer = await client.auth.test();
    return [
      {
        status: 'ok',
        message: `signed in as ${answer.user ?? answer.user_id ?? 'the bot'} in ${answer.team ?? answer.team_id ?? 'the workspace'}`,
      },
    ];
  } catch (error) {
    const failure = slackFailure(error);
    const auth = /auth|token|account_inactive/.test(failure.error);
    return [
      {
        status: 'problem',
        setting: auth ? 'SLACK_BOT_TOKEN' : 'SLACK_API_URL',
        message: auth
          ? `Slack refused SLACK_BOT_TOKEN (${failure.error})`
          : `could not reach Slack at ${ctx.config.slack.apiUrl} (${failure.error})`,
      },
    ];
  }
}

/** Slack signs every click with the app's signing secret; without it the interactions endpoint refuses all. */
export function signingSecret(ctx: Ctx): Promise<Finding[]> {
  const secret = ctx.config.slack.signingSecret;
  if (secret === undefined)
    return Promise.resolve(
      slackWanted(ctx)
        ? [
            {
              status: 'problem',
              setting: 'SLACK_SIGNING_SECRET',
              message:
                'SLACK_SIGNING_SECRET is not set, so every Approve and Reject click is refused (Slack app → Basic Information → Signing Secret)',
            },
          ]
        : [{ status: 'skipped', message: 'the Slack app is not set up' }],
    );
  // Slack's signing secrets are 32 hexadecimal digits.
  return Promise.resolve(
    /^[0-9a-f]{32}$/.test(secret)
      ? [{ status: 'ok', message: 'set' }]
      : [
          {
            status: 'problem',
            setting: 'SLACK_SIGNING_SECRET',
            message:
              'SLACK_SIGNING_SECRET does not look like a Slack signing secret (32 hexadecimal digits): was the Client Secret or the Verification Token pasted instead?',
          },
        ],
  );
}

/** Each policy channel the app posts to exists, and the app can post there (it is a member). */
export async function channels(ctx: Ctx): Promise<Finding[]> {
  const wanted = [...ctx.policy.channels.values()].filter((c) => c.slackChannel !== undefined);
  if (wanted.length === 0)
    return [{ status: 'skipped', message: 'no policy channel names a Slack channel id' }];
  const client = await createSlackClient(ctx.config.slack);
  if (!client)
    return [
      {
        status: 'problem',
        setting: 'SLACK_BOT_TOKEN',
        message: `channels ${wanted.map((c) => c.id).join(', ')} need the Slack app, and SLACK_BOT_TOKEN is not set`,
      },
    ];
  const findings: Finding[] = [];
  for (const channel of wanted) {
    const setting = `channels.${channel.id}.channel in the policy file`;
    try {
      const answer = await client.conversations.info({ channel: channel.slackChannel! });
      const name = answer.channel?.name ? `#${answer.channel.name}` : channel.slackChannel!;
      findings.push(
        answer.channel?.is_member === false && answer.channel.is_private === true
          ? {
              status: 'problem',
              setting: `the Slack channel ${name}`,
              message: `${channel.id}: the app is not in the private channel ${name}: invite it (/invite @Changeboard)`,
            }
          : { status: 'ok', message: `${channel.id}: posts to ${name}` },
      );
    } catch (error) {
      const failure = slackFailure(error);
      findings.push({
        status: 'problem',
        setting:
          failure.error === 'channel_not_found'
            ? setting
            : /auth|token/.test(failure.error)
              ? 'SLACK_BOT_TOKEN'
              : failure.error === 'missing_scope'
                ? "the Slack app's scopes (reinstall it from integrations/slack/manifest.yaml)"
                : setting,
        message: `${channel.id}: Slack cannot find ${channel.slackChannel!} (${failure.error})`,
      });
    }
  }
  return findings;
}
