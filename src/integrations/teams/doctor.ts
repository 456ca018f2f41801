import type { DoctorCheck, DoctorFinding } from '../../cli/commands/doctor.js';
import { requestToken, TeamsTokenError } from './auth.js';
import { botSettings } from './setup.js';

/**
 * `changeboard doctor`: is the Teams bot set up, and does Entra ID give it a
 * token with these settings? The token request is the one the bot makes before
 * every post, so a wrong app id, password or tenant shows here by name.
 */
export const teamsDoctorCheck: DoctorCheck = {
  name: 'Teams bot',
  async run({ config, policy }): Promise<readonly DoctorFinding[]> {
    const botChannels = [...policy.channels.values()].filter((c) => c.teamsConversation);
    const settings = botSettings(config.teams);
    if (!settings) {
      if (botChannels.length === 0)
        return [
          {
            status: 'skipped',
            message: 'TEAMS_APP_ID is not set and no channel names a conversation',
          },
        ];
      return [
        {
          status: 'problem',
          setting: 'TEAMS_APP_ID',
          message: `channel ${botChannels.map((c) => `"${c.id}"`).join(', ')} names a Teams conversation, but the bot is not set up (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)`,
        },
      ];
    }
    try {
      await requestToken(settings);
    } catch (error) {
      if (error instanceof TeamsTokenError)
        return [{ status: 'problem', setting: error.setting, message: error.message }];
      throw error;
    }
    return [
      {
        status: 'ok',
        message: `app ${settings.appId} gets a Bot Connector token from ${settings.tokenUrl}; ${botChannels.length} channel(s) post through the bot`,
      },
    ];
  },
};
