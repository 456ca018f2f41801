import { Activity, ActivityTypes } from '@microsoft/agents-activity';
import { ConnectorClient, type CloudAdapter, type TurnContext } from '@microsoft/agents-hosting';
import type { OutboxMessage } from '../../app/ports.js';
import type { TeamsConfig } from '../../config/config.js';
import type { Person } from '../../domain/policy.js';
import { oneByOne, type Deliverer, type DeliveryOutcome } from '../../notifications/deliverer.js';
import { ADAPTIVE_CARD, cardMessage } from './card.js';
import {
  BOT_FRAMEWORK_SCOPE,
  connectorHosts,
  createTeamsAdapter,
  TeamsTokenError,
  withTimeout,
} from './auth.js';
import type { ClientCredentialsProvider } from './auth.js';
import type { TeamsStore } from '../../app/ports/teams.js';
import { decideFromCard, renderCard, type ViewDeps } from './view.js';
import { botSettings, TEAMS_BOT_KIND, type TeamsBotPayload } from './setup.js';

export interface TeamsBotDeps extends ViewDeps {
  readonly config: TeamsConfig;
  readonly teams: TeamsStore;
  readonly log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    data?: Record<string, unknown>,
  ) => void;
}

interface ActionData {
  changeId: number;
  round?: number;
  version?: number;
  comment?: string;
}

function actionOf(activity: Activity): { verb: string; data: ActionData } | undefined {
  const value = activity.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } };
  const action = value?.action;
  if (action?.type !== 'Action.Execute' || typeof action.verb !== 'string') return undefined;
  const data = (action.data ?? {}) as Record<string, unknown>;
  const int = (v: unknown) => (Number.isSafeInteger(v) ? (v as number) : undefined);
  const changeId = int(data.changeId);
  if (changeId === undefined) return undefined;
  return {
    verb: action.verb,
    data: {
      changeId,
      round: int(data.round),
      version: int(data.version),
      comment: typeof data.comment === 'string' ? data.comment.slice(0, 2000) : undefined,
    },
  };
}

/** The Teams bot: the SDK's adapter, what it answers, and the deliverer of its cards. */
export class TeamsBot {
  readonly adapter: CloudAdapter;
  readonly #tokens: ClientCredentialsProvider;
  /** The hosts the bot's token may be sent to. */
  readonly #connectorHosts: ReturnType<typeof connectorHosts>;

  constructor(
    private readonly deps: TeamsBotDeps,
    settings: NonNullable<ReturnType<typeof botSettings>>,
  ) {
    ({ adapter: this.adapter, tokens: this.#tokens } = createTeamsAdapter(settings));
    this.#connectorHosts = connectorHosts(settings);
    // The SDK's default would post "The agent encountered an error" into the channel.
    this.adapter.onTurnError = async (_context, error) => {
      deps.log?.('error', 'Teams turn failed', { error: error.message });
      await Promise.resolve();
    };
  }

  /** One authenticated activity (the SDK checked its token before this runs). */
  async handle(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const type: string = activity.type;
    if (type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const body = await this.#answerAction(context);
      await context.sendActivity(
        Activity.fromObject({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } }),
      );
      return;
    }
    if (type === 'conversationUpdate') await this.#installed(context);
  }

  async #answerAction(context: TurnContext): Promise<Record<string, unknown>> {
    const activity = context.activity;
    const action = actionOf(activity);
    if (!action)
      return {
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadRequest', message: 'not a Changeboard card action' },
      };
    // Teams may deliver an invoke twice: the second gets the first one's answer, and decides nothing.
    const invokeId = activity.id;
    if (invokeId && action.verb !== 'refresh') {
      const earlier = await this.deps.teams.findInvokeAnswer(invokeId);
      if (earlier) return earlier as Record<string, unknown>;
    }
    const { verb, data } = action;
    if (verb !== 'approve' && verb !== 'reject' && verb !== 'refresh')
      return message(`Changeboard does not know the action "${verb}".`);
    const person = await this.#personOf(context);
    // Someone who is not a person of the policy learns nothing about the change (nor whether it exists).
    const card = !person
      ? undefined
      : verb !== 'refresh'
        ? await decideFromCard(this.deps, person, verb, data)
        : await renderCard(this.deps, data.changeId, { person });
    const answer = !person
      ? message(
          `Your Teams account is not one of the people of Changeboard's policy, so you cannot see or decide changes here. An admin can add "teams: ${activity.from?.aadObjectId ?? '<your Entra object id>'}" to your entry under people.`,
        )
      : card
        ? { statusCode: 200, type: ADAPTIVE_CARD, value: card }
        : message(`CHG-${data.changeId} no longer exists.`);
    if (invokeId && action.verb !== 'refresh') {
      const first = await this.deps.teams.saveInvokeAnswer(
        invokeId,
        answer,
        this.deps.clock.now().toISOString(),
      );
      if (!first)
        return ((await this.deps.teams.findInvokeAnswer(invokeId)) ?? answer) as Record<
          string,
          unknown
        >;
    }
    return answer;
  }

