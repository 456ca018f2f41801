import type { Presence } from '../domain/absence.js';
import { evaluateChange } from '../domain/approval.js';
import type { Change, Decision, Discussion } from '../domain/change.js';
import { AppError, invalidInput } from '../domain/errors.js';
import { attendeesOf, findMeeting, sittingFor } from '../domain/meetings.js';
import type { Meeting, Occurrence, Policy } from '../domain/policy.js';
import type { ApprovalEvaluation } from '../domain/requirements.js';
import { currentPresence } from './absences.js';
import type { Readers } from './ports.js';

/**
 * The meetings that remain, as their attendees read them: each sitting's agenda
 * (the changes the meeting has yet to discuss, oldest first, and what it already
 * said at that sitting), and after each sitting how many changes went through it
 * against how many were decided without it.
 */

/** One change on an agenda, with what the meeting needs to decide it. */
export interface AgendaItem {
  readonly change: Change;
  readonly decisions: readonly Decision[];
  readonly evaluation: ApprovalEvaluation;
  /** Whether the meeting holds the change (it cannot be approved before the outcome). */
  readonly held: boolean;
  /** The outcome recorded at this sitting, once there is one. */
  readonly outcome?: Discussion;
  /** The earlier sitting that deferred it to this one. */
  readonly deferredFrom?: string;
}

export interface Agenda {
  readonly meeting: Meeting;
  readonly sitting: Occurrence | undefined;
  /** Still to discuss, oldest first. */
  readonly items: readonly AgendaItem[];
  /** Discussed at this sitting, in the order they were. */
  readonly discussed: readonly AgendaItem[];
  /** More changes wait than an agenda lists. */
  readonly truncated: boolean;
}

/** How a past sitting went: changes through it, and changes decided without any meeting meanwhile. */
export interface SittingTally {
  readonly sitting: Occurrence;
  readonly discussed: number;
  readonly outcomes: Readonly<Record<Discussion['outcome'], number>>;
  /** Changes approved or rejected since the sitting before, none of them discussed by a meeting. */
  readonly decidedAsync: number;
  /** Since when `decidedAsync` counts: the sitting before's start. */
  readonly since: string;
}

export interface MeetingOverview {
  readonly meeting: Meeting;
  readonly attendees: readonly string[];
  /** The sitting an outcome recorded now belongs to. */
  readonly recordsFor?: Occurrence;
  readonly upcoming: readonly Agenda[];
  readonly last?: SittingTally;
}

/** The most changes an agenda lists: a meeting cannot discuss more, and the rest follow on the next. */
export const AGENDA_LIMIT = 200;

interface Deps {
  readonly policy: Policy;
  readonly store: { readonly read: Readers };
  readonly clock: { now(): Date };
}

export function meetingById(policy: Policy, id: string): Meeting {
  const meeting = findMeeting(policy, id);
  if (!meeting)
    throw new AppError(
      'not_found',
      `no meeting "${id}"; the policy has: ${policy.meetings.map((m) => m.id).join(', ') || 'none'}`,
    );
  return meeting;
}

/** Every meeting, with its next `count` sittings and their agendas, and how the last one went. */
export async function listMeetings(deps: Deps, count = 3): Promise<MeetingOverview[]> {
  const now = deps.clock.now();
  const presence = await currentPresence(deps.store.read, deps.policy, now);
  return Promise.all(
    deps.policy.meetings.map(async (meeting) => {
      const sittings = meeting.schedule?.next(now, count) ?? [];
      const waiting = await waitingChanges(deps, meeting, presence);
      const upcoming = await Promise.all(
        (sittings.length ? sittings : [undefined]).map((sitting) =>
          agendaFrom(deps, meeting, sitting, waiting, presence),
        ),
      );
      const last = await tallyLastSitting(deps, meeting, now);
      const recordsFor = sittingFor(meeting, now);
      return {
        meeting,
        attendees: [...attendeesOf(deps.policy, meeting)],
        ...(recordsFor && { recordsFor }),
        upcoming,
        ...(last && { last }),
      };
    }),
  );
}

/**
 * The agenda of one sitting (`at`: its start), by default the next one not over.
 * A time that is not one of the meeting's sittings is refused, naming the nearest.
 */
export async function agendaOf(deps: Deps, id: string, at?: string): Promise<Agenda> {
  const meeting = meetingById(deps.policy, id);
  const now = deps.clock.now();
  const sitting = at === undefined ? meeting.schedule?.next(now, 1)[0] : findSitting(meeting, at);
  const presence = await currentPresence(deps.store.read, deps.policy, now);
  return agendaFrom(
    deps,
    meeting,
    sitting,
    await waitingChanges(deps, meeting, presence),
    presence,
  );
}

function findSitting(meeting: Meeting, at: string): Occurrence {
  const schedule = meeting.schedule;
  const time = new Date(at);
  if (!schedule)
    throw invalidInput([
      { path: 'query.at', message: `${meeting.name} has no schedule, so no sittings to choose` },
    ]);
  const [next] = schedule.next(new Date(time.getTime() - 1), 1);
  if (next && next.start.getTime() === time.getTime()) return next;
  const [before] = schedule.previous(time, 1);
  const nearest = [before, next].filter(Boolean).map((s) => s!.start.toISOString());
  throw invalidInput([
    {
      path: 'query.at',
      message: `${meeting.name} does not sit at ${at}; the nearest sittings start at ${nearest.join(' and ')}`,
    },
  ]);
}

