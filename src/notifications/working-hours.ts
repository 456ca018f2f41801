import { DateTime } from 'luxon';
import type { Person } from '../domain/policy.js';

/**
 * The first instant at or after `at` that falls inside the person's working
 * hours, in their own time zone. Walks local calendar days, so daylight-saving
 * changes move the UTC instant, never the local 09:00.
 */
export function nextWorkingInstant(
  person: Pick<Person, 'timezone' | 'workingHours'>,
  at: Date,
): Date {
  const { days, start, end } = person.workingHours;
  const local = DateTime.fromJSDate(at, { zone: person.timezone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.startOf('day').plus({ days: offset });
    if (!days.includes(day.weekday)) continue;
    const opens = atLocalMinute(day, start);
    const closes = atLocalMinute(day, end);
    if (local < opens) return opens.toJSDate();
    if (local < closes) return at;
  }
  // No working day at all in the week (cannot pass the policy check): do not hold the message back.
  return at;
}

export function isWithinWorkingHours(
  person: Pick<Person, 'timezone' | 'workingHours'>,
  at: Date,
): boolean {
  return nextWorkingInstant(person, at).getTime() === at.getTime();
}

/** Local wall-clock time on `day`; 24:00 is the next midnight. */
function atLocalMinute(day: DateTime, minutes: number): DateTime {
  if (minutes >= 24 * 60) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}
