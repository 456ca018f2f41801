import type { ChangeSubject, Decision, RequirementSpec } from './change.js';
import { matchesCondition } from './conditions.js';
import { EVERYONE_PRESENT, type Absence, type Presence } from './absence.js';
import type { ChangeType, Policy } from './policy.js';
import { SERVICE_APPROVERS } from './policy.js';
import { describeRule, serviceName } from './requirement-reasons.js';

/** The approvals a change needs, from its type, its services and its answers. */
export function computeRequirements(policy: Policy, subject: ChangeSubject): RequirementSpec[] {
  const changeType = policy.changeTypes.get(subject.type);
  if (!changeType) return [];
  const requirements: RequirementSpec[] = [];
  for (const rule of changeType.approvals) {
    if (!matchesCondition(rule.when, subject)) continue;
    if (rule.from !== SERVICE_APPROVERS) {
      requirements.push({
        group: rule.from,
        count: rule.count,
        reason: describeRule(policy, changeType, rule),
      });
      continue;
    }
    for (const serviceId of subject.services) {
      const group = policy.services.get(serviceId)?.approvers;
      if (group)
        requirements.push({
          group,
          count: rule.count,
          service: serviceId,
          reason: describeRule(policy, changeType, rule, serviceId),
        });
    }
  }
  return requirements;
}

/**
 * The requirements with a reason each. Requirements stored before reasons were
 * recorded borrow the reason of the matching requirement the current policy
 * gives (same group and service); failing that, they say what is still known.
 */
export function explainRequirements(
  policy: Policy,
  subject: ChangeSubject,
  requirements: readonly RequirementSpec[],
): readonly RequirementSpec[] {
  if (requirements.every((r) => r.reason !== undefined)) return requirements;
  const current = computeRequirements(policy, subject);
  const used = new Set<number>();
  const borrow = (same: (c: RequirementSpec) => boolean) => {
    const index = current.findIndex((c, i) => !used.has(i) && same(c));
    if (index < 0) return undefined;
    used.add(index);
    return current[index]!.reason;
  };
  return requirements.map((r) => {
    if (r.reason !== undefined) return r;
    const reason =
      borrow((c) => c.group === r.group && c.service === r.service && c.count === r.count) ??
      borrow((c) => c.group === r.group && c.service === r.service) ??
      (r.service !== undefined
        ? `touches ${serviceName(policy, r.service)}`
        : 'the policy required it when the change was submitted');
    return { ...r, reason };
  });
}

export interface RequirementStatus extends RequirementSpec {
  readonly met: boolean;
  /** Whose approvals count towards this requirement, in the order they were given (the person approved for, when a stand-in approved). */
  readonly approvedBy: readonly string[];
  /** Who could still approve to move this requirement (in person or through a stand-in); empty once it is met. */
  readonly canApprove: readonly string[];
  /** False when nobody who could move this open requirement is available: all away, none with a stand-in. */
  readonly available: boolean;
  /** Why it is not available ("Tom Becker is away until 12 Jan 2027 and has no delegate"). */
  readonly whyUnavailable?: string;
}

export interface ApprovalEvaluation {
  readonly requirements: readonly RequirementStatus[];
  readonly allMet: boolean;
  /** People who may approve or reject now, in their own name or for someone away; never the requester. */
  readonly eligibleApprovers: ReadonlySet<string>;
  /** For each eligible person, whose approval they may give: their own id, and those of the people away they stand in for. */
  readonly capacities: ReadonlyMap<string, readonly string[]>;
}

type GroupMembers = (group: string) => readonly string[];

export interface EvaluationOptions {
  readonly requester: string | null;
  readonly distinctApprovers: boolean;
  readonly membersOf: GroupMembers;
  /** Who is away and who stands in for them; everyone is present without it. */
  readonly presence?: Presence;
  readonly describeAway?: (absence: Absence) => string;
}

