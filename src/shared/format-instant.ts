/**
 * `2026-12-03T15:00:00.000Z` → `3 Dec 2026, 15:00 UTC`: for e-mails and the
 * server's own pages, which show a time as written, whatever the reader's zone.
 */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${date.toISOString().slice(11, 16)} UTC`;
}
