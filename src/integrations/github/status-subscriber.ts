import { randomUUID } from 'node:crypto';
import type { EventSubscriber } from '../../app/ports.js';
import type { AuditEvent } from '../../domain/events.js';
import { commitStatusFor, GITHUB_STATUS_KIND } from './commit-status.js';
import type { StatusJob } from './status-deliverer.js';

/**
 * Keeps GitHub told: whenever an action changes what a PR change's commit status
 * should say (or moves its head), an outbox row in the same transaction asks for
 * the status of the head commit. Nothing is sent for work that rolled back.
 */
export function githubStatusSubscriber(options: {
  readonly publicUrl: string;
  readonly tokenConfigured: boolean;
}): EventSubscriber {
  return {
    messagesFor(_tx, events, change) {
      const pullRequest = change.pullRequest;
      const last = events.at(-1);
      if (!pullRequest || !last || !events.some(movesStatus)) return Promise.resolve([]);
      const job: StatusJob = {
        repository: pullRequest.repository,
        sha: pullRequest.headSha,
        changeId: change.id,
        ...commitStatusFor(change, options.publicUrl),
      };
      return Promise.resolve([
        {
          id: randomUUID(),
          kind: GITHUB_STATUS_KIND,
          target: pullRequest.repository,
          changeId: change.id,
          eventId: last.id,
          payload: job,
          notBefore: last.at,
          deadReason: options.tokenConfigured
            ? undefined
            : 'GITHUB_TOKEN is not set, so Changeboard cannot set commit statuses',
        },
      ]);
    },
  };
}

function movesStatus(event: AuditEvent): boolean {
  switch (event.type) {
    case 'created':
    case 'submitted':
    case 'approvals-withdrawn':
    case 'approved':
    case 'rejected':
    case 'withdrawn':
      return true;
    case 'edited': {
      const changes = event.data.changes;
      return typeof changes === 'object' && changes !== null && 'headSha' in changes;
    }
    case 'approval-granted':
    case 'approval-rejected':
    case 'reviewed':
    case 'started':
    case 'completed':
    case 'failed':
    case 'verified':
    case 'commented':
    case 'discussed':
    case 'absence-set':
    case 'absence-ended':
    case 'policy-changed':
      return false;
  }
}
