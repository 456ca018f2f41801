import type { RequirementSpec, Verdict } from './change.js';
import type { AuditEvent } from './events.js';

/**
 * What a change's own events say about how it was decided, for its evidence
 * report: the approval rounds with the requirements each asked for, and every
 * decision with who gave it, for whom, how, under which policy, and the
 * requirements it answered. Read from the events, not from the stored rows, so
 * the report shows the record itself (app/change-evidence.ts checks that the
 * rows agree with it).
 */

export interface EvidenceRound {
  readonly round: number;
  /** The event that asked for these approvals: `submitted`, or an edit that re-computed them. */
  readonly openedBy: AuditEvent;
  readonly requirements: readonly RequirementSpec[];
}

export interface EvidenceDecision {
  /** The `approval-granted` or `approval-rejected` event: its `policyHash` is the policy in force. */
  readonly event: AuditEvent;
  readonly round: number;
  /** Whose decision it is: the approver the policy names. */
  readonly person: string;
  /** Who gave it for them while they were away; undefined when they decided themselves. */
  readonly standIn?: string;
  /** How it was given, when not on the board itself (`external-link`). */
  readonly via?: string;
  readonly verdict: Verdict;
  readonly comment: string | null;
  /** Given after the change was started early: it no longer moves the change. */
  readonly afterStart: boolean;
  /**
   * The requirements of its round it answered: for an approval, those it
   * counted towards; for a rejection, those whose group holds the person.
   * Empty when that cannot be told (no requirement matches, or the policy in
   * force is not stored).
   */
  readonly requirements: readonly RequirementSpec[];
}

/** Group members under the policy an event cites, when that policy can be read. */
export type MembersAt = (policyHash: string) => ((group: string) => readonly string[]) | undefined;

/** Every round in which approvals were asked for, oldest first. */
export function collectRounds(events: readonly AuditEvent[]): EvidenceRound[] {
  const rounds: EvidenceRound[] = [];
  for (const event of events) {
    const data = event.data as { round?: unknown; requirements?: unknown };
    const opens =
      event.type === 'submitted' || event.type === 'edited' || event.type === 'approvals-withdrawn';
    if (!opens || !Array.isArray(data.requirements)) continue;
    // Submissions recorded before rounds were numbered each opened the next one.
    const round =
      typeof data.round === 'number'
        ? data.round
        : event.type === 'submitted'
          ? (rounds.at(-1)?.round ?? 0) + 1
          : undefined;
    if (round === undefined) continue;
    const spec = data.requirements as RequirementSpec[];
    const existing = rounds.findIndex((r) => r.round === round);
    // An edit that withdrew approvals records the round twice (edited, approvals-withdrawn): one round.
    if (existing >= 0) rounds[existing] = { ...rounds[existing]!, requirements: spec };
    else rounds.push({ round, openedBy: event, requirements: spec });
  }
  return rounds;
}

/** Every decision of every round, oldest first, with the requirements it answered. */
export function collectDecisions(
  events: readonly AuditEvent[],
  rounds: readonly EvidenceRound[],
  membersAt: MembersAt,
): EvidenceDecision[] {
  const decisions: EvidenceDecision[] = [];
  let started = false;
  for (const event of events) {
    if (event.type === 'started') started = true;
    if (event.type !== 'approval-granted' && event.type !== 'approval-rejected') continue;
    const d = event.data as Record<string, unknown>;
    const round = Number(d.round);
    // A stand-in's decision is the absent person's: the event's actor is who gave it.
    const standIn = typeof d.onBehalfOf === 'string' ? event.actor : undefined;
    const person = typeof d.onBehalfOf === 'string' ? d.onBehalfOf : event.actor;
    const verdict: Verdict = event.type === 'approval-granted' ? 'approve' : 'reject';
    const asked = rounds.find((r) => r.round === round)?.requirements ?? [];
    decisions.push({
      event,
      round,
      person,
      ...(standIn !== undefined && { standIn }),
      ...(typeof d.via === 'string' && { via: d.via }),
      verdict,
      comment: typeof d.comment === 'string' ? d.comment : null,
      afterStart: started || d.afterStart === true,
      requirements: answered(asked, person, d.countedFor, membersAt(event.policyHash)),
    });
  }
  return decisions;
}

/**
 * An approval says where it counted when it was given (`countedFor`); a
 * rejection, or an approval recorded before that was kept, answered the
 * requirements whose group held the person under the policy then in force.
 */
function answered(
  asked: readonly RequirementSpec[],
  person: string,
  countedFor: unknown,
  membersOf: ((group: string) => readonly string[]) | undefined,
): RequirementSpec[] {
  if (Array.isArray(countedFor)) return asked.filter((r) => countedFor.includes(r.group));
  if (!membersOf) return [];
  return asked.filter((r) => membersOf(r.group).includes(person));
}
