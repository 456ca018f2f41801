import { randomUUID } from 'node:crypto';
import type { EventSubscriber, NewOutboxMessage } from '../../app/ports.js';
import type { TeamsConfig } from '../../config/config.js';
import type { Change } from '../../domain/change.js';
import type { Policy } from '../../domain/policy.js';
import type { Clock } from '../../shared/clock.js';
import type { TeamsBot, TeamsBotDeps } from './bot.js';

/**
 * What the rest of Changeboard needs of the Teams bot without loading
 * Microsoft's SDK (about 20 MB of a process at rest): whether it is set up,
 * the outbox rows of its channels, and the bot itself, loaded only when set up.
 */

export type Settings = Required<Pick<TeamsConfig, 'appId' | 'appPassword' | 'tenantId'>> &
  Pick<TeamsConfig, 'authority' | 'tokenUrl' | 'serviceUrl'>;

/** Is the bot set up at all (the three settings that config.ts requires together)? */
export function botSettings(config: TeamsConfig): Settings | undefined {
  if (!config.appId || !config.appPassword || !config.tenantId) return undefined;
  return {
    appId: config.appId,
    appPassword: config.appPassword,
    tenantId: config.tenantId,
    authority: config.authority,
    tokenUrl: config.tokenUrl,
    serviceUrl: config.serviceUrl,
  };
}

/** The bot, with the SDK loaded, when its settings are there; else undefined. */
export async function loadTeamsBot(deps: TeamsBotDeps): Promise<TeamsBot | undefined> {
  if (!botSettings(deps.config)) return undefined;
  return (await import('./bot.js')).createTeamsBot(deps);
}

export const TEAMS_BOT_KIND = 'teams-bot';

/** An outbox row of the bot: post the change's card (approvers are asked) or update it in place. */
export interface TeamsBotPayload {
  readonly action: 'post' | 'update';
}

/** The policy's Teams bot channels a change's services notify. */
export function botChannelsOf(policy: Policy, change: Change): string[] {
  const ids = new Set(change.services.flatMap((s) => policy.services.get(s)?.notify ?? []));
  return [...ids].filter((id) => policy.channels.get(id)?.teamsConversation !== undefined);
}

/**
 * The card of each Teams bot channel follows the change: posted when its
 * approvers are asked (submitted, or re-asked after an edit, as the
 * notification plan does), updated in place on every later event.
 */
export function teamsBotSubscriber(deps: {
  policy: Policy;
  clock: Clock;
  configured: boolean;
}): EventSubscriber {
  return {
    messagesFor(_tx, events, change) {
      const channels = botChannelsOf(deps.policy, change);
      if (channels.length === 0 || events.length === 0) return Promise.resolve([]);
      const asked =
        change.state === 'pending' &&
        events.some((e) => e.type === 'submitted' || e.type === 'edited');
      const payload: TeamsBotPayload = { action: asked ? 'post' : 'update' };
      return Promise.resolve(
        channels.map((channel): NewOutboxMessage => ({
          id: randomUUID(),
          kind: TEAMS_BOT_KIND,
          target: channel,
          changeId: change.id,
          eventId: events.at(-1)!.id,
          payload,
          notBefore: deps.clock.now().toISOString(),
          deadReason: deps.configured
            ? undefined
            : 'the Teams bot is not set up: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID',
        })),
      );
    },
  };
}