interface Waiting {
  readonly items: readonly AgendaItem[];
  readonly truncated: boolean;
}

/** The changes the meeting has yet to discuss (pending or approved), oldest first. */
async function waitingChanges(deps: Deps, meeting: Meeting, presence: Presence): Promise<Waiting> {
  const changes = await deps.store.read.changes.list({
    states: ['pending', 'approved'],
    meeting: meeting.name,
    limit: AGENDA_LIMIT + 1,
    order: 'newest',
  });
  // Newest first from storage; the agenda wants the longest waiting first.
  const shown = changes.slice(0, AGENDA_LIMIT).reverse();
  return {
    items: await withEvaluations(deps, meeting, shown, presence),
    truncated: changes.length > AGENDA_LIMIT,
  };
}

async function withEvaluations(
  deps: Deps,
  meeting: Meeting,
  changes: readonly Change[],
  presence: Presence,
  discussions: ReadonlyMap<number, Discussion> = new Map(),
): Promise<AgendaItem[]> {
  const decisions = await deps.store.read.changes.listDecisionsForMany(changes.map((c) => c.id));
  return changes.map((change) => {
    const current = (decisions.get(change.id) ?? []).filter((d) => d.round === change.round);
    const outcome = discussions.get(change.id);
    return {
      change,
      decisions: current,
      evaluation: evaluateChange(deps.policy, change, current, presence),
      held: meeting.hold && change.meetings.includes(meeting.name),
      ...(outcome && { outcome }),
    };
  });
}

async function agendaFrom(
  deps: Deps,
  meeting: Meeting,
  sitting: Occurrence | undefined,
  waiting: Waiting,
  presence: Presence,
): Promise<Agenda> {
  const start = sitting?.start.toISOString();
  const said = start
    ? await deps.store.read.changes.listDiscussions({ meeting: meeting.name, occurrences: [start] })
    : [];
  // The last word at this sitting on each change counts.
  const atSitting = new Map(said.map((d) => [d.changeId, d]));
  const earlier = await deferrals(deps, meeting, waiting.items, start);
  const items = waiting.items
    .filter((item) => atSitting.get(item.change.id)?.outcome !== 'defer')
    .map((item) => {
      const from = earlier.get(item.change.id);
      return from ? { ...item, deferredFrom: from } : item;
    });
  const discussedChanges = await deps.store.read.changes.findMany([...atSitting.keys()]);
  const byId = new Map(discussedChanges.map((c) => [c.id, c]));
  const discussed = await withEvaluations(
    deps,
    meeting,
    [...atSitting.keys()].map((id) => byId.get(id)).filter((c): c is Change => c !== undefined),
    presence,
    atSitting,
  );
  return { meeting, sitting, items, discussed, truncated: waiting.truncated };
}

/** For each waiting change an earlier sitting deferred, the latest such sitting. */
async function deferrals(
  deps: Deps,
  meeting: Meeting,
  items: readonly AgendaItem[],
  before: string | undefined,
): Promise<Map<number, string>> {
  const deferred = new Map<number, string>();
  const discussions = await deps.store.read.changes.listDiscussions({
    meeting: meeting.name,
    changeIds: items.map((item) => item.change.id),
  });
  for (const d of discussions)
    if (d.outcome === 'defer' && d.occurrence && (!before || d.occurrence < before))
      deferred.set(d.changeId, d.occurrence);
  return deferred;
}

/** The last sitting that has ended, with what went through it and what was decided without. */
async function tallyLastSitting(
  deps: Deps,
  meeting: Meeting,
  now: Date,
): Promise<SittingTally | undefined> {
  const schedule = meeting.schedule;
  if (!schedule) return undefined;
  const [latest, before] = schedule.previous(now, 2);
  const last = latest && latest.end <= now ? latest : before;
  if (!last) return undefined;
  const [previous] = schedule.previous(new Date(last.start.getTime() - 1), 1);
  const since = (previous ?? { start: new Date(last.start.getTime() - 7 * 24 * 3_600_000) }).start;
  const start = last.start.toISOString();
  const said = await deps.store.read.changes.listDiscussions({
    meeting: meeting.name,
    occurrences: [start],
  });
  const outcomes = { approve: 0, reject: 0, defer: 0, noted: 0 };
  const discussedIds = new Set<number>();
  for (const d of said) {
    outcomes[d.outcome]++;
    discussedIds.add(d.changeId);
  }
  const decided = await deps.store.read.events.listDecidedBetween(
    since.toISOString(),
    last.end.toISOString(),
  );
  const throughMeetings = new Set<number>();
  for (let i = 0; i < decided.length; i += 1000) {
    const ids = decided.slice(i, i + 1000).map((d) => d.changeId);
    for (const d of await deps.store.read.changes.listDiscussions({ changeIds: ids }))
      throughMeetings.add(d.changeId);
  }
  const decidedAsync = decided.filter((d) => !throughMeetings.has(d.changeId)).length;
  return {
    sitting: last,
    discussed: discussedIds.size,
    outcomes,
    decidedAsync,
    since: since.toISOString(),
  };
}