  /**
   * The policy's person behind a Teams user: by `people[].teams`, else by their
   * e-mail (UPN) in Teams. Only users of TEAMS_TENANT_ID: a guest's or another
   * tenant's account may carry anyone's address.
   */
  async #personOf(context: TurnContext): Promise<Person | undefined> {
    const tenant = this.deps.config.tenantId?.toLowerCase();
    const sameTenant = (id: unknown) => typeof id === 'string' && id.toLowerCase() === tenant;
    if (!sameTenant(context.activity.conversation?.tenantId)) return undefined;
    const from = context.activity.from;
    const objectId = from?.aadObjectId?.toLowerCase();
    const people = [...this.deps.policy.people.values()].filter((p) => !p.external);
    const byId = objectId ? people.find((p) => p.teams === objectId) : undefined;
    if (byId || !from?.id) return byId;
    try {
      const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
      const member = (await client.getConversationMember(
        from.id,
        context.activity.conversation!.id,
      )) as { email?: string; userPrincipalName?: string; tenantId?: string };
      if (member.tenantId !== undefined && !sameTenant(member.tenantId)) return undefined;
      const addresses = [member.email, member.userPrincipalName]
        .filter((a): a is string => typeof a === 'string')
        .map((a) => a.toLowerCase());
      // Someone with a `teams` id is that account only: an e-mail does not make another account them.
      return people.find((p) => p.teams === undefined && addresses.includes(p.email.toLowerCase()));
    } catch (error) {
      this.deps.log?.('warn', 'Teams member look-up failed', { error: (error as Error).message });
      return undefined;
    }
  }

  /** Added to a team, chat or personal scope: remember where it is, and say how to use it. */
  async #installed(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const botId = activity.recipient?.id;
    if (!activity.membersAdded?.some((m) => m.id === botId)) return;
    const reference = activity.getConversationReference();
    const conversationId = activity.conversation!.id;
    await this.deps.teams.rememberConversation(
      {
        conversationId,
        serviceUrl: activity.serviceUrl!,
        tenantId: activity.conversation?.tenantId ?? null,
        reference: JSON.parse(JSON.stringify(reference)) as Record<string, unknown>,
      },
      this.deps.clock.now().toISOString(),
    );
    await context.sendActivity(
      `Changeboard can post approval requests here. Add this conversation to changeboard.yaml under channels, and list the channel under a service's notify:\n\n    channels:\n      my-team:\n        type: teams\n        conversation: "${conversationId}"`,
    );
  }

  /** Delivers the outbox's `teams-bot` rows: the channel's one card for the change, posted or updated. */
  deliverer(): Deliverer {
    return oneByOne(TEAMS_BOT_KIND, (message) => this.#deliver(message));
  }

  async #deliver(message: OutboxMessage): Promise<DeliveryOutcome> {
    const channel = this.deps.policy.channels.get(message.target);
    const conversationId = channel?.teamsConversation;
    if (!conversationId || message.changeId === null)
      return {
        ok: false,
        permanent: true,
        reason: `channel "${message.target}" is not a Teams bot channel`,
      };
    const payload = message.payload as TeamsBotPayload;
    const card = await renderCard(this.deps, message.changeId);
    if (!card)
      return { ok: false, permanent: true, reason: `change ${message.changeId} no longer exists` };
    const existing = await this.deps.teams.findCard(message.changeId, message.target);
    if (!existing && payload.action !== 'post')
      return { ok: true, skipped: 'no card was posted for this change in this channel' };
    const serviceUrl =
      existing?.serviceUrl ??
      (await this.deps.teams.findConversation(conversationId))?.serviceUrl ??
      this.deps.config.serviceUrl;
    if (!this.#connectorHosts.isAllowed(serviceUrl))
      return {
        ok: false,
        permanent: true,
        reason: `the conversation's serviceUrl ${serviceUrl} is not a Bot Connector host (smba.trafficmanager.net or TEAMS_SERVICE_URL's): the bot's token is not sent there`,
      };
    try {
      const token = await this.#tokens.getAccessToken(BOT_FRAMEWORK_SCOPE);
      const client = withTimeout(ConnectorClient.createClientWithToken(serviceUrl, token));
      const activity = Activity.fromObject({
        ...cardMessage(card),
        channelId: 'msteams',
        conversation: { id: conversationId },
      });
      let activityId = existing?.activityId;
      if (activityId) {
        try {
          await client.updateActivity(conversationId, activityId, activity);
        } catch (error) {
          // Someone deleted the card: post it again.
          if (statusOf(error) !== 404) throw error;
          activityId = undefined;
        }
      }
      const posted = !activityId;
      if (!activityId) activityId = (await client.sendToConversation(conversationId, activity)).id;
      if (!activityId)
        return { ok: false, permanent: false, reason: 'the Bot Connector gave no activity id' };
      const saved = await this.deps.teams.saveCard(
        {
          changeId: message.changeId,
          channel: message.target,
          conversationId,
          serviceUrl,
          activityId,
        },
        this.deps.clock.now().toISOString(),
        existing?.activityId,
      );
      // Another delivery posted the channel's card first: ours would be an orphan with live buttons.
      if (!saved && posted) {
        try {
          await client.deleteActivity(conversationId, activityId);
        } catch (error) {
          // A retry would post yet another card: say which one is left over instead.
          if (statusOf(error) !== 404)
            this.deps.log?.('warn', 'Teams card posted twice; the second could not be deleted', {
              conversationId,
              activityId,
              error: (error as Error).message,
            });
        }
      }
      return { ok: true };
    } catch (error) {
      if (error instanceof TeamsTokenError)
        return { ok: false, permanent: false, reason: `${error.message} (check ${error.setting})` };
      const status = statusOf(error);
      const reason = status ? `Bot Connector answered HTTP ${status}` : (error as Error).message;
      const permanent =
        status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
      return { ok: false, permanent, reason };
    }
  }
}

/** An Action.Execute answered with a plain message instead of a card. */
function message(text: string): Record<string, unknown> {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } })?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The bot when TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID are set; else undefined. */
export function createTeamsBot(deps: TeamsBotDeps): TeamsBot | undefined {
  const settings = botSettings(deps.config);
  return settings ? new TeamsBot(deps, settings) : undefined;
}
