import { usePolicy } from '../api/queries.js';
import type { ChangeCard as Card } from '../api/types.js';
import { waitingFor } from '../lib/approvals.js';
import { formatWindow } from '../lib/format.js';
import { heldFor } from '../lib/meetings.js';
import { Link } from '../lib/router.js';
import { Chip, RiskChip, StateBadge, usePeople, useServiceNames } from './ui.js';

/** States where the work is over: the card says how it ended, and nothing is left to discuss. */
const FINISHED = new Set(['completed', 'verified', 'failed', 'rejected', 'withdrawn']);

/** The names of the meetings that hold their changes (`hold: true`). */
function useHoldingMeetings(): ReadonlySet<string> {
  const meetings = usePolicy().data?.meetings ?? [];
  return new Set(meetings.filter((m) => m.hold).map((m) => m.name));
}

/** One change on the board: what it is, where, when, and what it waits for. */
export function ChangeCard({ change, typeLabel }: { change: Card; typeLabel: string }) {
  const nameOf = usePeople();
  const serviceName = useServiceNames();
  const finished = FINISHED.has(change.state);
  const held = heldFor(change, useHoldingMeetings());
  // A meeting that holds the change is said by name; any other only wants to discuss it.
  const toDiscuss = change.needsDiscussion.filter((name) => !held.includes(name));
  const titleId = `card-${change.id}`;
  return (
    <article
      className={`card card-${change.state}`}
      aria-labelledby={titleId}
      data-change-id={change.id}
    >
      <div className="card-top">
        <span className="card-id">{change.id}</span>
        <Chip tone={`type-${change.type}`}>{typeLabel}</Chip>
        <RiskChip value={change.answers.risk} />
        {finished ? <StateBadge state={change.state} /> : null}
      </div>
      <h3 className="card-title" id={titleId}>
        <Link href={`/changes/${change.id}`} className="card-link">
          {change.title}
        </Link>
      </h3>
      <div className="card-meta">
        <span className="services">{change.services.map(serviceName).join(' · ')}</span>
        <span>{formatWindow(change.plannedStart, change.plannedEnd)}</span>
      </div>
      <div className="card-foot">
        <span className="requester">
          <span className="avatar" aria-hidden="true">
            {change.requester ? nameOf(change.requester).slice(0, 1) : '?'}
          </span>
          {change.requester ? nameOf(change.requester) : 'Unassigned'}
        </span>
        {change.freezeWarnings.length > 0 ? <Chip tone="warning">Freeze</Chip> : null}
        {held.map((meeting) => (
          <Chip key={meeting} tone="warning">
            Held for {meeting}
          </Chip>
        ))}
        {toDiscuss.length > 0 && !finished ? <Chip tone="info">Discuss</Chip> : null}
        {change.review && !change.review.done ? (
          <Chip tone={change.review.overdue ? 'danger' : 'warning'}>
            {change.review.overdue ? 'Review overdue' : 'Review due'}
          </Chip>
        ) : null}
      </div>
      {change.state === 'pending' && change.requirements.some((r) => !r.met) ? (
        <p className="card-waiting">Waiting for {waitingFor(change, nameOf)}</p>
      ) : change.state !== 'pending' && change.waitingFor.length > 0 ? (
        // Started early: its open approvals are still required.
        <p className="card-waiting">
          Started early, still waiting for {waitingFor(change, nameOf)}
        </p>
      ) : null}
    </article>
  );
}
