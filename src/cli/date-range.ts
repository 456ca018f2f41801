import { InvalidArgumentError } from 'commander';

const DAY_MS = 24 * 60 * 60 * 1000;
const INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;
const EXPECTED =
  'write a day such as 2026-11-01 (a whole day, UTC) or an instant with its offset such as 2026-11-01T09:30:00Z';

/**
 * One end of a date range on the command line, both ends inclusive: a day
 * (`2026-11-01`, UTC) covers the whole day, an instant (`2026-11-01T09:30:00Z`,
 * `…+01:00`) covers itself. An instant without its offset is refused rather
 * than read in whatever zone the machine is in. Returns the bound as the
 * filter takes it: `from` is the first instant in, `to` the first one out.
 */
export function parseDateBound(text: string, edge: 'from' | 'to'): Date {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = calendarDay(value);
    if (!start) throw new InvalidArgumentError(`${value} is not a date in the calendar.`);
    return edge === 'from' ? start : new Date(start.getTime() + DAY_MS);
  }
  const instant = INSTANT.exec(value);
  if (!instant) throw new InvalidArgumentError(`"${value}" is not a date: ${EXPECTED}.`);
  if (!calendarDay(instant[1]!))
    throw new InvalidArgumentError(`${instant[1]} is not a date in the calendar.`);
  const at = new Date(value);
  // Events carry milliseconds: the instant itself is in, the next millisecond out.
  return edge === 'from' ? at : new Date(at.getTime() + 1);
}

/** Midnight UTC of `YYYY-MM-DD`, or undefined for a day the calendar lacks (JavaScript rolls 02-30 over to March). */
function calendarDay(text: string): Date | undefined {
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text ? day : undefined;
}
