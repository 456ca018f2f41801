import {
  presenceAt,
  recordableAbsence,
  type AbsenceInput,
  type Presence,
} from '../domain/absence.js';
import { AppError } from '../domain/errors.js';
import { NO_CHANGE, type AuditEvent } from '../domain/events.js';
import type { Person, Policy } from '../domain/policy.js';
import { recordPeopleEvents, type AppDeps } from './deps.js';
import type { Readers, StoredAbsence, TransactionWith } from './ports.js';

/** A person as the people list shows them: who is away now, until when, and who acts for them. */
export interface PersonStatus {
  readonly person: Person;
  /** Their absence, when one is recorded that has not ended (it may not have begun). */
  readonly absence?: StoredAbsence;
  readonly absent: boolean;
  /** Who decides for them now: set only while they are away. */
  readonly delegate?: string;
}

/** Who is away at `now`, from the stored absences. */
export async function currentPresence(
  repos: Pick<Readers, 'absences'>,
  policy: Policy,
  now: Date,
): Promise<Presence> {
  return presenceAt(policy, await repos.absences.list(), now);
}

/** Everyone in the policy, in its order, with their absence. */
export async function listPeople(
  repos: Pick<Readers, 'absences'>,
  policy: Policy,
  now: Date,
): Promise<PersonStatus[]> {
  const absences = await repos.absences.list();
  const presence = presenceAt(policy, absences, now);
  const byPerson = new Map(
    absences.filter((a) => Date.parse(a.until) > now.getTime()).map((a) => [a.person, a]),
  );
  return [...policy.people.values()].map((person) => {
    const absence = byPerson.get(person.id);
    const delegate = presence.standIn(person.id);
    return {
      person,
      ...(absence && { absence }),
      absent: presence.awayNow(person.id) !== undefined,
      ...(delegate && { delegate }),
    };
  });
}

/** Who may record or end `personId`'s absence: they themselves, or an admin. */
function assertMayManage(policy: Policy, actor: Person, personId: string): Person {
  const person = policy.people.get(personId);
  if (!person) throw new AppError('not_found', `no person "${personId}" in the policy`);
  if (actor.id !== personId && !actor.admin)
    throw new AppError('forbidden', `only ${person.name} or an admin may record their absence`);
  if (person.external)
    throw new AppError(
      'invalid_input',
      `${person.name} is an external approver: they are asked by link, never routed through the board`,
    );
  return person;
}

/** Records (or replaces) an absence, with an `absence-set` event in the audit chain. */
export async function setAbsence(
  deps: AppDeps,
  actor: Person,
  personId: string,
  input: AbsenceInput,
): Promise<{ absence: StoredAbsence; event: AuditEvent }> {
  assertMayManage(deps.policy, actor, personId);
  if (actor.id !== personId && input.delegate === actor.id)
    throw new AppError(
      'forbidden',
      'an admin may record someone’s absence, but not name themselves to decide in their place',
    );
  const now = deps.clock.now();
  const absence: StoredAbsence = {
    ...recordableAbsence(deps.policy, personId, input, now),
    setBy: actor.id,
    setAt: now.toISOString(),
  };
  return deps.store.transaction(async (tx) => {
    await tx.absences.put(absence);
    forgetPresence(tx, deps);
    const { setBy: _setBy, setAt: _setAt, ...data } = absence;
    const [event] = await recordPeopleEvents(
      tx,
      deps,
      [{ changeId: NO_CHANGE, type: 'absence-set', actor: actor.id, data }],
      absence.setAt,
    );
    return { absence, event: event! };
  });
}

/** Ends an absence now (DELETE), with an `absence-ended` event; undefined when there was none to end. */
export async function endAbsence(
  deps: AppDeps,
  actor: Person,
  personId: string,
): Promise<AuditEvent | undefined> {
  assertMayManage(deps.policy, actor, personId);
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const absence = await tx.absences.find(personId);
    if (!absence || absence.until <= now || !(await tx.absences.remove(personId, absence.setAt)))
      return undefined;
    forgetPresence(tx, deps);
    return closeAbsence(tx, deps, absence, actor.id, now);
  });
}

/**
 * Absences whose end has come, each ended as if by its person (`endedAs:
 * planned`), so that the requests still open go back to them. Runs with the
 * reminders; when several processes run it, the one that removes the row ends it.
 */
export async function endAbsencesDue(deps: AppDeps): Promise<number> {
  const now = deps.clock.now().toISOString();
  const due = (await deps.store.read.absences.list()).filter((a) => a.until <= now);
  let ended = 0;
  for (const { person } of due) {
    await deps.store.transaction(async (tx) => {
      const absence = await tx.absences.find(person);
      if (!absence || absence.until > now || !(await tx.absences.remove(person, absence.setAt)))
        return;
      forgetPresence(tx, deps);
      await closeAbsence(tx, deps, absence, person, now, 'planned');
      ended++;
    });
  }
  return ended;
}

async function closeAbsence(
  tx: Readers & TransactionWith<'events'>,
  deps: AppDeps,
  absence: StoredAbsence,
  actor: string,
  at: string,
  endedAs: 'early' | 'planned' = 'early',
): Promise<AuditEvent> {
  const [event] = await recordPeopleEvents(
    tx,
    deps,
    [
      {
        changeId: NO_CHANGE,
        type: 'absence-ended',
        actor,
        data: { person: absence.person, plannedUntil: absence.until, endedAs },
      },
    ],
    at,
  );
  return event!;
}

/** The read pages' list of who is away is stale from this write on: now, and once more at its commit. */
function forgetPresence(tx: TransactionWith<'absences'>, deps: AppDeps): void {
  deps.presenceCache?.forget();
  tx.afterCommit(() => deps.presenceCache?.forget());
}
