/** GitHub webhook deliveries. */

export const WEBHOOK_OUTCOMES = ['processed', 'ignored', 'refused'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/** One GitHub webhook delivery, as received and what came of it. */
export interface GithubDelivery {
  /** `X-GitHub-Delivery`: a manual redelivery keeps it, so it is what makes a delivery count once. */
  readonly id: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
  readonly receivedAt: string;
  readonly outcome: WebhookOutcome;
  readonly message: string;
  readonly changeId: number | null;
}

export interface GithubRepository {
  /** False when a delivery with this id was recorded before: it is a redelivery. */
  insertDelivery(delivery: GithubDelivery): Promise<boolean>;
  findDelivery(id: string): Promise<GithubDelivery | undefined>;
  updateDelivery(
    id: string,
    result: Pick<GithubDelivery, 'outcome' | 'message' | 'changeId'>,
  ): Promise<void>;
  /** Newest first; `before` continues after the last one of a previous page. */
  listDeliveries(query: {
    limit: number;
    before?: { receivedAt: string; id: string };
  }): Promise<GithubDelivery[]>;
  deleteDeliveriesBefore(receivedAt: string): Promise<void>;
  /**
   * Serialises work on one pull request until the transaction ends, so two
   * approvals arriving at once draft one change, not two. Must run in a transaction.
   */
  lockPullRequest(repository: string, number: number): Promise<void>;
}