/** One approval: who gave it (`actor`), and whose approval it is (`seat`: the actor, or the person away they acted for). */
interface Approval {
  readonly actor: string;
  readonly seat: string;
}

/**
 * Where each approval counts. An approval counts for the requirements whose group
 * holds the person it was given for; a human counts once per requirement, whether
 * they approved in their own name or for someone away. With `distinctApprovers`
 * each human fills at most one slot overall, and we take a maximum matching of
 * humans to slots, so the order in which people approve never decides the outcome.
 */
export function evaluateApprovals(
  requirements: readonly RequirementSpec[],
  decisions: readonly Decision[],
  options: EvaluationOptions,
): ApprovalEvaluation {
  const { requester } = options;
  const presence = options.presence ?? EVERYONE_PRESENT;
  const approvals: Approval[] = decisions
    .map((d) => ({ actor: d.standIn ?? d.person, seat: d.person, verdict: d.verdict }))
    .filter((a) => a.verdict === 'approve' && a.actor !== requester && a.seat !== requester);
  const decided = new Set(decisions.map((d) => d.person));
  const memberSets = requirements.map((r) => new Set(options.membersOf(r.group)));

  const tally = countApprovals(requirements, memberSets, approvals, options.distinctApprovers);
  const undecided = (person: string) => person !== requester && !decided.has(person);
  // With distinct approvers, a member of a met requirement's group can still move an open one: their approval
  // takes over a slot whose holder then moves to the open requirement (an augmenting path). Without counting
  // them, the order of approvals would decide whether the change can ever be approved.
  const everyone = [...new Set(requirements.flatMap((r) => options.membersOf(r.group)))].filter(
    undecided,
  );
  const helps = tally.matching
    ? new Map(
        everyone.map((person) => [person, openRequirementsReachable(tally.matching!, person)]),
      )
    : undefined;

  const capacities = new Map<string, string[]>();
  const filled = filledSlots(tally.byRequirement, requirements);
  // A stand-in gives someone else's decision: only where it counts now, or it would use up
  // the absent person's one decision for nothing (one human fills one slot per requirement,
  // and with distinct approvers one slot in all).
  const countsNow = (actor: string, seat: string) =>
    filledSlots(
      countApprovals(
        requirements,
        memberSets,
        [...approvals, { actor, seat }],
        options.distinctApprovers,
      ).byRequirement,
      requirements,
    ) > filled;
  const allow = (actor: string, seat: string) => {
    if (actor === requester) return;
    if (actor !== seat && !countsNow(actor, seat)) return;
    const seats = capacities.get(actor) ?? [];
    if (!seats.includes(seat)) capacities.set(actor, [...seats, seat]);
  };

  const statuses = requirements.map((requirement, index): RequirementStatus => {
    const approvedBy = tally.byRequirement[index] ?? [];
    const met = approvedBy.length >= requirement.count;
    if (met) return { ...requirement, met, approvedBy, canApprove: [], available: true };
    const members = options.membersOf(requirement.group).filter(undecided);
    const canApprove = helps
      ? [...new Set([...members, ...everyone])].filter((person) => helps.get(person)?.has(index))
      : members;
    const reachable: string[] = [];
    const away: Absence[] = [];
    for (const seat of canApprove) {
      // Someone away may still decide themselves; their stand-in only while they are away.
      allow(seat, seat);
      const absence = presence.awayNow(seat);
      const standIn = presence.standIn(seat);
      if (standIn !== undefined) allow(standIn, seat);
      if (!absence || (standIn !== undefined && standIn !== requester)) reachable.push(seat);
      else away.push(absence);
    }
    const available = reachable.length > 0;
    return {
      ...requirement,
      met,
      approvedBy,
      canApprove,
      available,
      ...(!available && {
        whyUnavailable:
          away.length > 0 && options.describeAway
            ? away.map(options.describeAway).join('; ')
            : `nobody else in ${requirement.group} can approve`,
      }),
    };
  });
  return {
    requirements: statuses,
    allMet: statuses.every((status) => status.met),
    eligibleApprovers: new Set(capacities.keys()),
    capacities,
  };
}

