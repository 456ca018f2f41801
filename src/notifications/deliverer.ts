import type { OutboxMessage } from '../app/ports.js';

/** How one delivery attempt went. */
export type DeliveryOutcome =
  | {
      readonly ok: true;
      /** Nothing was sent because it is no longer needed, and why. */
      readonly skipped?: string;
    }
  | {
      readonly ok: false;
      /** No retry can help (a 404 URL, a rejected recipient, an unset variable): dead-letter at once. */
      readonly permanent: boolean;
      readonly reason: string;
      /** The receiver said when to come back (HTTP 429/503 Retry-After). */
      readonly retryAfterMs?: number;
    };

/**
 * Sends outbox messages of one `kind`. The dispatcher hands it every due message
 * for one target at once, so a deliverer that can combine them (e-mail digests)
 * does; others send each in turn. Returns one outcome per message.
 */
export interface Deliverer {
  readonly kind: string;
  deliver(messages: readonly OutboxMessage[]): Promise<DeliveryOutcome[]>;
}

/**
 * Delivers each message on its own with `send`; a `send` that throws fails its
 * own message only (to be retried), never the others. One change's messages go
 * in order (a card, then its update; a pending status, then success); with
 * `changesAtOnce` above one, different changes' messages go side by side, that
 * many at a time, so that one busy channel is not a queue of round trips (50
 * cards a second to one Teams channel, each waiting for the last), and a message
 * to be retried holds back the later ones of its change.
 */
export function oneByOne(
  kind: string,
  send: (message: OutboxMessage) => Promise<DeliveryOutcome>,
  { changesAtOnce = 1 }: { changesAtOnce?: number } = {},
): Deliverer {
  const attempt = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
    try {
      return await send(message);
    } catch (error) {
      return {
        ok: false,
        permanent: false,
        reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  };
  return {
    kind,
    async deliver(messages) {
      const outcomes: DeliveryOutcome[] = [];
      if (changesAtOnce <= 1) {
        for (const message of messages) outcomes.push(await attempt(message));
        return outcomes;
      }
      // Lanes by change, in the order they first appear; messages about no change share one.
      const lanes = new Map<number | null, number[]>();
      for (const [i, message] of messages.entries()) {
        const lane = lanes.get(message.changeId);
        if (lane) lane.push(i);
        else lanes.set(message.changeId, [i]);
      }
      const waiting = [...lanes.values()];
      const worker = async () => {
        for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
          let heldBack: DeliveryOutcome | undefined;
          for (const i of lane) {
            if (heldBack) {
              outcomes[i] = heldBack;
              continue;
            }
            const outcome = (outcomes[i] = await attempt(messages[i]!));
            if (!outcome.ok && !outcome.permanent)
              heldBack = {
                ok: false,
                permanent: false,
                reason: 'waits for an earlier message about the same change',
                ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }),
              };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(changesAtOnce, waiting.length) }, worker));
      return outcomes;
    },
  };
}

/** How many changes' messages a channel's deliverer sends side by side (chat channels, webhooks). */
export const CHANGES_AT_ONCE = 8;
