import { randomUUID } from 'node:crypto';
import type { NewOutboxMessage, Store } from '../app/ports.js';
import { attendeesOf } from '../domain/meetings.js';
import { AppError } from '../domain/errors.js';
import type { Meeting, Occurrence, Person, Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { nextWorkingInstant } from './working-hours.js';

/**
 * E-mails each sitting's agenda to the meeting's attendees `agendaLeadTime`
 * before it, when there is something on it. A sitting's mailing is claimed in the transaction that writes its
 * outbox rows, so of several processes exactly one sends it, and a crash sends
 * none rather than half. The agenda itself is rendered when each mail goes out,
 * as it stands then.
 */
export function agendaScheduler(deps: {
  store: Store;
  policy: Policy;
  clock: Clock;
  emailEnabled: boolean;
}): () => Promise<void> {
  return async () => {
    // Read per round: a policy applied since may have other meetings.
    const meetings = deps.policy.meetings.filter(
      (meeting) => meeting.schedule !== undefined && meeting.attendees.length > 0,
    );
    if (!deps.emailEnabled || meetings.length === 0) return;
    const now = deps.clock.now();
    for (const meeting of meetings) {
      const [sitting] = meeting.schedule!.next(now, 1);
      if (!sitting || !agendaDue(meeting, sitting, now)) continue;
      // No agenda, no mail: a change that comes before the sitting still sends one.
      if (!(await hasAgenda(deps.store, meeting))) continue;
      await deps.store.transaction(async (tx) => {
        const start = sitting.start.toISOString();
        if (!(await tx.agendaMailings.claim(meeting.id, start, now.toISOString()))) return;
        await tx.outbox.enqueue(
          planAgenda(deps.policy, meeting, sitting, now, randomUUID),
          now.toISOString(),
        );
      });
    }
  };
}

async function hasAgenda(store: Store, meeting: Meeting): Promise<boolean> {
  const waiting = await store.read.changes.list({
    states: ['pending', 'approved'],
    meeting: meeting.name,
    limit: 1,
  });
  return waiting.length > 0;
}

/** From `agendaLeadTime` before the sitting until it starts. */
function agendaDue(meeting: Meeting, sitting: Occurrence, now: Date): boolean {
  const time = now.getTime();
  return (
    time >= sitting.start.getTime() - meeting.agendaLeadTimeMs && time < sitting.start.getTime()
  );
}

/**
 * One mail per attendee, in their own working hours; when those do not come
 * before the sitting, at once: an agenda after the meeting is of no use.
 */
export function planAgenda(
  policy: Policy,
  meeting: Meeting,
  sitting: Occurrence,
  now: Date,
  newId: () => string,
): NewOutboxMessage[] {
  return [...attendeesOf(policy, meeting)].flatMap((id) => {
    const person = policy.people.get(id);
    if (!person) return [];
    const working = nextWorkingInstant(person, now);
    return [
      {
        id: newId(),
        kind: 'email',
        target: id,
        changeId: null,
        eventId: null,
        payload: { template: 'agenda', meeting: meeting.id, sitting: sitting.start.toISOString() },
        notBefore: (working < sitting.start ? working : now).toISOString(),
      },
    ];
  });
}

/**
 * Sends the next sitting's agenda now (`POST /meetings/{id}/agenda/send`), by an
 * attendee or an admin: a late change, or a chair who wants it out early. Each
 * attendee's copy still waits for their working hours, as the scheduled one does.
 */
export async function sendAgendaNow(
  deps: { store: Store; policy: Policy; clock: Clock; emailEnabled: boolean },
  actor: Person,
  meeting: Meeting,
): Promise<{ sitting: Occurrence; recipients: string[] }> {
  if (!attendeesOf(deps.policy, meeting).has(actor.id) && !actor.admin)
    throw new AppError(
      'forbidden',
      `only an attendee of ${meeting.name} or an admin may send its agenda`,
    );
  if (!deps.emailEnabled)
    throw new AppError('integration_not_configured', 'e-mail is not configured: set SMTP_URL');
  const now = deps.clock.now();
  const [sitting] = meeting.schedule?.next(now, 1) ?? [];
  if (!sitting)
    throw new AppError(
      'invalid_state',
      `${meeting.name} has no sitting to come, so no agenda to send`,
    );
  if (!(await hasAgenda(deps.store, meeting)))
    throw new AppError(
      'invalid_state',
      `nothing waits for ${meeting.name}: there is no agenda to send`,
    );
  const messages = planAgenda(deps.policy, meeting, sitting, now, randomUUID);
  await deps.store.transaction(async (tx) => {
    // Claimed too, so the scheduled mailing does not send it a second time.
    await tx.agendaMailings.claim(meeting.id, sitting.start.toISOString(), now.toISOString());
    await tx.outbox.enqueue(messages, now.toISOString());
  });
  return { sitting, recipients: messages.map((m) => m.target) };
}
