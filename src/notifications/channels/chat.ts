import type { OutboxMessage } from '../../app/ports.js';
import { CHANGES_AT_ONCE, oneByOne, type Deliverer, type DeliveryOutcome } from '../deliverer.js';
import type { NotificationTopic } from '../plan.js';
import { slackMessage } from '../templates/slack.js';
import { headline, summarise } from '../templates/summary.js';
import { teamsMessage } from '../templates/teams.js';
import { outcomeOfError, outcomeOfResponse, unsetChannel } from './outcomes.js';
import { loadChange, type DeliveryDeps } from './render-context.js';

/** Teams (Adaptive Card) and Slack (Block Kit) incoming webhooks: render the change as it is now, post it. */
export function chatDeliverer(kind: 'teams' | 'slack', deps: DeliveryDeps): Deliverer {
  return oneByOne(
    kind,
    async (message: OutboxMessage): Promise<DeliveryOutcome> => {
      const channel = deps.policy.channels.get(message.target);
      if (!channel?.url && !deps.inbox) return unsetChannel(message.target);
      const loaded = await loadChange(deps, message.changeId);
      if (!loaded)
        return {
          ok: false,
          permanent: true,
          reason: `change ${message.changeId} no longer exists`,
        };
      const summary = summarise(
        deps.policy,
        loaded.change,
        loaded.decisions,
        deps.publicUrl,
        loaded.presence,
        loaded.conflicts,
      );
      const title = headline(deps.policy, message.payload as NotificationTopic, summary);
      const body = kind === 'teams' ? teamsMessage(title, summary) : slackMessage(title, summary);
      deps.inbox?.record({
        kind,
        at: deps.clock.now().toISOString(),
        to: message.target,
        subject: title,
        body,
      });
      if (!channel?.url) return { ok: true };
      try {
        const response = await deps.http({
          url: channel.url,
          headers: { 'content-type': 'application/json', 'x-changeboard-delivery': message.id },
          body: JSON.stringify(body),
        });
        return outcomeOfResponse(response, deps.clock.now());
      } catch (error) {
        return outcomeOfError(error);
      }
    },
    { changesAtOnce: CHANGES_AT_ONCE },
  );
}
