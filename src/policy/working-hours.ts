import type { WorkingHours } from '../domain/policy.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * `09:30-18:00` (Monday to Friday) or with days first: `Mon-Fri 09:00-17:00`,
 * `Sun-Thu 08:00-16:00`, `Mon,Wed,Fri 10:00-14:00`.
 */
export function parseWorkingHours(text: string): WorkingHours | string {
  const match = /^(?:([A-Za-z,\- ]+?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(
    text.trim(),
  );
  if (!match) return 'must look like "09:00-17:00" or "Mon-Fri 09:00-17:00"';
  const [, dayText, h1, m1, h2, m2] = match;
  const start = Number(h1) * 60 + Number(m1);
  const end = Number(h2) * 60 + Number(m2);
  if (Number(h1) > 23 || Number(m1) > 59 || Number(h2) > 24 || Number(m2) > 59 || end > 24 * 60) {
    return `"${text}" is not a time of day`;
  }
  if (end <= start) return `the end (${h2}:${m2}) must be after the start (${h1}:${m1})`;
  const days = dayText ? parseDays(dayText) : [1, 2, 3, 4, 5];
  if (typeof days === 'string') return days;
  return { days, start, end };
}

function parseDays(text: string): number[] | string {
  const days = new Set<number>();
  for (const part of text
    .toLowerCase()
    .split(',')
    .map((p) => p.trim())) {
    const bounds = part.split('-').map((p) => p.trim().slice(0, 3));
    const [from, to] = bounds;
    const a = DAYS.indexOf(from ?? '');
    const b = to === undefined ? a : DAYS.indexOf(to);
    // "Mon-Fri-Sat" is not a range; reading it as Mon-Fri would silently drop Saturday.
    if (a < 0 || b < 0 || bounds.length > 2)
      return `"${part}" is not a day or range of days (use Mon, Tue, … Sun)`;
    for (let day = a; ; day = (day + 1) % 7) {
      days.add(day + 1);
      if (day === b) break;
    }
  }
  return [...days].sort((x, y) => x - y);
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
