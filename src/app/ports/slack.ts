/** The Slack app's messages about changes, kept so later events update them in place. */

export interface SlackMessage {
  readonly changeId: number;
  /** Whom it is for: `channel:<policy channel id>` or `person:<person id>` (a direct message). */
  readonly target: string;
  /** The approver a direct message went to. */
  readonly person: string | null;
  /** Slack's channel id (C…, or D… for a direct message) and the message's `ts`. */
  readonly channel: string;
  readonly ts: string;
  readonly postedAt: string;
  readonly updatedAt: string;
}

export interface SlackMessageRepository {
  /** False when one is already recorded for the change and target (another process posted it first). */
  insert(message: SlackMessage): Promise<boolean>;
  listForChange(changeId: number): Promise<SlackMessage[]>;
  find(changeId: number, target: string): Promise<SlackMessage | undefined>;
  touch(changeId: number, target: string, at: string): Promise<void>;
  /** Forgets a message Slack no longer has (deleted, or its channel archived): later updates skip it. */
  forget(changeId: number, target: string): Promise<void>;
}
