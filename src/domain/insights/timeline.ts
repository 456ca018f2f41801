import type { Change } from '../change.js';
import type { AuditEvent } from '../events.js';

/**
 * One change as the insights read it: the change and its own events, in chain
 * order. Every figure is computed from these, so a hand-made history in a test
 * gives the same numbers as the store.
 */
export interface ChangeHistory {
  readonly change: Change;
  readonly events: readonly AuditEvent[];
}

/** When each thing first happened to a change, from its events (ISO instants, null when it has not). */
export interface Timeline {
  readonly id: number;
  readonly createdAt: string;
  /** The pull request's approval when the change was drafted from GitHub (its `created` event), else null. */
  readonly pullRequestApprovedAt: string | null;
  /** The submission that led to the decision (the last one before it), else the first one. */
  readonly submittedAt: string | null;
  /** When approvers were asked in the round the change was decided in. */
  readonly requestedAt: string | null;
  /** The first approval or rejection by anyone, after `requestedAt`. */
  readonly firstResponseAt: string | null;
  /** The FIRST decision: with `decidedAt`, what time to decision measures. */
  readonly outcome: 'approved' | 'rejected' | null;
  /**
   * Where the change stands now: the last approval or rejection, null again once
   * a new round (an edit, approvals withdrawn, a resubmission) reopened it. The
   * approval and rejection rates and the promotion candidates count this.
   */
  readonly finalOutcome: 'approved' | 'rejected' | null;
  /** Rejected in any round, or an approver rejected it after it had started: never a standard change. */
  readonly everRejected: boolean;
  /**
   * Submitted and needing no approval: raised from a standard change template, or
   * no requirements at the submission decided on. Approved the instant it was
   * submitted, it is left out of time to decision, the rates and the counterfactual.
   */
  readonly preApproved: boolean;
  /** When it became approved (or, started early, when its last requirement was met) or rejected. */
  readonly decidedAt: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly failedAt: string | null;
  readonly verifiedAt: string | null;
  /** Was it ever discussed by a meeting, and at which sittings (`meeting@occurrence`). */
  readonly sittings: readonly string[];
  /** Per approver group of the decided round: first response and that group's decision. */
  readonly groups: readonly GroupTiming[];
}

export interface GroupTiming {
  readonly group: string;
  readonly firstResponseAt: string | null;
  /** When the group's requirement was met, or a member rejected. */
  readonly decidedAt: string | null;
}

export const minutesBetween = (from: string, to: string): number =>
  (Date.parse(to) - Date.parse(from)) / 60_000;

/**
 * `membersOf` names the people of a group (policy `groups`): a rejection says
 * who rejected, not for which requirement, so it counts for every group of the
 * change's requirements that the person is in.
 */
