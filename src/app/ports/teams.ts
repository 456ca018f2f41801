/** What the Teams bot keeps (migration 0017): where it may post, and what it posted. */

/** A conversation the bot was installed in, as Teams addressed it then. */
export interface TeamsConversation {
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId: string | null;
  /** The conversation reference of the install activity, as received. */
  readonly reference: Record<string, unknown>;
}

/** The one card a channel shows for a change, updated in place as the change moves. */
export interface TeamsCard {
  readonly changeId: number;
  readonly channel: string;
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly activityId: string;
}

/**
 * Each write is one statement that stands alone (like an outbox row's outcome):
 * none is part of a change or of the hash chain.
 */
export interface TeamsStore {
  rememberConversation(conversation: TeamsConversation, at: string): Promise<void>;
  findConversation(conversationId: string): Promise<TeamsConversation | undefined>;
  findCard(changeId: number, channel: string): Promise<TeamsCard | undefined>;
  /** Cards of a change, by channel. */
  listCards(changeId: number): Promise<TeamsCard[]>;
  /**
   * Records the card a channel shows for a change: a new one only if the
   * channel has none yet, or, with `replacing`, in place of that activity only.
   * False when another delivery saved its card first.
   */
  saveCard(card: TeamsCard, at: string, replacing?: string): Promise<boolean>;
  /** The answer given to an invoke before, when Teams delivers it again. */
  findInvokeAnswer(activityId: string): Promise<unknown>;
  /** False when another delivery of the same invoke answered first. Forgets answers a day old. */
  saveInvokeAnswer(activityId: string, answer: unknown, at: string): Promise<boolean>;
}
