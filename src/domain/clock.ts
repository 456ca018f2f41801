import type { Change, ChangeState } from './change.js';
import type { AuditEvent } from './events.js';

/**
 * The seed's clock: how long a change took, from its own events. The emergency
 * CAB's story was "raised, three roles approved, completed and verified within
 * 27 minutes"; this says the same for every change.
 */
export interface ChangeClock {
  readonly createdAt: string;
  readonly submittedAt: string | null;
  /** When approvers were last asked (at submit, or when an edit opened a new round): approvals count from here. */
  readonly requestedAt: string | null;
  /**
   * When every requirement of the current round was met: when it was approved,
   * or, for a change started early (which never passes through `approved`), the
   * approval that met the last open requirement. Null while approvals are open.
   */
  readonly approvedAt: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly verifiedAt: string | null;
  /** When it reached its end state (verified, rejected, withdrawn or failed); null while it is open. */
  readonly endedAt: string | null;
  readonly endState: EndState | null;
  /** Created → end, or null while the change is open (the reader counts to now). */
  readonly totalMs: number | null;
  /** Submitted → end, or null while open or never submitted. */
  readonly submittedToEndMs: number | null;
  /** Each approval of the current round, one per requirement (group) it counted for, oldest first. */
  readonly approvals: readonly ClockApproval[];
  /** Request → approved (every requirement met, see `approvedAt`), for the current round. */
  readonly approvedAfterMs: number | null;
  /** Request → started; on an early start it comes before `approvedAt`. */
  readonly startedAfterRequestMs: number | null;
}

export type EndState = Extract<ChangeState, 'verified' | 'rejected' | 'withdrawn' | 'failed'>;

export interface ClockApproval {
  /** The requirement it counted for; null when it counted for none (or the event predates `countedFor`). */
  readonly group: string | null;
  /** Whose approval it is (the person the policy names, also when a stand-in gave it). */
  readonly person: string;
  readonly at: string;
  /** Request → this approval. */
  readonly afterRequestMs: number;
}

const END_EVENTS = {
  verified: 'verified',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
  failed: 'failed',
} as const satisfies Partial<Record<AuditEvent['type'], EndState>>;

/**
 * The clock of `change` from its events (oldest first, as stored). Only the
 * current round's approvals count: an edit that reopens the round asks again,
 * and the clock restarts at `requestedAt`.
 */
export function changeClock(change: Change, events: readonly AuditEvent[]): ChangeClock {
  const requestedAt = change.requestedAt;
  const since = (from: string | null, to: string | null) =>
    from === null || to === null ? null : Date.parse(to) - Date.parse(from);

  let submittedAt = change.submittedAt;
  let approvedAt: string | null = null;
  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let verifiedAt: string | null = null;
  let end: { at: string; state: EndState } | null = null;
  const approvals: ClockApproval[] = [];

  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'submitted':
        submittedAt ??= event.at;
        break;
      case 'edited':
        // A new round: what was approved before no longer counts.
        if (typeof data.round === 'number') approvedAt = null;
        break;
      case 'approvals-withdrawn':
        approvedAt = null;
        break;
      case 'approval-granted': {
        if (data.round !== change.round || requestedAt === null) break;
        const person = typeof data.onBehalfOf === 'string' ? data.onBehalfOf : event.actor;
        const groups = Array.isArray(data.countedFor)
          ? data.countedFor.filter((g): g is string => typeof g === 'string')
          : [];
        const afterRequestMs = Date.parse(event.at) - Date.parse(requestedAt);
        for (const group of groups.length > 0 ? groups : [null])
          approvals.push({ group, person, at: event.at, afterRequestMs });
        // Started early: no `approved` comes, this approval met the last requirement.
        if (data.requirementsMet === true) approvedAt ??= event.at;
        break;
      }
      case 'approved':
        approvedAt = event.at;
        break;
      case 'started':
        startedAt = event.at;
        break;
      case 'completed':
        completedAt = event.at;
        break;
      case 'verified':
      case 'rejected':
      case 'withdrawn':
      case 'failed':
        if (event.type === 'verified') verifiedAt = event.at;
        end = { at: event.at, state: END_EVENTS[event.type] };
        break;
      case 'created':
      case 'approval-rejected':
      case 'commented':
      case 'discussed':
      case 'absence-set':
      case 'absence-ended':
      case 'policy-changed':
      case 'reviewed':
        break;
    }
  }
  // The stored state has the last word: an end event the change has since left behind does not end it.
  if (end && end.state !== change.state) end = null;
  const endedAt = end?.at ?? null;
  return {
    createdAt: change.createdAt,
    submittedAt,
    requestedAt,
    approvedAt,
    startedAt,
    completedAt,
    verifiedAt,
    endedAt,
    endState: end?.state ?? null,
    totalMs: since(change.createdAt, endedAt),
    submittedToEndMs: since(submittedAt, endedAt),
    approvals,
    approvedAfterMs: since(requestedAt, approvedAt),
    startedAfterRequestMs: since(requestedAt, startedAt),
  };
}
