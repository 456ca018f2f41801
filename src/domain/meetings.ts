import type {
  Change,
  ChangeState,
  ChangeSubject,
  Discussion,
  DiscussionOutcome,
} from './change.js';
import { matchesCondition } from './conditions.js';
import { AppError, invalidInput } from './errors.js';
import type { NewEvent } from './events.js';
import type { Meeting, Occurrence, Policy } from './policy.js';

/**
 * The meetings that remain (PRODUCT.md, "Meetings that remain"): which changes
 * a meeting still has to discuss, which sitting an outcome belongs to, and what
 * each outcome does to the change. A meeting with `hold` keeps a matching change
 * from becoming approved until its outcome is recorded; any other meeting only
 * informs.
 */

/** The states in which a change is still on meetings' agendas: once it is under way or closed, it is past discussing. */
export const DISCUSSABLE_STATES = [
  'draft',
  'pending',
  'approved',
] as const satisfies readonly ChangeState[];

/** Names of the meetings that still want to discuss this change; empty when it is decided asynchronously. */
export function meetingsFor(policy: Policy, subject: ChangeSubject): string[] {
  return policy.meetings
    .filter((meeting) => matchesCondition(meeting.when, subject))
    .map((meeting) => meeting.name);
}

/** A meeting by its id (`acme-hosting-cab`) or its name. */
export function findMeeting(policy: Policy, idOrName: string): Meeting | undefined {
  return policy.meetings.find((m) => m.id === idOrName || m.name === idOrName);
}

/** The people a meeting's `attendees` name, groups expanded. */
export function attendeesOf(policy: Policy, meeting: Meeting): Set<string> {
  const people = new Set<string>();
  for (const entry of meeting.attendees) {
    const members = policy.groups.get(entry);
    if (members) for (const member of members) people.add(member);
    else if (policy.people.has(entry)) people.add(entry);
  }
  return people;
}

/** Everyone who may record an outcome on the change now: the attendees of the meetings it still needs. */
export function attendeesFor(policy: Policy, change: Change): Set<string> {
  const people = new Set<string>();
  for (const name of change.meetings) {
    const meeting = findMeeting(policy, name);
    if (meeting) for (const person of attendeesOf(policy, meeting)) people.add(person);
  }
  return people;
}

/** The meetings with `hold` whose outcome the change still waits for. */
export function heldBy(policy: Policy, change: Pick<Change, 'meetings'>): Meeting[] {
  return change.meetings
    .map((name) => findMeeting(policy, name))
    .filter((meeting): meeting is Meeting => meeting?.hold === true);
}

/** How long after a sitting its outcomes may still be written up as that sitting's. */
export const MINUTES_GRACE_MS = 24 * 3_600_000;

/**
 * The sitting an outcome recorded at `now` belongs to: the one sitting now, or
 * that ended within a day (minutes are often written up afterwards); else the
 * next one (an outcome given ahead of it). Undefined without a schedule.
 */
export function sittingFor(meeting: Meeting, now: Date): Occurrence | undefined {
  const schedule = meeting.schedule;
  if (!schedule) return undefined;
  const [last] = schedule.previous(now, 1);
  if (last && now.getTime() <= last.end.getTime() + MINUTES_GRACE_MS) return last;
  return schedule.next(now, 1)[0] ?? last;
}

export interface DiscussionInput {
  readonly actor: string;
  /** The meeting's id or name. */
  readonly meeting: string;
  readonly outcome: DiscussionOutcome;
  readonly minutes: string | null;
  readonly url: string | null;
  readonly now: string;
  readonly via?: Discussion['via'];
  /** Whether the change's approvals, as they stand, meet every requirement. */
  readonly requirementsMet: boolean;
}

/**
 * A meeting's outcome on a change. `approve` and `noted` take the change off the
 * meeting's agenda and release its hold (a pending change whose approvals are
 * all in becomes approved); `reject` rejects it with the minutes as the reason;
 * `defer` keeps it for the next sitting.
 */
export function recordDiscussion(
  policy: Policy,
  change: Change,
  input: DiscussionInput,
): { change: Change; events: NewEvent[]; discussion: Discussion } {
  const meeting = findMeeting(policy, input.meeting);
  if (!meeting)
    throw invalidInput(
      [{ path: 'meeting', message: `no meeting "${input.meeting}" in the policy` }],
      `unknown meeting "${input.meeting}"`,
    );
  if (!change.meetings.includes(meeting.name))
    throw new AppError(
      'invalid_state',
      change.meetings.length === 0
        ? `no meeting has CHG-${change.id} on its agenda any more`
        : `${meeting.name} does not have CHG-${change.id} on its agenda (it waits for ${change.meetings.join(', ')})`,
    );
  if (!attendeesOf(policy, meeting).has(input.actor))
    throw new AppError('forbidden', `only an attendee of ${meeting.name} may record its outcome`);
  if (input.outcome === 'reject' && !input.minutes)
    throw invalidInput(
      [
        {
          path: 'minutes',
          message: 'is required to reject: they are the reason the requester reads',
        },
      ],
      'a rejection needs minutes saying why',
    );
  const sitting = sittingFor(meeting, new Date(input.now));
  const discussion: Discussion = {
    changeId: change.id,
    meeting: meeting.name,
    occurrence: sitting ? sitting.start.toISOString() : null,
    outcome: input.outcome,
    minutes: input.minutes,
    url: input.url,
    actor: input.actor,
    ...(input.via && { via: input.via }),
    at: input.now,
  };
  const discussed: NewEvent = {
    changeId: change.id,
    type: 'discussed',
    actor: input.actor,
    data: {
      meeting: meeting.name,
      occurrence: discussion.occurrence,
      outcome: input.outcome,
      minutes: input.minutes,
      url: input.url,
      ...(input.via && { via: input.via }),
    },
  };
  if (input.outcome === 'defer') return { change, events: [discussed], discussion };
  const remaining = change.meetings.filter((name) => name !== meeting.name);
  const after: Change = { ...change, meetings: remaining };
  if (input.outcome === 'reject')
    return {
      discussion,
      change: { ...after, state: 'rejected' },
      events: [
        discussed,
        {
          changeId: change.id,
          type: 'rejected',
          actor: input.actor,
          data: { comment: input.minutes, meeting: meeting.name },
        },
      ],
    };
  const released =
    change.state === 'pending' &&
    meeting.hold &&
    heldBy(policy, after).length === 0 &&
    input.requirementsMet;
  if (!released) return { change: after, events: [discussed], discussion };
  return {
    discussion,
    change: { ...after, state: 'approved' },
    events: [
      discussed,
      {
        changeId: change.id,
        type: 'approved',
        actor: input.actor,
        data: { reason: `${meeting.name}: ${input.outcome}`, meeting: meeting.name },
      },
    ],
  };
}
