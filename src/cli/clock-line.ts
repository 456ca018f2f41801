import type { ChangeClockJson } from '../http/contract/index.js';

/** "45s", "27m", "1h05m", "2d03h": how long, as a terminal line has room for. */
export function shortDuration(ms: number): string {
  if (ms < 59_500) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/**
 * `change show`'s clock line: "clock: created → verified in 27m; on-call-leads
 * approved after 4m, security after 9m, cto after 12m; started 13m after the
 * request". An open change says since when, not a running total: the output
 * is the same whenever it is read.
 */
export function describeClock(clock: ChangeClockJson): string {
  const parts = [
    clock.endState && clock.totalMs !== null
      ? `created → ${clock.endState} in ${shortDuration(clock.totalMs)}${clock.submittedToEndMs !== null && clock.submittedToEndMs !== clock.totalMs ? ` (${shortDuration(clock.submittedToEndMs)} from submission)` : ''}`
      : `open since ${clock.createdAt}`,
  ];
  if (clock.approvals.length > 0)
    parts.push(
      clock.approvals
        .map(
          (a, i) =>
            `${a.group ?? a.person}${i === 0 ? ' approved' : ''} after ${shortDuration(a.afterRequestMs)}`,
        )
        .join(', '),
    );
  if (clock.approvedAfterMs !== null)
    parts.push(`approved ${shortDuration(clock.approvedAfterMs)} after the request`);
  if (clock.startedAfterRequestMs !== null)
    parts.push(`started ${shortDuration(clock.startedAfterRequestMs)} after the request`);
  return `  clock:     ${parts.join('; ')}`;
}
