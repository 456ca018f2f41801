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

function peopleOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
}

/** "recorded Acme Hosting CAB’s outcome: approve via link"; "asked the requester a question". */
function verbOf(event: TimelineEvent, nameOf: (id: string) => string): string {
  if (event.type === 'commented') {
    if (event.data.question === true) return 'asked the requester a question';
    const askers = peopleOf(event.data.answering).map(nameOf);
    if (askers.length) return `answered the question of ${askers.join(', ')}`;
    return VERBS.commented;
  }
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
/** A comment's text with the `@id` of each person it notified highlighted. */
function CommentText({ text, mentions }: { text: string; mentions: readonly string[] }) {
  if (mentions.length === 0) return <>{text}</>;
  const named = new Set(mentions.map((m) => m.toLowerCase()));
  // Split keeps the captured handles at the odd positions.
  const parts = text.split(/(@[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 && named.has(part.slice(1).toLowerCase()) ? (
          <mark key={i} className="mention">
            {part}
          </mark>
        ) : (
          part
        ),
      )}
    </>
  );
}

/**
 * The change's history and its discussion, oldest first, with a comment box at
 * the end. `askable` is the requester the viewer may ask a question, if any.
 */
export function Timeline({
  changeId,
  canComment,
  askable = null,
}: {
  changeId: string;
  canComment: boolean;
  askable?: string | null;
}) {
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
            const question = event.type === 'commented' && event.data.question === true;
            const mentions = event.type === 'commented' ? peopleOf(event.data.mentions) : [];
            return (
              <li
                key={event.id}
                className={`event event-${event.type}${question ? ' event-question' : ''}`}
              >
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
                        {verbOf(event, nameOf)}
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
                      {question ? <span className="badge question-badge">Question</span> : null}
                      {event.type === 'commented' ? (
                        <CommentText text={detail} mentions={mentions} />
                      ) : (
                        detail
                      )}
                    </p>
                  ) : null}
                  {mentions.length ? (
                    <p className="event-detail muted">Notified {mentions.map(nameOf).join(', ')}</p>
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
      {canComment ? <CommentForm changeId={changeId} askable={askable} /> : null}
    </section>
  );
}

function CommentForm({ changeId, askable }: { changeId: string; askable: string | null }) {
  const nameOf = usePeople();
  const [body, setBody] = useState('');
  const [question, setQuestion] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const comment = useComment(changeId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) {
      setError('Write something first.');
      return;
    }
    setError(null);
    comment.mutate(
      { body: body.trim(), question: question && askable !== null },
      {
        onSuccess: () => {
          setBody('');
          setQuestion(false);
        },
        onError: (e) => setError(e instanceof ApiError ? e.message : 'The comment was not saved.'),
      },
    );
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
        placeholder="Add context, or @name someone to notify them"
      />
      {askable ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={question}
            onChange={(e) => setQuestion(e.target.checked)}
          />{' '}
          Ask {nameOf(askable)} (the requester) a question: they are notified, nothing else changes
        </label>
      ) : null}
      {error ? (
        <p className="field-error" id="comment-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button" disabled={comment.isPending}>
          {comment.isPending ? 'Posting…' : question ? 'Ask' : 'Comment'}
        </button>
      </div>
    </form>
  );
}
