import { takesDecisions } from '../../domain/approval.js';
import type { Change, Decision } from '../../domain/change.js';
import type { AuditEvent } from '../../domain/events.js';
import type { Policy } from '../../domain/policy.js';
import type { ApprovalEvaluation } from '../../domain/requirements.js';

/**
 * Where a change stands, in one line, for a chat message updated in place as it
 * moves: "Approved by Lee Wong and Kim Park, 2 of 2 — waiting for nothing".
 * `last` is the change's latest lifecycle event (who withdrew or started it).
 */
export function stateLine(
  policy: Policy,
  change: Change,
  decisions: readonly Decision[],
  evaluation: ApprovalEvaluation,
  last?: Pick<AuditEvent, 'type' | 'actor' | 'data'>,
): string {
  const name = (id: string) => policy.people.get(id)?.name ?? id;
  const by = (d: Decision) =>
    d.standIn ? `${name(d.standIn)} (for ${name(d.person)})` : name(d.person);
  const approvals = decisions.filter((d) => d.verdict === 'approve').map(by);
  const needed = evaluation.requirements.reduce((n, r) => n + r.count, 0);
  const given = evaluation.requirements.reduce(
    (n, r) => n + Math.min(r.count, r.approvedBy.length),
    0,
  );
  const tally =
    needed === 0
      ? 'No approval needed'
      : approvals.length > 0
        ? `Approved by ${joinNames(approvals)}, ${given} of ${needed}`
        : `No approval yet, 0 of ${needed}`;
  const open = evaluation.requirements
    .filter((r) => !r.met)
    .map((r) => `${r.count - Math.min(r.count, r.approvedBy.length)} from ${r.group}`);
  const waiting = `waiting for ${open.length ? open.join(' and ') : 'nothing'}`;
  const actor = last ? name(last.actor) : undefined;
  switch (change.state) {
    case 'draft':
      return 'Back in draft: the requester is editing it';
    case 'pending':
      return `${tally} — ${open.length === 0 ? 'waiting for the meeting that holds it' : waiting}`;
    case 'approved':
      return `${tally} — waiting for nothing: approved, ready to start`;
    case 'rejected': {
      const rejection = decisions.find((d) => d.verdict === 'reject');
      return rejection
        ? `Rejected by ${by(rejection)}${rejection.comment ? `: “${rejection.comment}”` : ''}`
        : 'Rejected';
    }
    case 'withdrawn':
      return `Withdrawn${actor && last?.type === 'withdrawn' ? ` by ${actor}` : ''}`;
    case 'in_progress':
    case 'completed':
    case 'failed':
    case 'verified': {
      const verb = {
        in_progress: 'Started',
        completed: 'Completed',
        failed: 'Failed',
        verified: 'Verified',
      }[change.state];
      const who = actor && last?.type === LAST_EVENT[change.state] ? ` by ${actor}` : '';
      // Started early: the approvals still open are still decided.
      const still = takesDecisions(policy, change, evaluation) ? ` — ${tally}, ${waiting}` : '';
      return `${verb}${who}${still}`;
    }
  }
}

const LAST_EVENT = {
  in_progress: 'started',
  completed: 'completed',
  failed: 'failed',
  verified: 'verified',
} as const;

function joinNames(names: readonly string[]): string {
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}