export function timelineOf(
  history: ChangeHistory,
  membersOf: (group: string) => readonly string[],
): Timeline {
  const { change, events } = history;
  let createdAt = change.createdAt;
  let pullRequestApprovedAt: string | null = null;
  let lastSubmittedAt: string | null = null;
  let submittedAt: string | null = null;
  let outcome: Timeline['outcome'] = null;
  let decidedAt: string | null = null;
  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let failedAt: string | null = null;
  let verifiedAt: string | null = null;
  let decidedRound: number | null = null;
  let finalOutcome: Timeline['finalOutcome'] = null;
  let everRejected = false;
  // The requirements of the latest submission (or round-opening edit), and of the one decided on.
  let lastRequirements: unknown;
  let decidedRequirements: unknown;
  const sittings = new Set<string>();
  const decide = (kind: 'approved' | 'rejected', at: string, round: unknown) => {
    finalOutcome = kind;
    if (kind === 'rejected') everRejected = true;
    // Time to decision keeps the first decision.
    if (outcome !== null) return;
    outcome = kind;
    decidedRequirements = lastRequirements;
    decidedAt = at;
    submittedAt = lastSubmittedAt;
    decidedRound = typeof round === 'number' ? round : null;
  };
  let round = 1;
  for (const event of events) {
    const data = event.data;
    switch (event.type) {
      case 'created':
        createdAt = event.at;
        if (data.source === 'github') pullRequestApprovedAt = event.at;
        break;
      case 'submitted':
        lastSubmittedAt = event.at;
        if (typeof data.round === 'number') round = data.round;
        lastRequirements = data.requirements;
        finalOutcome = null;
        break;
      case 'edited':
        if (typeof data.round === 'number') {
          round = data.round;
          lastRequirements = data.requirements;
          finalOutcome = null;
        }
        break;
      case 'approvals-withdrawn':
        finalOutcome = null;
        break;
      case 'approval-rejected':
        if (startedAt !== null || data.afterStart === true) everRejected = true;
        break;
      case 'approval-granted':
        if (typeof data.round === 'number') round = data.round;
        if (data.requirementsMet === true) decide('approved', event.at, round);
        break;
      case 'approved':
        decide('approved', event.at, round);
        break;
      case 'rejected':
        decide('rejected', event.at, round);
        break;
      case 'started':
        startedAt ??= event.at;
        break;
      case 'completed':
        completedAt ??= event.at;
        break;
      case 'failed':
        failedAt ??= event.at;
        break;
      case 'verified':
        verifiedAt ??= event.at;
        break;
      case 'discussed':
        sittings.add(
          `${typeof data.meeting === 'string' ? data.meeting : ''}@${typeof data.occurrence === 'string' ? data.occurrence : event.at}`,
        );
        break;
      case 'withdrawn':
      case 'reviewed':
      case 'commented':
      case 'absence-set':
      case 'absence-ended':
      case 'policy-changed':
        break;
    }
  }
  submittedAt ??= lastSubmittedAt ?? change.submittedAt;
  // Events recorded before submissions said their requirements: the change's own.
  const requirements = outcome === null ? lastRequirements : decidedRequirements;
  const preApproved =
    submittedAt !== null &&
    (change.template !== undefined ||
      (Array.isArray(requirements) ? requirements : change.requirements).length === 0);
  const theRound = decidedRound ?? change.round;
  // Approvers were asked at the submission (or the edit) that opened the decided round.
  const requestedAt =
    outcome === null ? change.requestedAt : (requestedIn(events, theRound) ?? submittedAt);
  const groups = groupTimings(change, events, theRound, requestedAt, membersOf);
  const responses = groups
    .map((g) => g.firstResponseAt)
    .filter((at): at is string => at !== null)
    .sort();
  return {
    id: change.id,
    createdAt,
    pullRequestApprovedAt,
    submittedAt,
    requestedAt,
    firstResponseAt: responses[0] ?? null,
    outcome,
    finalOutcome,
    everRejected,
    preApproved,
    decidedAt,
    startedAt,
    completedAt,
    failedAt,
    verifiedAt,
    sittings: [...sittings],
    groups,
  };
}

/** The last `submitted` or re-computing `edited` event of the round. */
function requestedIn(events: readonly AuditEvent[], round: number): string | null {
  let at: string | null = null;
  let current = 1;
  for (const event of events) {
    if (event.type !== 'submitted' && event.type !== 'edited') continue;
    const r = typeof event.data.round === 'number' ? event.data.round : current;
    if (event.type === 'edited' && typeof event.data.round !== 'number') continue;
    current = r;
    if (r === round) at = event.at;
  }
  return at;
}

function groupTimings(
  change: Change,
  events: readonly AuditEvent[],
  round: number,
  requestedAt: string | null,
  membersOf: (group: string) => readonly string[],
): GroupTiming[] {
  if (requestedAt === null) return [];
  const needed = new Map<string, number>();
  for (const r of change.requirements)
    needed.set(r.group, Math.max(needed.get(r.group) ?? 0, r.count));
  const timings = new Map<string, { first: string | null; decided: string | null; got: number }>();
  for (const group of needed.keys()) timings.set(group, { first: null, decided: null, got: 0 });
  for (const event of events) {
    if (event.data.round !== round || event.at < requestedAt) continue;
    const person = typeof event.data.onBehalfOf === 'string' ? event.data.onBehalfOf : event.actor;
    if (event.type === 'approval-granted') {
      const countedFor = Array.isArray(event.data.countedFor) ? event.data.countedFor : [];
      for (const group of countedFor) {
        const t = typeof group === 'string' ? timings.get(group) : undefined;
        if (!t) continue;
        t.first ??= event.at;
        t.got++;
        if (t.got >= (needed.get(group as string) ?? 1)) t.decided ??= event.at;
      }
    } else if (event.type === 'approval-rejected') {
      for (const [group, t] of timings) {
        if (!membersOf(group).includes(person)) continue;
        t.first ??= event.at;
        t.decided ??= event.at;
      }
    }
  }
  return [...timings].map(([group, t]) => ({
    group,
    firstResponseAt: t.first,
    decidedAt: t.decided,
  }));
}
