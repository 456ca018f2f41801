import { randomUUID } from 'node:crypto';

/** A message as its recipient would have received it, kept by the demo inbox. */
export interface DemoMessage {
  readonly id: string;
  readonly kind: 'email' | 'teams' | 'slack' | 'webhook';
  readonly at: string;
  /** A person ("Lee Wong <lee@example.com>") or a channel of the policy ("change-board"). */
  readonly to: string;
  readonly subject: string;
  /** E-mail: the HTML part, shown as the recipient's mail program would. */
  readonly html?: string;
  readonly text?: string;
  /** Teams: the Adaptive Card; Slack: the Block Kit message; webhook: the signed JSON body. */
  readonly body?: unknown;
}

const KEPT = 200;

/**
 * Demo mode's outbox window (no SMTP_URL, the bundled example policy): what
 * would have been sent, kept in memory, newest first, so a newcomer can open the
 * approval e-mail and press Approve. Never on disk: its e-mails hold live sign-in
 * and action links, and nothing else stores those secrets.
 */
export class DemoInbox {
  readonly #messages: DemoMessage[] = [];

  record(message: Omit<DemoMessage, 'id'>): void {
    this.#messages.unshift({ id: randomUUID(), ...message });
    this.#messages.length = Math.min(this.#messages.length, KEPT);
  }

  list(): readonly DemoMessage[] {
    return this.#messages;
  }

  find(id: string): DemoMessage | undefined {
    return this.#messages.find((message) => message.id === id);
  }
}
