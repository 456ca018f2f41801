/**
 * `2026-12-03T15:00:00.000Z` → `3 Dec 2026, 15:00 UTC`: for e-mails and the
 * server's own pages, which show a time as written, whatever the reader's zone.
 */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${date.toISOString().slice(11, 16)} UTC`;
}

/**
 * `2026-12-10T14:00:00Z`, `Europe/London` → `Thu 10 Dec 2026 14:00`: a meeting's
 * sitting as its attendees know it, in the meeting's own time zone.
 */
export function formatInZone(iso: string | Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')} ${part('hour')}:${part('minute')}`;
}
