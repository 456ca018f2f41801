import type { ChangeSubject, Decision, RequirementSpec } from './change.js';
import { matchesCondition } from './conditions.js';
import type { ChangeType, Policy } from './policy.js';
import { SERVICE_APPROVERS } from './policy.js';

/** The approvals a change needs, from its type, its services and its answers. */
export function computeRequirements(policy: Policy, subject: ChangeSubject): RequirementSpec[] {
  const changeType = policy.changeTypes.get(subject.type);
  if (!changeType) return [];
  const requirements: RequirementSpec[] = [];
  for (const rule of changeType.approvals) {
    if (!matchesCondition(rule.when, subject)) continue;
    if (rule.from !== SERVICE_APPROVERS) {
      requirements.push({ group: rule.from, count: rule.count });
      continue;
    }
    for (const serviceId of subject.services) {
      const group = policy.services.get(serviceId)?.approvers;
      if (group) requirements.push({ group, count: rule.count, service: serviceId });
    }
  }
  return requirements;
}

export interface RequirementStatus extends RequirementSpec {
  readonly met: boolean;
  /** Approvals counted towards this requirement, in the order they were given. */
  readonly approvedBy: readonly string[];
  /** Who could still approve to move this requirement; empty once it is met. */
  readonly canApprove: readonly string[];
}

export interface ApprovalEvaluation {
  readonly requirements: readonly RequirementStatus[];
  readonly allMet: boolean;
  /** People who may approve or reject now: members of a group with an open requirement, not yet decided, never the requester. */
  readonly eligibleApprovers: ReadonlySet<string>;
}

type GroupMembers = (group: string) => readonly string[];

/**
 * Where each approval counts. Without `distinctApprovers` an approval counts for
 * every requirement whose group holds the approver. With it, each approver fills
 * at most one slot, and we take a maximum matching of approvers to slots, so the
 * order in which people approve never decides the outcome.
 */
export function evaluateApprovals(
  requirements: readonly RequirementSpec[],
  decisions: readonly Decision[],
  options: { requester: string | null; distinctApprovers: boolean; membersOf: GroupMembers },
): ApprovalEvaluation {
  const approvers = decisions
    .filter((decision) => decision.verdict === 'approve' && decision.person !== options.requester)
    .map((decision) => decision.person);
  const decided = new Set(decisions.map((decision) => decision.person));

  const matching = options.distinctApprovers
    ? matchDistinct(requirements, approvers, options.membersOf)
    : undefined;
  const counted = matching
    ? matching.byRequirement
    : requirements.map((requirement) => {
        const members = new Set(options.membersOf(requirement.group));
        return approvers.filter((person) => members.has(person));
      });
  const undecided = (person: string) => person !== options.requester && !decided.has(person);
  // With distinct approvers, a member of a met requirement's group can still move an open one: their approval
  // takes over a slot whose holder then moves to the open requirement (an augmenting path). Without counting
  // them, the order of approvals would decide whether the change can ever be approved.
  const everyone = [
    ...new Set(requirements.flatMap((requirement) => options.membersOf(requirement.group))),
  ].filter(undecided);
  const helps = matching
    ? new Map(everyone.map((person) => [person, openRequirementsReachable(matching, person)]))
    : undefined;

  const eligibleApprovers = new Set<string>();
  const statuses = requirements.map((requirement, index) => {
    const approvedBy = counted[index] ?? [];
    const met = approvedBy.length >= requirement.count;
    const canApprove = met
      ? []
      : helps
        ? [
            ...new Set([...options.membersOf(requirement.group).filter(undecided), ...everyone]),
          ].filter((person) => helps.get(person)?.has(index))
        : options.membersOf(requirement.group).filter(undecided);
    canApprove.forEach((person) => eligibleApprovers.add(person));
    return { ...requirement, met, approvedBy, canApprove };
  });
  return {
    requirements: statuses,
    allMet: statuses.every((status) => status.met),
    eligibleApprovers,
  };
}

