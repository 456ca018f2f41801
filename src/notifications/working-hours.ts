import { DateTime } from 'luxon';
import type { Person } from '../domain/policy.js';

/**
 * The first instant at or after `at` that falls inside the person's working
 * hours, in their own time zone. Walks local calendar days, so daylight-saving
 * changes move the UTC instant, never the local 09:00.
 */
export function nextWorkingInstant(person: WorkingPerson, at: Date): Date {
  const time = at.getTime();
  let known = recent.get(person);
  if (!known || time < known.from || time >= known.until) {
    known = findWorkingInstant(person, at);
    recent.set(person, known);
  }
  return known.opens === null ? at : new Date(known.opens);
}

type WorkingPerson = Pick<Person, 'timezone' | 'workingHours'>;

/**
 * Time-zone arithmetic is the costly part of planning a message, and the answer
 * holds for a while: until the person's day opens (everything before waits for
 * it) or closes (everything before goes now). Keep the last answer per person.
 */
interface KnownAnswer {
  readonly from: number;
  readonly until: number;
  /** When messages sent in [from, until) go out; null: at once. */
  readonly opens: number | null;
}

const recent = new WeakMap<WorkingPerson, KnownAnswer>();

function findWorkingInstant(person: WorkingPerson, at: Date): KnownAnswer {
  const { days, start, end } = person.workingHours;
  const from = at.getTime();
  const local = DateTime.fromJSDate(at, { zone: person.timezone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.startOf('day').plus({ days: offset });
    if (!days.includes(day.weekday)) continue;
    const opens = atLocalMinute(day, start);
    const closes = atLocalMinute(day, end);
    if (local < opens) return { from, until: opens.toMillis(), opens: opens.toMillis() };
    if (local < closes) return { from, until: closes.toMillis(), opens: null };
  }
  // No working day at all in the week (cannot pass the policy check): do not hold the message back.
  return { from, until: from + 1, opens: null };
}

export function isWithinWorkingHours(person: WorkingPerson, at: Date): boolean {
  return nextWorkingInstant(person, at).getTime() === at.getTime();
}

/** Local wall-clock time on `day`; 24:00 is the next midnight. */
function atLocalMinute(day: DateTime, minutes: number): DateTime {
  if (minutes >= 24 * 60) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}
