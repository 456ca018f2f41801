import { formatChangeId, type Change } from '../../domain/change.js';
import { StringEnum } from '../../shared/schema.js';

/** The status context branch protection can require. */
export const STATUS_CONTEXT = 'changeboard/approval';
/** The outbox kind of "set the commit status of a change's head". */
export const GITHUB_STATUS_KIND = 'github-status';

export const STATUS_STATES = ['pending', 'success', 'failure'] as const;
export const StatusState = StringEnum(STATUS_STATES);
export type StatusState = (typeof STATUS_STATES)[number];

export interface CommitStatus {
  readonly state: StatusState;
  /** GitHub cuts descriptions at 140 characters. */
  readonly description: string;
  readonly targetUrl: string;
}

/** What GitHub shows for a change's commit: pending until approved, success from then on, failure if it never will be. */
export function commitStatusFor(change: Change, publicUrl: string): CommitStatus {
  const id = formatChangeId(change.id);
  const targetUrl = `${publicUrl}/changes/${id}`;
  switch (change.state) {
    case 'draft':
      return {
        state: 'pending',
        description: `${id} is a draft: answer its questions and submit it`,
        targetUrl,
      };
    case 'pending':
      return { state: 'pending', description: `${id} is waiting for approval`, targetUrl };
    case 'approved':
    case 'in_progress':
    case 'completed':
    case 'verified':
    case 'failed':
      // The status is about approval: a change that failed in production was still approved.
      return { state: 'success', description: `${id} is approved`, targetUrl };
    case 'rejected':
      return { state: 'failure', description: `${id} was rejected`, targetUrl };
    case 'withdrawn':
      return { state: 'failure', description: `${id} was withdrawn`, targetUrl };
  }
}
