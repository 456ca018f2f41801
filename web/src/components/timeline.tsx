import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useComment, useTimeline } from '../api/queries.js';
import type { TimelineEvent } from '../api/types.js';
import { formatFull, formatRelative } from '../lib/format.js';
import { ErrorState, Loading, usePeople } from './ui.js';

const VERBS: Record<TimelineEvent['type'], string> = {
  created: 'created the draft',
  edited: 'edited',
  submitted: 'submitted it for approval',
  'approval-granted': 'approved',
  'approval-rejected': 'rejected',
  'approvals-withdrawn': 'edited it, which withdrew the approvals so far',
  approved: 'The change is approved',
  rejected: 'The change is rejected',
  withdrawn: 'withdrew it',
  started: 'started implementing it',
  completed: 'completed it',
  failed: 'marked it failed',
  verified: 'verified it in production',
  reviewed: 'filed the post-implementation review',
  commented: 'commented',
  'absence-set': 'recorded an absence',
  'absence-ended': 'ended an absence',
  'policy-changed': 'applied a new policy',
  discussed: 'recorded a meeting’s outcome',
};

/** Events that are the outcome of another one, told without an actor. */
const OUTCOMES = new Set<TimelineEvent['type']>(['approved', 'rejected']);

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** "recorded Acme Hosting CAB’s outcome: approve via link". */
function verbOf(event: TimelineEvent): string {
  if (event.type !== 'discussed') return VERBS[event.type];
  const meeting = textOf(event.data.meeting);
  const outcome = textOf(event.data.outcome);
  if (!meeting || !outcome) return VERBS.discussed;
  const via = event.data.via === 'external-link' ? ' via link' : '';
  return `recorded ${meeting}’s outcome: ${outcome}${via}`;
}

function detailOf(event: TimelineEvent): string | null {
  const data = event.data;
  if (event.type === 'commented') return textOf(data.body);
  if (event.type === 'discussed') return textOf(data.minutes);
  if (event.type === 'reviewed') return data.late === true ? 'Filed after it was due.' : null;
  if (event.type === 'edited') {
    const changes = data.changes;
    if (changes && typeof changes === 'object')
      return `Changed ${Object.keys(changes)
        .map((k) => k.replace(/^answers\./, ''))
        .join(', ')}.`;
    return null;
  }
  return textOf(data.comment) ?? textOf(data.reason);
}

/** The change's history and its discussion, oldest first, with a comment box at the end. */
export function Timeline({ changeId, canComment }: { changeId: string; canComment: boolean }) {
  const timeline = useTimeline(changeId);
  const nameOf = usePeople();
  return (
    <section className="panel" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading" className="section-title">
        Timeline
      </h2>
      {timeline.isPending ? (
        <Loading label="Loading the timeline" />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} retry={() => void timeline.refetch()} />
      ) : (
        <ol className="timeline">
          {timeline.data.items.map((event) => {
            const detail = detailOf(event);
            const outcome = OUTCOMES.has(event.type);
            const minutesUrl = event.type === 'discussed' ? textOf(event.data.url) : null;
            return (
              <li key={event.id} className={`event event-${event.type}`}>
                <span className="event-marker" aria-hidden="true" />
                <div className="event-body">
                  <p className="event-line">
                    {outcome ? (
                      <strong>{VERBS[event.type]}</strong>
                    ) : (
                      <>
                        <strong>{nameOf(event.actor)}</strong>
                        {textOf(event.data.onBehalfOf) && (
                          <>
                            , for <strong>{nameOf(textOf(event.data.onBehalfOf)!)}</strong>
                          </>
                        )}{' '}
                        {verbOf(event)}
                      </>
                    )}{' '}
                    <time dateTime={event.at} title={formatFull(event.at)} className="muted">
                      {formatRelative(event.at)}
                    </time>
                  </p>
                  {detail ? (
                    <p
                      className={
                        event.type === 'commented' ||
                        event.type === 'discussed' ||
                        textOf(event.data.comment)
                          ? 'event-comment'
                          : 'event-detail'
                      }
                    >
                      {detail}
                    </p>
                  ) : null}
                  {minutesUrl && /^https?:\/\//i.test(minutesUrl) ? (
                    <p className="event-detail">
                      <a href={minutesUrl} target="_blank" rel="noopener noreferrer">
                        The meeting’s minutes
                      </a>
                    </p>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {canComment ? <CommentForm changeId={changeId} /> : null}
    </section>
  );
}

function CommentForm({ changeId }: { changeId: string }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const comment = useComment(changeId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) {
      setError('Write something first.');
      return;
    }
    setError(null);
    comment.mutate(body.trim(), {
      onSuccess: () => setBody(''),
      onError: (e) => setError(e instanceof ApiError ? e.message : 'The comment was not saved.'),
    });
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate>
      <label htmlFor="comment-body">Add a comment</label>
      <textarea
        id="comment-body"
        rows={3}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'comment-error' : undefined}
        placeholder="Ask a question or add context for the approvers"
      />
      {error ? (
        <p className="field-error" id="comment-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button" disabled={comment.isPending}>
          {comment.isPending ? 'Posting…' : 'Comment'}
        </button>
      </div>
    </form>
  );
}
