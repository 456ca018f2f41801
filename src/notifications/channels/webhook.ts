import { createHmac } from 'node:crypto';
import type { OutboxMessage } from '../../app/ports.js';
import { formatChangeId } from '../../domain/change.js';
import { CHANGES_AT_ONCE, oneByOne, type Deliverer, type DeliveryOutcome } from '../deliverer.js';
import type { WebhookPayload } from '../plan.js';
import { outcomeOfError, outcomeOfResponse, unsetChannel } from './outcomes.js';
import type { DeliveryDeps } from './render-context.js';

/**
 * `X-Changeboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 * Signing the timestamp with the body lets a receiver reject both forgeries and
 * old messages replayed later.
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** Every event, as JSON, to each `webhook` channel. */
export function webhookDeliverer(deps: DeliveryDeps): Deliverer {
  return oneByOne(
    'webhook',
    async (message: OutboxMessage): Promise<DeliveryOutcome> => {
      const channel = deps.policy.channels.get(message.target);
      if (!channel?.url && !deps.inbox) return unsetChannel(message.target);
      const { event } = message.payload as WebhookPayload;
      const body = JSON.stringify({
        id: message.id,
        organization: deps.policy.organization,
        event: { ...event, changeId: formatChangeId(event.changeId) },
        change: {
          id: formatChangeId(event.changeId),
          url: `${deps.publicUrl}/changes/${formatChangeId(event.changeId)}`,
        },
      });
      const now = deps.clock.now();
      deps.inbox?.record({
        kind: 'webhook',
        at: now.toISOString(),
        to: message.target,
        subject: `${event.type} on ${formatChangeId(event.changeId)}`,
        body: JSON.parse(body),
      });
      if (!channel?.url) return { ok: true };
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-changeboard-delivery': message.id,
        'x-changeboard-event': event.type,
      };
      if (channel.secret)
        headers['x-changeboard-signature'] = signWebhook(channel.secret, body, now);
      try {
        return outcomeOfResponse(await deps.http({ url: channel.url, headers, body }), now);
      } catch (error) {
        return outcomeOfError(error);
      }
    },
    { changesAtOnce: CHANGES_AT_ONCE },
  );
}