function filledSlots(byRequirement: readonly string[][], requirements: readonly RequirementSpec[]) {
  return requirements.reduce(
    (sum, r, i) => sum + Math.min(r.count, byRequirement[i]?.length ?? 0),
    0,
  );
}

/** Whose approvals count where: per requirement, the seats counted (one per human), and the matching when distinct. */
function countApprovals(
  requirements: readonly RequirementSpec[],
  memberSets: readonly ReadonlySet<string>[],
  approvals: readonly Approval[],
  distinct: boolean,
): { byRequirement: string[][]; matching?: Matching } {
  if (!distinct) {
    return {
      byRequirement: memberSets.map((members) => {
        const humans = new Set<string>();
        const seats: string[] = [];
        for (const { actor, seat } of approvals) {
          if (!members.has(seat) || humans.has(actor)) continue;
          humans.add(actor);
          seats.push(seat);
        }
        return seats;
      }),
    };
  }
  const seatsOf = new Map<string, string[]>();
  for (const { actor, seat } of approvals)
    seatsOf.set(actor, [...(seatsOf.get(actor) ?? []), seat]);
  const canFill = (human: string, requirement: number) =>
    (seatsOf.get(human) ?? [human]).some((seat) => memberSets[requirement]!.has(seat));
  const matching = matchDistinct(requirements, [...seatsOf.keys()], canFill);
  // Report the seat a human filled the slot with: the first of theirs the group holds.
  const byRequirement = matching.byRequirement.map((humans, requirement) =>
    humans.map(
      (human) => seatsOf.get(human)!.find((seat) => memberSets[requirement]!.has(seat)) ?? human,
    ),
  );
  return { byRequirement, matching };
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

/** Whether a human may fill a slot of the requirement at this index. */
type CanFill = (human: string, requirement: number) => boolean;

interface Matching {
  /** The requirement index of each slot: a requirement with count N has N slots. */
  readonly slots: readonly number[];
  readonly slotHolder: readonly (string | undefined)[];
  readonly canFill: CanFill;
  /** Approvals counted towards each requirement, in approval order. */
  readonly byRequirement: string[][];
}

/** Maximum bipartite matching of people to requirement slots (Kuhn's augmenting paths). */
function matchDistinct(
  requirements: readonly RequirementSpec[],
  people: readonly string[],
  canFill: CanFill,
): Matching {
  const slots: number[] = requirements.flatMap((requirement, index) =>
    Array<number>(requirement.count).fill(index),
  );
  const slotHolder: (string | undefined)[] = slots.map(() => undefined);

  const tryAssign = (person: string, visited: Set<number>): boolean => {
    for (let slot = 0; slot < slots.length; slot++) {
      if (visited.has(slot) || !canFill(person, slots[slot]!)) continue;
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
  return { slots, slotHolder, canFill, byRequirement };
}

function assignDistinct(
  requirements: readonly RequirementSpec[],
  people: readonly string[],
  membersOf: GroupMembers,
): string[][] {
  const memberSets = requirements.map((requirement) => new Set(membersOf(requirement.group)));
  return matchDistinct(requirements, people, (person, r) => memberSets[r]!.has(person))
    .byRequirement;
}

/**
 * The requirements with a free slot that `person`'s approval would fill: those reachable along an
 * alternating path (a slot the person may hold, then its holder's other slots, and so on).
 */
function openRequirementsReachable(matching: Matching, person: string): Set<number> {
  const { slots, slotHolder, canFill } = matching;
  const reached = new Set<number>();
  const visitedSlots = new Set<number>();
  const visitedPeople = new Set<string>([person]);
  const queue = [person];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (let slot = 0; slot < slots.length; slot++) {
      if (visitedSlots.has(slot) || !canFill(next, slots[slot]!)) continue;
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
