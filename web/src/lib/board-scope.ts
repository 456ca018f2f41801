import type { ChangeState } from '../api/types.js';
import { STATE_LABELS } from './format.js';

/**
 * The board's scope beyond the filters it shows: an insights figure links to
 * the board with `createdFrom`, `createdTo`, `state` and `figure` (web/src/lib/insights.ts
 * boardHref), and the board says so. Apart from the insights' own helpers, so
 * the board does not carry them.
 */

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

function formatDay(iso: string): string {
  return dayFormat.format(new Date(iso));
}

/**
 * "Created 1 Oct 2026 – 31 Oct 2026 · Approved, Rejected": what an insights
 * link narrows the board to, beyond the filters it shows; empty when nothing.
 */
export function describeScope(search: URLSearchParams): string {
  const from = search.get('createdFrom');
  const to = search.get('createdTo');
  const states = (search.get('state') ?? '').split(',').filter(Boolean);
  const day = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : formatDay(iso));
  // createdTo is exclusive: the period's last day is the one before it.
  const lastDay = (iso: string) =>
    Number.isNaN(Date.parse(iso)) ? iso : formatDay(new Date(Date.parse(iso) - 1).toISOString());
  const parts: string[] = [];
  if (from && to) parts.push(`Created ${day(from)} – ${lastDay(to)}`);
  else if (from) parts.push(`Created from ${day(from)}`);
  else if (to) parts.push(`Created before ${day(to)}`);
  if (states.length > 0)
    parts.push(
      states.map((s) => (s in STATE_LABELS ? STATE_LABELS[s as ChangeState] : s)).join(', '),
    );
  const figure = search.get('figure');
  if (figure) parts.push(figureLabel(figure));
  return parts.join(' · ');
}

const FIGURE_LABELS: Record<string, string> = {
  decided: 'Decided (time to decision)',
  preApproved: 'Pre-approved',
  approved: 'Finally approved',
  rejected: 'Finally rejected',
  failed: 'Failed',
  deployed: 'Completed or failed',
  completed: 'Completed (lead time)',
  emergencyVerified: 'Emergencies verified',
  discussed: 'Discussed in a meeting',
  decidedInMeeting: 'Decided in a meeting',
  decidedAsync: 'Decided async',
  reviewed: 'Review done',
  reviewOverdue: 'Review overdue',
};

/** "Decided async", "Decided by security", "First answered by security". */
function figureLabel(figure: string): string {
  const [kind, group] = figure.split(':');
  if (kind === 'group' && group) return `Decided by ${group}`;
  if (kind === 'firstResponse' && group) return `First answered by ${group}`;
  return FIGURE_LABELS[figure] ?? figure;
}
