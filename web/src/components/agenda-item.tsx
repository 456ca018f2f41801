import type { ReactNode } from 'react';
import type { AgendaItem } from '../api/types.js';
import { formatDate, formatWindow, listNames } from '../lib/format.js';
import { outcomeDone } from '../lib/meetings.js';
import { Link } from '../lib/router.js';
import { Chip, RiskChip, StateBadge, usePeople } from './ui.js';

/**
 * One change on a meeting's agenda, with what the meeting needs to talk about
 * it: what and where, who asks, when, the answers that matter, where its
 * approvals stand, and whether the meeting holds it. Times in the meeting's zone.
 */
export function AgendaItemSummary({
  item,
  timeZone,
  headingLevel = 3,
  children,
}: {
  item: AgendaItem;
  timeZone: string | undefined;
  headingLevel?: 3 | 4;
  children?: ReactNode;
}) {
  const nameOf = usePeople();
  const titleId = `agenda-${item.id}`;
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  const risk = item.questions.find((q) => q.field === 'risk')?.answer;
  return (
    <article className="agenda-item" aria-labelledby={titleId} data-change-id={item.id}>
      <div className="card-top">
        <span className="card-id">{item.id}</span>
        <Chip tone={`type-${item.type}`}>{item.typeLabel}</Chip>
        <RiskChip value={risk} />
        {item.held ? <Chip tone="warning">Held</Chip> : null}
        {item.deferredFrom ? (
          <Chip tone="info">Deferred from {formatDate(item.deferredFrom, timeZone)}</Chip>
        ) : null}
        <StateBadge state={item.state} />
      </div>
      <Heading className="agenda-item-title" id={titleId}>
        <Link href={`/changes/${item.id}`}>{item.title}</Link>
      </Heading>
      <dl className="facts agenda-facts">
        <dt>Services</dt>
        <dd>{item.services.map((s) => s.name).join(', ')}</dd>
        <dt>Requester</dt>
        <dd>
          {item.requester?.name ?? 'Unassigned'}
          {item.submittedAt ? (
            <span className="muted">, submitted {formatDate(item.submittedAt, timeZone)}</span>
          ) : null}
        </dd>
        <dt>Window</dt>
        <dd>{formatWindow(item.plannedStart, item.plannedEnd, timeZone)}</dd>
        <dt>Approvals</dt>
        <dd>
          <Approvals item={item} nameOf={nameOf} />
        </dd>
      </dl>
      {item.questions.length > 0 ? (
        <details className="agenda-answers">
          <summary>Answers</summary>
          <dl className="answers">
            {item.questions.map((q) => (
              <div key={q.field} className="answer">
                <dt>{q.label}</dt>
                <dd className="pre-wrap">
                  {typeof q.answer === 'boolean' ? (q.answer ? 'Yes' : 'No') : String(q.answer)}
                </dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
      {item.outcome ? (
        <OutcomeLine outcome={item.outcome} nameOf={nameOf} timeZone={timeZone} />
      ) : null}
      {children}
    </article>
  );
}

function Approvals({ item, nameOf }: { item: AgendaItem; nameOf: (id: string) => string }) {
  if (item.approvals.length === 0) return <>None needed (pre-approved)</>;
  return (
    <ul className="plain agenda-approvals">
      {item.approvals.map((a, i) => (
        <li key={`${a.from}-${a.service ?? ''}-${i}`}>
          <span aria-hidden="true">{a.met ? '✓ ' : '○ '}</span>
          {a.from}
          {a.service ? ` (${a.service})` : ''}: {a.approvedBy.length} of {a.count}
          {a.met ? ', met' : ''}
          {a.approvedBy.length > 0 ? (
            <span className="muted"> ({listNames(a.approvedBy.map(nameOf))})</span>
          ) : null}
        </li>
      ))}
      {item.waitingFor.length > 0 ? (
        <li className="muted">Waiting for {listNames(item.waitingFor.map(nameOf))}</li>
      ) : null}
    </ul>
  );
}

/** What the sitting recorded on the change: "Approved by Kim Park: Fits our window (minutes)". */
function OutcomeLine({
  outcome,
  nameOf,
  timeZone,
}: {
  outcome: NonNullable<AgendaItem['outcome']>;
  nameOf: (id: string) => string;
  timeZone: string | undefined;
}) {
  const done = outcomeDone(outcome.outcome);
  return (
    <div className={`agenda-outcome agenda-outcome-${outcome.outcome}`}>
      <p>
        <strong>{`${done.charAt(0).toUpperCase()}${done.slice(1)}`}</strong>, recorded by{' '}
        {nameOf(outcome.actor)}
        {outcome.via === 'external-link' ? ' via link' : ''} on{' '}
        <time dateTime={outcome.at}>{formatDate(outcome.at, timeZone)}</time>
        {outcome.url ? (
          <>
            {' · '}
            <a href={outcome.url} target="_blank" rel="noopener noreferrer">
              Minutes
            </a>
          </>
        ) : null}
      </p>
      {outcome.minutes ? <p className="event-comment">{outcome.minutes}</p> : null}
    </div>
  );
}
