import { AppError } from '../domain/errors.js';
import { draftFromPullRequest } from './draft-from-pull-request.js';
import type { AppDeps } from './deps.js';
import type { GithubNotice, NoticeResult } from './github-notices.js';
import type { GithubDelivery, Transaction, TransactionWith } from './ports.js';
import { recordDeploymentStatus } from './record-deployment-status.js';
import { recordPullRequestMerge } from './record-pull-request-merge.js';
import { recordPullRequestPush } from './record-pull-request-push.js';

/** How long a delivery id is remembered. GitHub lets people redeliver for a few days; a month is plenty. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;

export interface DeliveryHeader {
  readonly id: string;
  readonly event: string;
  readonly action: string | null;
  readonly repository: string | null;
}

export interface DeliveryReceipt {
  /** True when this delivery id was seen before: nothing was done again. */
  readonly duplicate: boolean;
  /** The delivery as recorded (for a duplicate, the first time). */
  readonly delivery: GithubDelivery;
}

/**
 * One verified webhook delivery: recorded by its id and acted on in one
 * transaction, so a redelivery (same id) finds it and changes nothing, and a
 * failure leaves neither the record nor half of its effects. Side effects on
 * GitHub (commit statuses) are outbox rows of the same transaction.
 */
export async function receiveGithubDelivery(
  deps: AppDeps,
  header: DeliveryHeader,
  notice: GithubNotice,
): Promise<DeliveryReceipt> {
  const now = deps.clock.now();
  const received: GithubDelivery = {
    ...header,
    receivedAt: now.toISOString(),
    outcome: 'ignored',
    message: 'received',
    changeId: null,
  };
  try {
    return await deps.store.transaction(async (tx) => {
      await tx.github.deleteDeliveriesBefore(
        new Date(now.getTime() - DELIVERY_RETENTION_MS).toISOString(),
      );
      if (!(await tx.github.insertDelivery(received))) return duplicateOf(tx, received);
      const result = await act(tx, deps, notice);
      await tx.github.updateDelivery(header.id, result);
      return { duplicate: false, delivery: { ...received, ...result } };
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The rules refused it (a deployment during a freeze, say): nothing changed, but the delivery is
    // recorded with the reason, for whoever looks at the deliveries, and so a redelivery is a duplicate.
    const refused: GithubDelivery = { ...received, outcome: 'refused', message: error.message };
    return deps.store.transaction(async (tx) =>
      (await tx.github.insertDelivery(refused))
        ? { duplicate: false, delivery: refused }
        : duplicateOf(tx, refused),
    );
  }
}

async function duplicateOf(
  tx: TransactionWith<'github'>,
  delivery: GithubDelivery,
): Promise<DeliveryReceipt> {
  return { duplicate: true, delivery: (await tx.github.findDelivery(delivery.id)) ?? delivery };
}

function act(tx: Transaction, deps: AppDeps, notice: GithubNotice): Promise<NoticeResult> {
  switch (notice.kind) {
    case 'review-approved':
      return draftFromPullRequest(tx, deps, notice.pullRequest, notice.reviewer);
    case 'pushed':
      return recordPullRequestPush(tx, deps, notice.pullRequest);
    case 'merged':
      return recordPullRequestMerge(tx, deps, notice.pullRequest, notice.mergeSha);
    case 'deployment':
      return recordDeploymentStatus(tx, deps, notice.deployment);
    case 'ignored':
      return Promise.resolve({ outcome: 'ignored', message: notice.reason, changeId: null });
  }
}
