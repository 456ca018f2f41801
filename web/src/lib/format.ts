import type { ChangeState } from '../api/types.js';

export const STATE_LABELS: Record<ChangeState, string> = {
  draft: 'Draft',
  pending: 'Pending',
  approved: 'Approved',
  in_progress: 'In progress',
  completed: 'Completed',
  verified: 'Verified',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  failed: 'Failed',
};

const day = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  return inZone('dateTime').format(new Date(iso));
}

export function formatFull(iso: string): string {
  return full.format(new Date(iso));
}

export function formatTime(iso: string): string {
  return inZone('time').format(new Date(iso));
}

export function formatDay(date: Date): string {
  return day.format(date);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** One formatter per kind and time zone (undefined: the viewer's own). */
function inZone(
  kind: 'dateTime' | 'date' | 'time' | 'day' | 'zone',
  timeZone?: string,
): Intl.DateTimeFormat {
  const key = `${kind}:${timeZone ?? ''}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const options: Record<typeof kind, Intl.DateTimeFormatOptions> = {
      dateTime: {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      },
      date: { weekday: 'short', day: 'numeric', month: 'short' },
      time: { hour: '2-digit', minute: '2-digit' },
      day: { year: 'numeric', month: 'numeric', day: 'numeric' },
      zone: { timeZoneName: 'short' },
    };
    formatter = new Intl.DateTimeFormat(undefined, { ...options[kind], timeZone });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** "Thu 5 Nov": a day in `timeZone` (a meeting's), or the viewer's own. */
export function formatDate(iso: string, timeZone?: string): string {
  return inZone('date', timeZone).format(new Date(iso));
}

/**
 * "Thu 5 Nov 14:00 (Europe/London)": a meeting's sitting in the meeting's own
 * time zone, which it names, as the server's agendas and e-mails say it.
 */
export function formatSitting(iso: string, timeZone: string | null): string {
  const zone = timeZone ?? undefined;
  const date = new Date(iso);
  const when = `${inZone('date', zone).format(date)} ${inZone('time', zone).format(date)}`;
  return timeZone ? `${when} (${timeZone})` : `${when} ${zoneName(date)}`;
}

/** The same instant in the viewer's own time ("Thu 5 Nov, 23:00 GMT+9"), or null when it reads the same there. */
export function inViewerTime(iso: string, timeZone: string | null): string | null {
  if (!timeZone) return null;
  const date = new Date(iso);
  const there = inZone('dateTime', timeZone).format(date);
  const here = inZone('dateTime').format(date);
  return there === here ? null : `${here} ${zoneName(date)}`;
}

/** The viewer's time zone, as the browser reports it ("Europe/London"). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "GMT", "CET", "GMT+2": the zone's short name at that instant. */
function zoneName(date: Date, timeZone?: string): string {
  return (
    inZone('zone', timeZone)
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? ''
  );
}

/**
 * "Tue 1 Dec, 10:00 – 10:30 GMT", or across days "Tue 1 Dec, 22:00 – Wed 2 Dec, 01:00 GMT":
 * in the viewer's time zone unless `timeZone` names another, always saying which.
 */
export function formatWindow(start: string | null, end: string | null, timeZone?: string): string {
  if (!start) return 'Not planned yet';
  const from = new Date(start);
  if (!end) return `${inZone('dateTime', timeZone).format(from)} ${zoneName(from, timeZone)}`;
  const to = new Date(end);
  const sameDay = inZone('day', timeZone).format(from) === inZone('day', timeZone).format(to);
  const until = sameDay
    ? inZone('time', timeZone).format(to)
    : inZone('dateTime', timeZone).format(to);
  return `${inZone('dateTime', timeZone).format(from)} – ${until} ${zoneName(to, timeZone)}`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago", "yesterday". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** `<input type="datetime-local">` works in local time without a zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
