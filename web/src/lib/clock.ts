import type { ChangeClock } from '../api/types.js';

const MINUTE = 60_000;

/** "27 min", "1 h 5 min", "2 d 3 h", "under a minute": how long, compactly. */
export function elapsedInWords(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * The seed's clock in a few sentences: "Created → verified in 27 min",
 * "on-call-leads approved after 4 min, security after 9 min, cto after 12 min",
 * "started 13 min after the request". An open change counts to `now`.
 */
export function clockLines(
  clock: ChangeClock,
  nameOf: (id: string) => string,
  now: number = Date.now(),
): string[] {
  const lines: string[] = [];
  if (clock.endState && clock.totalMs !== null) {
    const submitted =
      clock.submittedToEndMs !== null && clock.submittedToEndMs !== clock.totalMs
        ? ` (${elapsedInWords(clock.submittedToEndMs)} from submission)`
        : '';
    lines.push(`Created → ${clock.endState} in ${elapsedInWords(clock.totalMs)}${submitted}`);
  } else {
    const since = (iso: string) => elapsedInWords(Math.max(0, now - Date.parse(iso)));
    lines.push(
      `Open for ${since(clock.createdAt)}${clock.submittedAt ? ` (${since(clock.submittedAt)} since submission)` : ''}`,
    );
  }
  if (clock.approvals.length > 0) {
    const parts = clock.approvals.map(
      (a, i) =>
        `${a.group ?? nameOf(a.person)}${i === 0 ? ' approved' : ''} after ${elapsedInWords(a.afterRequestMs)}`,
    );
    lines.push(parts.join(', '));
  }
  if (clock.approvedAfterMs !== null && clock.approvals.length !== 1)
    lines.push(`fully approved ${elapsedInWords(clock.approvedAfterMs)} after the request`);
  if (clock.startedAfterRequestMs !== null)
    lines.push(`started ${elapsedInWords(clock.startedAfterRequestMs)} after the request`);
  if (clock.startedAt && clock.completedAt)
    lines.push(
      `completed ${elapsedInWords(Date.parse(clock.completedAt) - Date.parse(clock.startedAt))} after it started`,
    );
  return lines;
}