/**
 * The groups of requirements that nobody but the requester could ever meet, e.g. a
 * group of one that is the requester. Empty when a full set of approvals is possible.
 */
export function findUnsatisfiable(
  requirements: readonly RequirementSpec[],
  options: { requester: string | null; distinctApprovers: boolean; membersOf: GroupMembers },
): string[] {
  const candidates = [
    ...new Set(requirements.flatMap((requirement) => options.membersOf(requirement.group))),
  ].filter((person) => person !== options.requester);
  if (!options.distinctApprovers) {
    return requirements
      .filter(
        (requirement) =>
          options.membersOf(requirement.group).filter((p) => p !== options.requester).length <
          requirement.count,
      )
      .map((requirement) => requirement.group);
  }
  const assigned = assignDistinct(requirements, candidates, options.membersOf);
  return requirements
    .filter((requirement, index) => (assigned[index]?.length ?? 0) < requirement.count)
    .map((requirement) => requirement.group);
}

interface Matching {
  /** The requirement index of each slot: a requirement with count N has N slots. */
  readonly slots: readonly number[];
  readonly slotHolder: readonly (string | undefined)[];
  readonly memberSets: readonly ReadonlySet<string>[];
  /** Approvals counted towards each requirement, in approval order. */
  readonly byRequirement: string[][];
}

/** Maximum bipartite matching of people to requirement slots (Kuhn's augmenting paths). */
function matchDistinct(
  requirements: readonly RequirementSpec[],
  people: readonly string[],
  membersOf: GroupMembers,
): Matching {
  const slots: number[] = requirements.flatMap((requirement, index) =>
    Array<number>(requirement.count).fill(index),
  );
  const memberSets = requirements.map((requirement) => new Set(membersOf(requirement.group)));
  const slotHolder: (string | undefined)[] = slots.map(() => undefined);

  const tryAssign = (person: string, visited: Set<number>): boolean => {
    for (let slot = 0; slot < slots.length; slot++) {
      if (visited.has(slot) || !memberSets[slots[slot]!]!.has(person)) continue;
      visited.add(slot);
      const holder = slotHolder[slot];
      if (holder === undefined || tryAssign(holder, visited)) {
        slotHolder[slot] = person;
        return true;
      }
    }
    return false;
  };
  for (const person of people) tryAssign(person, new Set());

  const byRequirement: string[][] = requirements.map(() => []);
  // Report in approval order, whatever order the matching filled the slots in.
  for (const person of people) {
    const slot = slotHolder.indexOf(person);
    if (slot >= 0) byRequirement[slots[slot]!]!.push(person);
  }
  return { slots, slotHolder, memberSets, byRequirement };
}

function assignDistinct(
  requirements: readonly RequirementSpec[],
  people: readonly string[],
  membersOf: GroupMembers,
): string[][] {
  return matchDistinct(requirements, people, membersOf).byRequirement;
}

/**
 * The requirements with a free slot that `person`'s approval would fill: those reachable along an
 * alternating path (a slot the person may hold, then its holder's other slots, and so on).
 */
function openRequirementsReachable(matching: Matching, person: string): Set<number> {
  const { slots, slotHolder, memberSets } = matching;
  const reached = new Set<number>();
  const visitedSlots = new Set<number>();
  const visitedPeople = new Set<string>([person]);
  const queue = [person];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (let slot = 0; slot < slots.length; slot++) {
      if (visitedSlots.has(slot) || !memberSets[slots[slot]!]!.has(next)) continue;
      visitedSlots.add(slot);
      const holder = slotHolder[slot];
      if (holder === undefined) reached.add(slots[slot]!);
      else if (!visitedPeople.has(holder)) {
        visitedPeople.add(holder);
        queue.push(holder);
      }
    }
  }
  return reached;
}

export function requirementsFor(policy: Policy, changeType: ChangeType | undefined) {
  return {
    distinctApprovers: changeType?.distinctApprovers ?? false,
    membersOf: (group: string) => policy.groups.get(group) ?? [],
  };
}
