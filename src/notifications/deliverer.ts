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

/** Delivers each message on its own with `send`, which must not throw. */
export function oneByOne(
  kind: string,
  send: (message: OutboxMessage) => Promise<DeliveryOutcome>,
): Deliverer {
  return {
    kind,
    async deliver(messages) {
      const outcomes: DeliveryOutcome[] = [];
      for (const message of messages) outcomes.push(await send(message));
      return outcomes;
    },
  };
}
